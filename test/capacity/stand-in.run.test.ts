// rampart capacity with real Artillery against the stand-in server of ./stand-in.ts (timer-based
// service: its figures move with the machine's load far less than CPU work would), in a child process
// so the test's busy event loop cannot delay its timers: 8 slots x 100 ms = a known capacity of 80
// requests/s. Steps of 4 s at 50/s (passes) and 100/s (queues past the p95 budget) must bracket it
// and name the limit. (Serial with the other *.run tests: a real generator must have the cores. The
// comparison of bundles with a known difference: test/compare/bundles.test.ts.)
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCapacity } from '../../src/capacity/command.ts';
import type { CapacityOutcome } from '../../src/capacity/command.ts';
import { CAPACITY_COMMAND, capacityOptions } from '../../src/capacity/options.ts';
import { CAPACITY_FILE_SCHEMA } from '../../src/capacity/document.ts';
import { validate } from '../../src/core/bundle/read.ts';
import { parseCommand } from '../../src/core/command.ts';
import { spawnStandIn, writeStandInSuite } from './stand-in.ts';

let work = '';
const stops: (() => Promise<void>)[] = [];
let capacity: { outcome: CapacityOutcome; known: number; said: string[] } | null = null;

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
  work = await mkdtemp(join(tmpdir(), 'rampart-capacity-run-'));
  capacity = await capacitySearch();
}, { timeout: 120_000 });

after(async () => {
  for (const stop of stops) await stop();
  await rm(work, { recursive: true, force: true });
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
