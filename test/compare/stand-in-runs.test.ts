// The real-Artillery tests of rampart compare and rampart capacity, against the stand-in server of
// test/capacity/stand-in.ts (timer-based service: its figures move with the machine's load far less
// than CPU work would). before() makes four short runs for compare, all at once, then a two-step
// capacity search. (Overlapping the search with the four runs saved about 20 s but put six Artillery
// processes on the 2 cores at once: in a clean-clone CI a compare run's worker then ran 117 ms late at
// p99, past its trust limit of 56 ms, and all four tests failed on that one untrustworthy run.)
//   compare   two stand-ins, A and B, alike except that B holds GET /b 50% longer (150 ms instead of
//             100 ms: long enough that the generator's own lateness on a busy machine stays within
//             its trust limit, half the median latency). Runs A1, A2 against A and B1, B2 against B
//             (rampart run's executeRun, 22 s each), all four at once, so both sides see the same
//             machine. B against A must find GET /b SLOWER with its p50 interval excluding 1 and no
//             other endpoint SLOWER; A2 against A1 must find nothing SLOWER.
//             The gate's periods are 10 s of the wall clock, so a run starting anywhere in one spans
//             a partial period, two whole ones and a partial one. A period counts with 5 responses
//             (half a second of an endpoint's traffic at 10 arrivals/s): 22 s then give every run at
//             least 3 qualifying periods wherever it starts. (With 20 responses a period and 21 s runs,
//             a start in the last 2 s or the first second of a period left the runs of that start
//             with 2 periods, too few: GET /b came out UNKNOWN at +50%, its p50 interval excluding 1.)
//   capacity  (its stand-in in a child process, so the test's busy event loop cannot delay its timers)
//             8 slots x 100 ms = a known capacity of 80 requests/s; steps of 4 s at 50/s (passes) and
//             100/s (queues past the p95 budget) must bracket it and name the limit.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeRun } from '../../src/run/command.ts';
import { runCompare } from '../../src/compare/command.ts';
import type { CompareOutcome } from '../../src/compare/command.ts';
import { compareOptions, COMPARE_COMMAND } from '../../src/compare/options.ts';
import { COMPARE_FILE_SCHEMA } from '../../src/compare/document.ts';
import { runCapacity } from '../../src/capacity/command.ts';
import type { CapacityOutcome } from '../../src/capacity/command.ts';
import { CAPACITY_COMMAND, capacityOptions } from '../../src/capacity/options.ts';
import { CAPACITY_FILE_SCHEMA } from '../../src/capacity/document.ts';
import { validate } from '../../src/core/bundle/read.ts';
import { parseCommand } from '../../src/core/command.ts';
import { spawnStandIn, startStandIn, writeStandInSuite } from '../capacity/stand-in.ts';
import type { StandIn } from '../capacity/stand-in.ts';

let work = '';
const servers: StandIn[] = [];
const stops: (() => Promise<void>)[] = [];
let bundles: { a: string[]; b: string[] } = { a: [], b: [] };
let capacity: { outcome: CapacityOutcome; known: number; said: string[] } | null = null;
let slo = '';

const compareWith = (argv: string[]): ReturnType<typeof compareOptions> => {
  const parsed = parseCommand(COMPARE_COMMAND, argv);
  if (parsed.help) throw new Error('unexpected --help');
  return compareOptions(parsed.positionals, parsed.values);
};

async function compareRuns(): Promise<{ a: string[]; b: string[] }> {
  const a = await startStandIn({ slots: 64, serviceMs: 100 });
  const b = await startStandIn({ slots: 64, serviceMs: 100, slowdown: { '/b': 1.5 } });
  servers.push(a, b);
  const suite = await writeStandInSuite(join(work, 'compare-suite'), ['/a', '/b', '/c'], '    - { name: steady, duration: 22, arrivalRate: 10 }');
  const run = async (url: string): Promise<string> => {
    const result = await executeRun({ profile: 'standin', target: url, rateScale: 1, seed: 1, durationText: null, report: false, reportsDir: join(work, 'runs') }, {}, suite);
    assert.equal(result.exitCode, 0, result.summary);
    return result.bundleDir;
  };
  // all four at once: one Artillery start-up instead of two in a row, and A beside B throughout
  const [a1, b1, a2, b2] = await Promise.all([run(a.url), run(b.url), run(a.url), run(b.url)]);
  return { a: [a1, a2], b: [b1, b2] };
}

