// rampart analyze on bundles with one known, planted bottleneck each, made for real: the stand-in
// platform (./stand-in.ts) on an embedded PostgreSQL, a short Artillery run with the Rampart plugin
// and the platform sampler around it (./planted.ts). Each bundle must name its bottleneck first,
// with the evidence that shows it. The database cases and the generator-bound run go side by side
// (their evidence does not depend on getting a core: plans, calls, pool waits, the generator's own
// event-loop utilisation); the CPU-bound route runs alone after them, since it must get a core.
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '../../src/core/bundle/read.ts';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { writeReports } from '../../src/report/index.ts';
import { analyzeBundle, loadBundle } from '../../src/results/index.ts';
import { findingsOf } from '../../src/analyze/index.ts';
import { planFacts, suggestedIndex } from '../../src/analyze/plans.ts';
import { FINDINGS_SCHEMA } from '../../src/analyze/schema.ts';
import type { Evidence, Finding, FindingsFile } from '../../src/analyze/types.ts';
import { PLANTED, runPlanted, startCluster } from './planted.ts';
import type { Cluster } from './planted.ts';
import { LINES_PER_ORDER } from './stand-in.ts';

const DURATION_SECONDS = 5;
let dir = '';
let cluster: Cluster | null = null;
const findings = new Map<string, FindingsFile>();
/** mean CPU (% of a core) of the stand-in and of the whole machine over each run's samples */
const cpu = new Map<string, { platform: number; host: number }>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rampart-analyze-'));
  cluster = await startCluster();
  const byName = (names: string[]) => PLANTED.filter((c) => names.includes(c.name));
  for (const batch of [byName(['missing-index', 'n-plus-one', 'saturated-pool', 'generator-bound']), byName(['cpu-bound-route'])]) {
    await Promise.all(batch.map(async (c) => {
      // the generator-bound run is shorter: its processor takes a core for half as long again as it lasts
      const run = await runPlanted(c, { cluster, dir, durationSeconds: c.expected === 'generator-bound' ? 3 : DURATION_SECONDS, intervalMs: 500 });
      const bundle = await loadBundle(run.bundleDir);
      findings.set(c.name, findingsOf(bundle, analyzeBundle(bundle)));
      const samples = bundle.resources?.samples ?? [];
      const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
      cpu.set(c.name, {
        platform: mean(samples.flatMap((x) => (x.platform === undefined ? [] : [x.platform.cpuUserPercent + x.platform.cpuSystemPercent]))),
        host: mean(samples.flatMap((x) => (x.host === undefined ? [] : [x.host.cpuPercent]))),
      });
    }));
  }
}, { timeout: 120_000 });

