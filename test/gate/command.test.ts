// `rampart gate` end to end: the real CLI in a child process, on real bundle folders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile, stat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ALERTS, EVENTS, TWO_ENDPOINTS, removeDir, tempDir, writeBundle } from './fixtures.ts';
import type { BundleSpec } from './fixtures.ts';
import type { GateResult } from '../../src/core/bundle/types.ts';
import type { BaselineFile } from '../../src/gate/baseline.ts';
import { must } from '../results/fixtures.ts';

const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'rampart.ts');
let root: string;
let sloDir: string;
let baselineDir: string;

interface Ran { code: number | null; stdout: string; stderr: string }

function gate(args: string[], env: Record<string, string> = {}): Ran {
  const result = spawnSync(process.execPath, [CLI, 'gate', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, RAMPART_SLO_DIR: sloDir, RAMPART_BASELINE_DIR: baselineDir, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const oneLineError = (ran: Ran, code: number, pattern: RegExp): void => {
  assert.equal(ran.code, code, `exit code; stderr: ${ran.stderr}; stdout: ${ran.stdout}`);
  const lines = ran.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${ran.stderr}`);
  assert.match(lines[0], pattern);
};

const spec = (runId: string, seed: number, extra: Partial<BundleSpec> = {}): BundleSpec => ({
  runId, seed, profile: 'baseline', periods: 12, endpoints: TWO_ENDPOINTS, ...extra,
});

let baselineRuns: string[];

before(async () => {
  root = await tempDir();
  sloDir = join(root, 'slo');
  baselineDir = join(root, 'baselines');
  await mkdir(sloDir);
  // A quiet machine: synthetic runs drift by about 1% from run to run, so assume a 1% noise floor.
  // The fixtures draw every latency from a log-normal with no floor, so the period median (not the
  // fastest response, which is an extreme value there) is the stable figure to compare.
  await writeFile(join(sloDir, 'defaults.yml'), 'defaults:\n  p95: 500\n  errorRate: 0.01\nrun:\n  errorRate: 0.01\ncomparison:\n  noiseFloor: 0.01\n  statistic: p50\n');
  await writeFile(join(sloDir, 'baseline.yml'), `endpoints:\n  "${EVENTS}":\n    p95: 200\n`);
  baselineRuns = [];
  for (const [i, factor] of [1, 1.01, 0.99].entries()) baselineRuns.push(await writeBundle(join(root, 'base'), spec(`base-${i}`, 100 + i, { runFactor: factor })));
  // Build the stored baseline from the three runs, as the main-branch workflow would.
  for (const dir of baselineRuns) {
    const ran = gate([dir, '--update-baseline', '--no-report']);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
  }
});

after(async () => {
  await removeDir(root);
});

test('--update-baseline appends runs to ci/baselines/<profile>.json', async () => {
  const file = JSON.parse(await readFile(join(baselineDir, 'baseline.json'), 'utf8')) as BaselineFile;
  assert.equal(file.schema, 'rampart.baseline/1');
  assert.equal(file.profile, 'baseline');
  assert.deepEqual(file.runs.map((r: { runId: string }) => r.runId), ['base-0', 'base-1', 'base-2']);
  assert.equal(file.runs[0].endpoints[ALERTS].length, 12);
});

test('a run like the baseline passes: exit 0, every endpoint SAME, gate.json written', async () => {
  const dir = await writeBundle(join(root, 'cand'), spec('same', 7));
  const ran = gate([dir, '--no-report']);
  assert.equal(ran.code, 0, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /rampart gate: PASS/);
  assert.match(ran.stdout, /Baseline .*baseline\.json \(3 run\(s\)\): 0 SLOWER, 0 FASTER, 2 SAME, 0 UNKNOWN/);
  const result = JSON.parse(await readFile(join(dir, 'gate.json'), 'utf8')) as GateResult;
  assert.equal(result.schema, 'rampart.gate/1');
  assert.equal(result.outcome, 'pass');
  assert.deepEqual(result.comparisons.map((c: { verdict: string }) => c.verdict), ['SAME', 'SAME']);
  assert.equal(must(result.baseline).runs, 3);
  assert.ok(result.slo.length >= 5 && result.slo.every((c: { passed: boolean }) => c.passed));
});

test('one endpoint 30% slower: exit 1, naming the endpoint', async () => {
  const dir = await writeBundle(join(root, 'cand'), spec('slower', 8, { slowdown: { [ALERTS]: 1.3 } }));
  const ran = gate([dir, '--no-report']);
  assert.equal(ran.code, 1, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /rampart gate: FAIL/);
  assert.match(ran.stdout, /SLOWER  GET \/api\/v1\/alerts\s+\+\d\d\.\d% slower/);
  const result = JSON.parse(await readFile(join(dir, 'gate.json'), 'utf8')) as GateResult;
  const alerts = must(result.comparisons.find((c) => c.endpoint === ALERTS));
  assert.equal(alerts.verdict, 'SLOWER');
  const ratio = must(alerts.ratio);
  assert.ok(ratio > 1.2 && ratio < 1.4);
  assert.equal(must(result.comparisons.find((c) => c.endpoint === EVENTS)).verdict, 'SAME');
});

test('a breached SLO: exit 1, naming the endpoint, metric, value and budget', async () => {
  const dir = await writeBundle(join(root, 'cand'), spec('breach', 9, { endpoints: [TWO_ENDPOINTS[0], { key: EVENTS, medianMs: 180, perPeriod: 150 }] }));
  const ran = gate([dir, '--no-report', '--baseline', baselineRuns[0]]);
  assert.equal(ran.code, 1);
  assert.match(ran.stdout, /BREACHED POST \/api\/v1\/events\/batch p95 \d+\.\d ms > 200\.0 ms/);
  const result = JSON.parse(await readFile(join(dir, 'gate.json'), 'utf8')) as GateResult;
  const breach = must(result.slo.find((c) => c.scope === EVENTS && c.metric === 'p95'));
  assert.equal(breach.passed, false);
  assert.equal(breach.threshold, 200);
});

test('an untrustworthy run is not judged: exit 3 with the reason', async () => {
  const saturated = await writeBundle(join(root, 'cand'), spec('saturated', 10, { trustworthy: false, trustReasons: ['send rate 71% of plan in 4 periods'] }));
  oneLineError(gate([saturated, '--no-report']), 3, /^rampart: the run cannot be trusted, not judged: send rate 71% of plan in 4 periods$/);
  const result = JSON.parse(await readFile(join(saturated, 'gate.json'), 'utf8')) as GateResult;
  assert.equal(result.outcome, 'untrustworthy');
  assert.deepEqual(result.comparisons, []);

  const empty = await writeBundle(join(root, 'cand'), spec('empty', 11, { endpoints: [{ key: ALERTS, medianMs: 10, perPeriod: 0 }] }));
  oneLineError(gate([empty, '--no-report']), 3, /the run made no requests/);

  const failing = await writeBundle(join(root, 'cand'), spec('failing', 12, { endpoints: [{ key: ALERTS, medianMs: 10, perPeriod: 30, status: 503 }] }));
  oneLineError(gate([failing, '--no-report']), 3, /every one of the 360 requests failed \(HTTP 503 x360\)/);

  const interrupted = await writeBundle(join(root, 'cand'), spec('interrupted', 13, { interrupted: true }));
  oneLineError(gate([interrupted, '--no-report']), 3, /interrupted/);
});

test('an untrustworthy run never updates the baseline', async () => {
  const before = await readFile(join(baselineDir, 'baseline.json'), 'utf8');
  const saturated = await writeBundle(join(root, 'cand'), spec('saturated-2', 14, { trustworthy: false, trustReasons: ['CPU saturated'] }));
  assert.equal(gate([saturated, '--no-report', '--update-baseline']).code, 3);
  assert.equal(await readFile(join(baselineDir, 'baseline.json'), 'utf8'), before);
});

test('--help prints the usage and every flag, exit 0, and judges nothing', () => {
  const ran = gate(['--help']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stderr, '');
  assert.match(ran.stdout, /^usage: rampart gate <bundle> \[<bundle>\.\.\.\] \[options\]/);
  for (const flag of ['--baseline', '--update-baseline', '--repeat', '--target', '--slo', '--no-report', '--help']) assert.ok(ran.stdout.includes(flag), flag);
});

test('bad input: each a one-line error, exit 2, and nothing written', async () => {
  const baselineBefore = await readFile(join(baselineDir, 'baseline.json'), 'utf8');
  oneLineError(gate([]), 2, /^rampart gate: missing <bundle> \[<bundle>\.\.\.\]; usage: rampart gate <bundle>/);
  oneLineError(gate(['--frobnicate', 'x']), 2, /^rampart gate: unknown option '--frobnicate'; known options: --baseline, --update-baseline, --repeat, --target, --slo, --out, --no-report, --help/);
  oneLineError(gate(['x', '--repeat', 'many']), 2, /--repeat must be a whole number/);
  oneLineError(gate([join(root, 'nope')]), 2, /nope: no such bundle folder or file/);

  const corrupt = join(root, 'corrupt');
  await mkdir(corrupt);
  await writeFile(join(corrupt, 'artillery.json'), '{"aggregate": {');
  oneLineError(gate([corrupt]), 2, /artillery\.json: not valid JSON/);

  const other = await writeBundle(join(root, 'cand'), spec('smoke-run', 15, { profile: 'smoke' }));
  oneLineError(gate([other, '--baseline', join(baselineDir, 'baseline.json')]), 2, /baseline of profile 'baseline', but the run is profile 'smoke'/);

  const typo = join(root, 'typo.yml');
  await writeFile(typo, 'defaults:\n  p95: 500\n  p59: 900\n');
  const good = await writeBundle(join(root, 'cand'), spec('good', 16));
  oneLineError(gate([good, '--slo', typo]), 2, /^rampart: .*typo\.yml:3: unknown metric 'p59' in defaults; known metrics: p50, p90, p95, p99, max, errorRate, minThroughput$/);
  await assert.rejects(stat(join(good, 'gate.json')), 'no gate.json after bad input');

  const badBaseline = join(root, 'bad-baseline.json');
  await writeFile(badBaseline, '{"schema": "rampart.baseline/1", "profile": "baseline", "runs": [{"runId": 3}]}');
  oneLineError(gate([good, '--baseline', badBaseline]), 2, /bad-baseline\.json: \/runs\/0\/endpoints is missing; the baseline file is corrupt/);

  oneLineError(gate([good, '--baseline', baselineRuns[0], '--update-baseline']), 2, /--update-baseline needs one baseline file/);
  assert.equal(await readFile(join(baselineDir, 'baseline.json'), 'utf8'), baselineBefore);
});

test('the baseline is never overwritten without --update-baseline, and keeps only the newest runs', async () => {
  const path = join(baselineDir, 'baseline.json');
  const before = await readFile(path, 'utf8');
  const dir = await writeBundle(join(root, 'cand'), spec('plain', 17));
  assert.equal(gate([dir, '--no-report']).code, 0);
  assert.equal(await readFile(path, 'utf8'), before, 'untouched without the flag');

  const keepTwo = join(root, 'keep-two.yml');
  await writeFile(keepTwo, 'comparison:\n  baselineRuns: 2\n  noiseFloor: 0.01\n  statistic: p50\n');
  const copy = join(root, 'copy.json');
  await writeFile(copy, before);
  const ran = gate([dir, '--no-report', '--slo', keepTwo, '--baseline', copy, '--update-baseline']);
  assert.equal(ran.code, 0, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /Baseline updated: .*copy\.json/);
  const updated = JSON.parse(await readFile(copy, 'utf8')) as BaselineFile;
  assert.deepEqual(updated.runs.map((r: { runId: string }) => r.runId), ['base-2', 'plain']);
  assert.deepEqual((await readdir(root)).filter((name) => name.endsWith('.tmp')), [], 'no temp files left');
});

test('several runs of the candidate are judged together', async () => {
  const first = await writeBundle(join(root, 'rep'), spec('rep-1', 18, { slowdown: { [ALERTS]: 1.25 } }));
  const second = await writeBundle(join(root, 'rep'), spec('rep-2', 19, { slowdown: { [ALERTS]: 1.25 }, runFactor: 1.01 }));
  const ran = gate([first, second, '--no-report']);
  assert.equal(ran.code, 1, ran.stdout);
  assert.match(ran.stdout, /profile baseline, 2 run\(s\)/);
  assert.match(ran.stdout, /SLOWER  GET \/api\/v1\/alerts .* in 2 run\(s\) vs \d+ in 3 baseline run\(s\)/);
});

test('a plain `artillery run --output` file is judged from Artillery\'s summaries; gate.json and the reports, titled after the file, go beside it or to --out', async () => {
  const dir = join(root, 'plain');
  await mkdir(dir);
  const file = join(dir, 'out.json');
  const other = join(dir, 'other.json');
  await writeFile(file, await readFile(join(import.meta.dirname, '..', 'report', 'fixtures', 'artillery-plain.json')));
  await writeFile(other, await readFile(file));
  const ran = gate([file, '--slo', join(sloDir, 'defaults.yml')]);
  assert.equal(ran.code, 1, ran.stderr);
  assert.match(ran.stdout, /profile unknown, 1 run\(s\)/);
  assert.match(ran.stdout, /BREACHED \* errorRate 29\.56% > 1\.00%/);
  assert.deepEqual((await readdir(dir)).sort(), ['.rampart-report.json', 'gate.json', 'junit.xml', 'other.json', 'out.json', 'report.html', 'summary.md']);
  assert.equal((JSON.parse(await readFile(join(dir, 'gate.json'), 'utf8')) as GateResult).outcome, 'fail');
  const html = await readFile(join(dir, 'report.html'), 'utf8');
  assert.match(html, /<title>Rampart report: Artillery run out\.json<\/title>/);
  assert.match(html, /FAIL/);
  assert.doesNotMatch(html, /NOT JUDGED/);

  // another file of the same folder neither overwrites that verdict nor shows it
  const refused = gate([other, '--slo', join(sloDir, 'defaults.yml')]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /already holds .*gate\.json of .*out\.json; choose another --out folder/);
  const out = join(root, 'plain-other');
  assert.equal(gate([other, '--slo', join(sloDir, 'defaults.yml'), '--out', out]).code, 1);
  assert.deepEqual((await readdir(out)).sort(), ['.rampart-report.json', 'gate.json', 'junit.xml', 'report.html', 'summary.md']);
  assert.match(await readFile(join(out, 'report.html'), 'utf8'), /<title>Rampart report: Artillery run other\.json<\/title>/);
});

test('a run recorded in the baseline is not compared with itself', async () => {
  const ran = gate([baselineRuns[0], '--no-report']);
  assert.equal(ran.code, 0, ran.stdout);
  const result = JSON.parse(await readFile(join(baselineRuns[0], 'gate.json'), 'utf8')) as GateResult;
  assert.match(result.comparisons[0].detail, /vs \d+ in 2 baseline run\(s\)/);
});

test('--update-baseline with a new baseline file creates it', async () => {
  const path = join(root, 'new-baseline.json');
  const ran = gate([baselineRuns[1], '--baseline', path, '--update-baseline', '--no-report']);
  assert.equal(ran.code, 0, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /Baseline: none .*\n.*Baseline updated: .*new-baseline\.json/s);
  const file = JSON.parse(await readFile(path, 'utf8')) as BaselineFile;
  assert.deepEqual(file.runs.map((r: { runId: string }) => r.runId), ['base-1']);
});