async function capacitySearch(): Promise<{ outcome: CapacityOutcome; known: number; said: string[] }> {
  const standIn = await spawnStandIn(8, 100);
  stops.push(standIn.stop);
  const suite = await writeStandInSuite(join(work, 'capacity-suite'), ['/work']);
  const file = join(work, 'capacity-slo.yml');
  await writeFile(file, 'defaults:\n  p95: 300\n  p99: 800\n  errorRate: 0.01\nrun:\n  errorRate: 0.01\n');
  const parsed = parseCommand(CAPACITY_COMMAND, ['standin', '--target', standIn.url, '--step-duration', '4s', '--start-rate', '50', '--max-rate', '400', '--precision', '1', '--slo', file, '--reports-dir', join(work, 'capacity')]);
  if (parsed.help) throw new Error('unexpected --help');
  const said: string[] = [];
  const outcome = await runCapacity(capacityOptions(parsed.positionals, parsed.values), (line) => { said.push(line); }, suite);
  return { outcome, known: standIn.capacity, said };
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'rampart-standin-runs-'));
  // The comparison settings for runs this short: 3 periods a run, 5 responses a period (see the top).
  slo = join(work, 'compare-slo.yml');
  await writeFile(slo, 'comparison:\n  minPeriods: 3\n  minRequestsPerPeriod: 5\n');
  bundles = await compareRuns();
  capacity = await capacitySearch();
}, { timeout: 180_000 });

after(async () => {
  for (const server of servers) await server.close();
  for (const stop of stops) await stop();
  await rm(work, { recursive: true, force: true });
});