after(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Off CI, on a machine other work keeps busy, a planted bottleneck may not show: a generator that
 * waited for a core falls behind (and analyze rightly names it first), a CPU-bound route that never
 * got a core is not near one. Such a case is skipped with the reason; in CI it always runs.
 */
function notPlanted(name: string): string | false {
  if (process.env.CI !== undefined) return false;
  const c = PLANTED.find((p) => p.name === name);
  const file = findings.get(name);
  const load = cpu.get(name) ?? { platform: 0, host: 0 };
  if (c?.expected !== 'generator-bound' && file?.findings.some((f) => f.rule === 'generator-bound') === true && load.host >= 90) {
    return `${name}: the machine was busy (${load.host.toFixed(0)}% CPU) and starved the load generator, so the planted bottleneck could not show (runs in CI)`;
  }
  if (c?.expected === 'cpu-bound' && load.platform < 85 && load.host >= 90) {
    return `${name}: the machine was busy (${load.host.toFixed(0)}% CPU): the route got ${load.platform.toFixed(0)}% of a core, not the core it needs (runs in CI)`;
  }
  return false;
}

const skipped = (t: TestContext, name: string): boolean => {
  const reason = notPlanted(name);
  if (reason !== false) t.skip(reason);
  return reason !== false;
};

const top = (name: string): Finding => {
  const file = findings.get(name);
  assert.ok(file !== undefined, `no findings for ${name}`);
  const first = file.findings.at(0);
  assert.ok(first !== undefined, `${name}: no finding at all`);
  return first;
};
const value = (f: Finding, label: string | RegExp): number => {
  const e: Evidence | undefined = f.evidence.find((x) => (typeof label === 'string' ? x.label === label : label.test(x.label)));
  assert.ok(e !== undefined, `${f.rule}: no evidence '${String(label)}' in ${JSON.stringify(f.evidence)}`);
  return e.value;
};

test('every planted bundle names its bottleneck first, and its findings document is valid rampart.findings/1', (t) => {
  for (const c of PLANTED) {
    const file = findings.get(c.name);
    assert.ok(file !== undefined);
    assert.doesNotThrow(() => validate(FINDINGS_SCHEMA, JSON.parse(JSON.stringify(file)), `${c.name}/findings.json`));
    const skip = notPlanted(c.name);
    if (skip !== false) {
      t.diagnostic(skip);
      continue;
    }
    assert.equal(top(c.name).rule, c.expected, `${c.name}: ${JSON.stringify(file.findings.map((f) => [f.rule, f.share]))}`);
    assert.deepEqual(file.findings.map((f) => f.rank), file.findings.map((_, i) => i + 1));
  }
});

test('a missing index: the unindexed lookup, its sequential scan, the blocks it reads per row, and the index to create', async (t) => {
  if (skipped(t, 'missing-index')) return;
  const f = top('missing-index');
  assert.match(f.subject, /SELECT id, price FROM items WHERE sku = \$1/);
  assert.equal(f.shareOf, 'database time');
  assert.ok(f.share > 0.9, `share ${String(f.share)}`);
  assert.ok(value(f, /^blocks read per row returned/) >= 100);
  assert.equal(f.recommendation.split(';')[0], 'CREATE INDEX ON items (sku)');
  // the plan behind it, as the sampler stored it
  const statements = JSON.parse(await readFile(join(dir, 'missing-index', 'statements.json'), 'utf8')) as { statements: { queryId: string; query: string }[]; plans: { queryId: string; plan: unknown }[] };
  const id = statements.statements.find((s) => s.query.includes('FROM items'))?.queryId;
  const scan = planFacts(statements.plans.find((p) => p.queryId === id)?.plan).scans[0];
  assert.equal(scan.node, 'Seq Scan');
  assert.deepEqual(scan.filterColumns, ['sku']);
  assert.equal(suggestedIndex(scan), 'CREATE INDEX ON items (sku)');
});

test('an N+1: the per-line query, called once per line of every order, named after its endpoint', (t) => {
  if (skipped(t, 'n-plus-one')) return;
  const f = top('n-plus-one');
  assert.match(f.subject, /SELECT name, price FROM products WHERE id = \$1/);
  assert.match(f.title, /GET \/orders\/:id/);
  assert.ok(Math.abs(value(f, 'calls per request of GET /orders/:id') - LINES_PER_ORDER) <= 1);
  assert.ok(value(f, 'mean execution time') < 2);
});

test('a saturated pool: requests waited for one of its 2 connections', (t) => {
  if (skipped(t, 'saturated-pool')) return;
  const f = top('saturated-pool');
  assert.equal(value(f, 'pool size, max'), 2);
  assert.ok(value(f, 'requests waiting, max') > 0);
  assert.ok(value(f, 'samples with requests waiting') >= 2);
  assert.ok(f.share > 0.2, `share ${String(f.share)}`);
});

test('a CPU-bound route: the platform near a core, the hashing route holding the request time', (t) => {
  if (skipped(t, 'cpu-bound-route')) return;
  const f = top('cpu-bound-route');
  assert.equal(f.subject, 'GET /hash');
  assert.ok(value(f, 'platform CPU, mean') >= 70);
  assert.ok(value(f, 'share of request time in GET /hash') > 99);
});

test('a generator-bound run: the generator\'s worker saturated by its processor', (t) => {
  if (skipped(t, 'generator-bound')) return;
  const f = top('generator-bound');
  // the plugin's own verdict: arrivals fell behind the schedule while the processor held the worker
  assert.ok(value(f, 'trust reasons naming the generator') >= 1);
  assert.match(f.title, /generator fell behind the schedule/);
  assert.ok(value(f, 'arrivals created') > 0);
  // the stand-in's route did nothing: no resource finding blames the platform
  assert.ok(!(findings.get('generator-bound')?.findings ?? []).some((x) => x.rule === 'cpu-bound'));
});

const cli = (args: string[]) => promisify(execFile)(process.execPath, [join(REPO_ROOT, 'src/cli/rampart.ts'), ...args], { cwd: REPO_ROOT, timeout: 30_000 });

test('rampart analyze prints the ranked findings (text, --json, --top) and --out writes the same document, exit 0', async (t) => {
  if (skipped(t, 'missing-index')) return;
  const bundle = join(dir, 'missing-index');
  const text = await cli(['analyze', bundle]);
  assert.match(text.stdout, /^rampart analyze: run missing-index: \d+ findings?/);
  assert.match(text.stdout, /\n1\. missing-index \[bottleneck\]: \d+(\.\d)?% of database time\n {3}SELECT id, price FROM items WHERE sku = \$1\n/);
  assert.match(text.stdout, /do: CREATE INDEX ON items \(sku\)/);
  const out = join(dir, 'findings.json');
  const json = await cli(['analyze', bundle, '--json', '--top', '1', '--out', out]);
  const printed = validate(FINDINGS_SCHEMA, JSON.parse(json.stdout), 'stdout');
  assert.equal(printed.findings.length, 1);
  assert.equal(printed.findings[0].rule, 'missing-index');
  assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), printed);
  // an earlier analysis of the same run is replaced; another file is not
  await cli(['analyze', bundle, '--out', out]);
  await assert.rejects(cli(['analyze', join(dir, 'n-plus-one'), '--out', out]), (error: { code?: number; stderr?: string }) => error.code === 2 && /findings\.json: already exists and is not an analysis of run n-plus-one; .*--force/.test(error.stderr ?? ''));
});

test('the report shows the findings section, escaped, with the top bottleneck first', async (t) => {
  if (skipped(t, 'n-plus-one')) return;
  const bundle = join(dir, 'n-plus-one');
  const written = await writeReports(bundle, { outDir: join(dir, 'report-n-plus-one') });
  const html = await readFile(written.html, 'utf8');
  const section = html.slice(html.indexOf('<h2 id="findings">'), html.indexOf('</section>', html.indexOf('<h2 id="findings">')));
  assert.match(section, /What limited this run/);
  const body = section.indexOf('<tbody>');
  const firstRow = section.slice(body, section.indexOf('</tr>', body));
  assert.match(firstRow, /n-plus-one/);
  assert.match(firstRow, /N\+1 queries in GET \/orders\/:id/);
  assert.ok(!section.includes('<script'), 'nothing from the bundle is markup');
});
