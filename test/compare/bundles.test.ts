// rampart compare on bundles with a known difference: run bundles written on disk (../gate/fixtures.ts:
// run.json, artillery.json, histograms.json, generator.json, with latencies drawn from a known
// distribution) plus the platform samples a real run carries (resources.json, statements.json).
// A and B are alike except that B's GET /b is 50% slower; each run has its own machine drift. The
// verdicts, intervals, side-by-side samples, exit codes and the A B A B mode are judged as compare
// judges real runs (real runs of the platform's two configurations: docs/optimizations.md).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCompare } from '../../src/compare/command.ts';
import { compareOptions, COMPARE_COMMAND } from '../../src/compare/options.ts';
import { COMPARE_FILE_SCHEMA } from '../../src/compare/document.ts';
import { validate } from '../../src/core/bundle/read.ts';
import { parseCommand } from '../../src/core/command.ts';
import { REPO_ROOT } from '../../src/core/paths.ts';
import type { ResourcesFile, StatementsFile } from '../../src/core/bundle/types.ts';
import { removeDir, tempDir, writeBundle } from '../gate/fixtures.ts';
import type { EndpointSpec } from '../gate/fixtures.ts';
import { writeStandInSuite } from '../capacity/stand-in.ts';

const ENDPOINTS: EndpointSpec[] = [
  { key: 'GET /a', medianMs: 40, perPeriod: 60 },
  { key: 'GET /b', medianMs: 100, perPeriod: 60 },
  { key: 'GET /c', medianMs: 20, perPeriod: 60 },
];
const SLOW_QUERY = 'SELECT id FROM b WHERE owner = $1';

let work = '';
let bundles: { a: string[]; b: string[] } = { a: [], b: [] };
const slo = join(REPO_ROOT, 'ci', 'slo', 'defaults.yml');

/** One run: the latencies, plus the platform samples (CPU per side) and one statement's time. */
async function run(runId: string, seed: number, runFactor: number, side: 'A' | 'B'): Promise<string> {
  const dir = await writeBundle(work, { runId, profile: 'standin', periods: 8, endpoints: ENDPOINTS, seed, runFactor, ...(side === 'B' ? { slowdown: { 'GET /b': 1.5 } } : {}) });
  const cpu = side === 'A' ? 40 : 60;
  const resources: ResourcesFile = {
    schema: 'rampart.resources/1', intervalMs: 1000, sources: { platform: 'proc', database: 'postgres', generator: 'proc' }, missing: [],
    samples: [1, 2, 3].map((i) => ({ t: 1_700_000_000_000 + i * 1000, platform: { cpuUserPercent: cpu - 5, cpuSystemPercent: 5, rssBytes: 100e6 }, databaseProcess: { cpuPercent: cpu / 2, rssBytes: 50e6 }, pool: { total: 10, inUse: 2, waiting: side === 'A' ? 0 : 1 } })),
  };
  const execMs = side === 'A' ? 1000 : 1500;
  const statements: StatementsFile = {
    schema: 'rampart.statements/1', source: 'pg_stat_statements', window: { start: 1_700_000_000_000, end: 1_700_000_080_000 }, totalExecMs: execMs,
    statements: [{ queryId: '42', query: SLOW_QUERY, calls: 480, totalExecMs: execMs, meanExecMs: execMs / 480, rows: 480, sharedBlksHit: 960, sharedBlksRead: 0, tempBlksWritten: 0 }],
    plans: [],
  };
  await writeFile(join(dir, 'resources.json'), JSON.stringify(resources));
  await writeFile(join(dir, 'statements.json'), JSON.stringify(statements));
  return dir;
}

const compareWith = (argv: string[]): ReturnType<typeof compareOptions> => {
  const parsed = parseCommand(COMPARE_COMMAND, argv);
  if (parsed.help) throw new Error('unexpected --help');
  return compareOptions(parsed.positionals, parsed.values);
};

before(async () => {
  work = await tempDir('rampart-compare-');
  bundles = {
    a: [await run('a1', 1, 1.0, 'A'), await run('a2', 2, 1.04, 'A')],
    b: [await run('b1', 3, 0.97, 'B'), await run('b2', 4, 1.02, 'B')],
  };
});

after(async () => {
  await removeDir(work);
});