test('compare: B with GET /b 50% slower is SLOWER there, its p50 interval excludes 1, nothing else is SLOWER', async () => {
  const outcome: CompareOutcome = await runCompare(compareWith(['--a', bundles.a.join(','), '--b', bundles.b.join(','), '--slo', slo, '--out', join(work, 'ab'), '--fail-on-slower']), () => undefined, work);
  const doc = validate(COMPARE_FILE_SCHEMA, JSON.parse(await readFile(join(outcome.dir, 'compare.json'), 'utf8')), 'compare.json');
  const byKey = new Map(doc.endpoints.map((e) => [e.endpoint, e]));
  const slow = byKey.get('GET /b');
  assert.equal(slow?.verdict, 'SLOWER', outcome.text);
  assert.ok(slow.p50 !== null && slow.p50.lower > 1, `p50 interval ${JSON.stringify(slow.p50)} excludes 1`);
  assert.ok(slow.p50.ratio > 1.3 && slow.p50.ratio < 1.7, `p50 ratio ${slow.p50.ratio} near 1.5`);
  assert.match(slow.detail, / in 2 run\(s\) vs \d+ in 2 baseline run\(s\)/, 'every run had enough periods to be judged');
  for (const key of ['GET /a', 'GET /c']) assert.notEqual(byKey.get(key)?.verdict, 'SLOWER', outcome.text);
  assert.deepEqual(doc.slower, ['GET /b']);
  assert.equal(outcome.exitCode, 1, '--fail-on-slower');
  assert.match(outcome.text, /GET \/b\s+SLOWER/);
  assert.ok(doc.resources.a !== null && doc.resources.a.samples > 0, 'resources.json of the runs read');
  const html = await readFile(join(outcome.dir, 'compare.html'), 'utf8');
  assert.match(html, /badge-slower">SLOWER/);
});

test('compare A/A: the second A run against the first is not SLOWER anywhere; without --fail-on-slower exit 0', async () => {
  const outcome = await runCompare(compareWith([bundles.a[0], bundles.a[1], '--slo', slo, '--out', join(work, 'aa')]), () => undefined, work);
  assert.deepEqual(outcome.document.slower, [], outcome.text);
  assert.equal(outcome.exitCode, 0);
  await assert.rejects(runCompare(compareWith([bundles.a[0], bundles.a[1], '--slo', slo, '--out', join(work, 'aa')]), () => undefined, work), /already holds a compare\.json/);
});

test('compare --profile: runs are made A B A B and judged as bundles are; the environments are recorded redacted', async () => {
  const order: string[] = [];
  const queue = { A: [...bundles.a], B: [...bundles.b] };
  const runner = (side: 'A' | 'B'): Promise<string> => {
    order.push(side);
    const next = queue[side].shift();
    if (next === undefined) throw new Error('no more bundles');
    return Promise.resolve(next);
  };
  const options = compareWith(['--profile', 'standin', '--a-env', 'OPTIMIZATIONS=none', '--b-env', 'OPTIMIZATIONS=all', '--b-env', 'API_TOKEN=hunter2', '--rounds', '2', '--slo', slo, '--out', join(work, 'alt')]);
  const outcome = await runCompare(options, () => undefined, join(work, 'compare-suite'), runner);
  assert.deepEqual(order, ['A', 'B', 'A', 'B']);
  assert.deepEqual(outcome.document.order, ['A', 'B', 'A', 'B']);
  assert.equal(outcome.document.mode, 'alternate');
  assert.deepEqual(outcome.document.slower, ['GET /b']);
  assert.deepEqual(outcome.document.b.env, { OPTIMIZATIONS: 'all', API_TOKEN: '<redacted>' });
  const written = await readFile(join(outcome.dir, 'compare.json'), 'utf8') + await readFile(join(outcome.dir, 'compare.html'), 'utf8');
  assert.ok(!written.includes('hunter2'), 'a secret-looking value is never written');
});

test('capacity: two real steps bracket the stand-in\'s known capacity and name the limit; capacity.json and capacity.html', async () => {
  assert.ok(capacity !== null);
  const { outcome, known, said } = capacity;
  assert.equal(outcome.exitCode, 0, outcome.text);
  const doc = validate(CAPACITY_FILE_SCHEMA, JSON.parse(await readFile(join(outcome.dir, 'capacity.json'), 'utf8')), 'capacity.json');
  assert.deepEqual(doc.steps.map((s) => [s.rate, s.passed, s.generator.trustworthy]), [[50, true, true], [100, false, true]], outcome.text);
  const { lastPass, firstFail } = doc.result.bracket;
  assert.ok(lastPass !== null && firstFail !== null && lastPass <= known && known < firstFail, `[${String(lastPass)}, ${String(firstFail)}) holds ${known}`);
  assert.equal(doc.result.outcome, 'found');
  assert.equal(doc.result.firstLimit?.scope, 'GET /work');
  assert.equal(doc.result.firstLimit.metric, 'p95');
  assert.ok(doc.steps[1].throughput > 90, 'the generator sent the planned 100/s');
  assert.equal(doc.step.peakRate, 10, 'the profile\'s peak phase rate is the rate-scale unit');
  assert.equal(doc.steps[0].rateScale, 5);
  assert.match(outcome.text, /sustainable: 50 arrivals\/s .*knee in \[50, 100\)/);
  assert.match(outcome.text, /first limit to break: GET \/work p95/);
  assert.ok(said.some((l) => l.startsWith('step 2: 100 arrivals/s')), 'progress names each step');
  const html = await readFile(join(outcome.dir, 'capacity.html'), 'utf8');
  assert.match(html, /<div class="chart" id="curve-latency">/);
  assert.ok(!/<script[^>]+src=/.test(html), 'self-contained: no external scripts');
  assert.equal((await readdir(join(outcome.dir, 'steps'))).length, 2);
  for (const step of doc.steps) assert.ok((await readdir(join(outcome.dir, step.bundle))).includes('histograms.json'), `${step.bundle} kept`);
});