test('B with GET /b 50% slower is SLOWER there, its p50 interval excludes 1 near 1.5, nothing else is SLOWER; --fail-on-slower exits 1', async () => {
  const outcome = await runCompare(compareWith(['--a', bundles.a.join(','), '--b', bundles.b.join(','), '--slo', slo, '--out', join(work, 'ab'), '--fail-on-slower']), () => undefined, work);
  const doc = validate(COMPARE_FILE_SCHEMA, JSON.parse(await readFile(join(outcome.dir, 'compare.json'), 'utf8')), 'compare.json');
  const byKey = new Map(doc.endpoints.map((e) => [e.endpoint, e]));
  const slow = byKey.get('GET /b');
  assert.equal(slow?.verdict, 'SLOWER', outcome.text);
  assert.ok(slow.ratio !== null && slow.ratio > 1.3 && slow.ratio < 1.7, `the gate's ratio ${String(slow.ratio)} near 1.5`);
  assert.ok(slow.p50 !== null && slow.p50.lower > 1, `p50 interval ${JSON.stringify(slow.p50)} excludes 1`);
  assert.ok(slow.p50.ratio > 1.3 && slow.p50.ratio < 1.7, `p50 ratio ${slow.p50.ratio} near 1.5`);
  assert.ok(slow.p50.lower < slow.p50.ratio && slow.p50.ratio < slow.p50.upper);
  assert.match(slow.detail, / in 2 run\(s\) vs \d+ in 2 baseline run\(s\)/, 'both runs of each side judged');
  for (const key of ['GET /a', 'GET /c']) {
    const same = byKey.get(key);
    assert.ok(same !== undefined && same.verdict !== 'SLOWER', outcome.text);
    assert.ok(same.p50 !== null && same.p50.lower < 1 && same.p50.upper > 1, `${key}: its p50 interval ${JSON.stringify(same.p50)} holds 1`);
  }
  assert.deepEqual(doc.slower, ['GET /b']);
  assert.equal(outcome.exitCode, 1, '--fail-on-slower');
  assert.match(outcome.text, /GET \/b\s+SLOWER/);
  assert.equal(doc.b.runs.length, 2);
  // the platform samples, side by side
  assert.equal(doc.resources.a?.samples, 6);
  assert.equal(doc.resources.a.platformCpuPercent, 40);
  assert.equal(doc.resources.b?.platformCpuPercent, 60);
  assert.equal(doc.resources.b.poolWaitingMean, 1);
  const row = doc.statements.rows.find((r) => r.query === SLOW_QUERY);
  assert.ok(row !== undefined, JSON.stringify(doc.statements));
  assert.deepEqual([row.a?.totalExecMsPerRun, row.b?.totalExecMsPerRun, row.b?.callsPerRun], [1000, 1500, 480]);
  assert.deepEqual(doc.statements.runs, { a: 2, b: 2 });
  const html = await readFile(join(outcome.dir, 'compare.html'), 'utf8');
  assert.match(html, /badge-slower">SLOWER/);
  assert.ok(html.includes('SELECT id FROM b WHERE owner = $1'), 'the statement shown on the page');
});

test('A/A: the second A run against the first is SLOWER nowhere; without --fail-on-slower exit 0; an existing compare.json is not replaced', async () => {
  const outcome = await runCompare(compareWith([bundles.a[0], bundles.a[1], '--slo', slo, '--out', join(work, 'aa')]), () => undefined, work);
  assert.deepEqual(outcome.document.slower, [], outcome.text);
  assert.equal(outcome.exitCode, 0);
  const written = await readFile(join(outcome.dir, 'compare.json'), 'utf8');
  await assert.rejects(runCompare(compareWith([bundles.b[0], bundles.b[1], '--slo', slo, '--out', join(work, 'aa')]), () => undefined, work), /already holds a compare\.json/);
  assert.equal(await readFile(join(outcome.dir, 'compare.json'), 'utf8'), written);
});

test('--profile: runs are made A B A B and judged as bundles are; the environments are recorded redacted', async () => {
  const suite = await writeStandInSuite(join(work, 'suite'), ['/a', '/b', '/c']);
  const order: string[] = [];
  const queue = { A: [...bundles.a], B: [...bundles.b] };
  const runner = (side: 'A' | 'B'): Promise<string> => {
    order.push(side);
    const next = queue[side].shift();
    if (next === undefined) throw new Error('no more bundles');
    return Promise.resolve(next);
  };
  const options = compareWith(['--profile', 'standin', '--a-env', 'OPTIMIZATIONS=none', '--b-env', 'OPTIMIZATIONS=all', '--b-env', 'API_TOKEN=hunter2', '--rounds', '2', '--slo', slo, '--out', join(work, 'alt')]);
  const outcome = await runCompare(options, () => undefined, suite, runner);
  assert.deepEqual(order, ['A', 'B', 'A', 'B']);
  assert.deepEqual(outcome.document.order, ['A', 'B', 'A', 'B']);
  assert.equal(outcome.document.mode, 'alternate');
  assert.deepEqual(outcome.document.slower, ['GET /b']);
  assert.deepEqual(outcome.document.b.env, { OPTIMIZATIONS: 'all', API_TOKEN: '<redacted>' });
  const written = await readFile(join(outcome.dir, 'compare.json'), 'utf8') + await readFile(join(outcome.dir, 'compare.html'), 'utf8');
  assert.ok(!written.includes('hunter2'), 'a secret-looking value is never written');
});
