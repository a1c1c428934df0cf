// rampart capacity with real Artillery steps (through rampart run's executeRun) against the stand-in
// server of ./stand-in.ts: 4 slots x 50 ms = a known capacity of 80 requests/s. Two 4 s steps (50/s
// passes, 100/s queues past the p95 budget) must bracket it and name the limit; capacity.json must
// match its schema, capacity.html hold the curve, and both step bundles be kept. Bad input fails in
// one line before anything runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCapacity } from '../../src/capacity/command.ts';
import { capacityOptions } from '../../src/capacity/options.ts';
import { CAPACITY_FILE_SCHEMA } from '../../src/capacity/document.ts';
import { validate } from '../../src/core/bundle/read.ts';
import { parseCommand } from '../../src/core/command.ts';
import { CAPACITY_COMMAND } from '../../src/capacity/options.ts';
import { isOneLineUsageError, rejectsWithUsage, tempDir } from '../support.ts';
import { startStandIn, writeStandInSuite } from './stand-in.ts';

const optionsOf = (argv: string[]): ReturnType<typeof capacityOptions> => {
  const parsed = parseCommand(CAPACITY_COMMAND, argv);
  if (parsed.help) throw new Error('unexpected --help');
  return capacityOptions(parsed.positionals, parsed.values);
};

test('two real steps bracket the stand-in\'s known capacity and name the limit; capacity.json and capacity.html are written', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'rampart-capacity-');
  const standIn = await startStandIn({ slots: 4, serviceMs: 50 });
  t.after(() => standIn.close());
  const suite = await writeStandInSuite(join(dir, 'suite'), ['/work']);
  const slo = join(dir, 'slo.yml');
  await writeFile(slo, 'defaults:\n  p95: 150\n  p99: 400\n  errorRate: 0.01\nrun:\n  errorRate: 0.01\n');
  const said: string[] = [];
  const outcome = await runCapacity(optionsOf(['standin', '--target', standIn.url, '--step-duration', '4s', '--start-rate', '50', '--max-rate', '400', '--precision', '1', '--slo', slo, '--reports-dir', join(dir, 'reports')]), (line) => { said.push(line); }, suite);

  assert.equal(outcome.exitCode, 0, outcome.text);
  const doc = validate(CAPACITY_FILE_SCHEMA, JSON.parse(await readFile(join(outcome.dir, 'capacity.json'), 'utf8')), 'capacity.json');
  assert.deepEqual(doc.steps.map((s) => [s.rate, s.passed, s.generator.trustworthy]), [[50, true, true], [100, false, true]], outcome.text);
  const { lastPass, firstFail } = doc.result.bracket;
  assert.ok(lastPass !== null && firstFail !== null && lastPass <= standIn.capacity && standIn.capacity < firstFail, `[${String(lastPass)}, ${String(firstFail)}) holds ${standIn.capacity}`);
  assert.equal(doc.result.outcome, 'found');
  assert.equal(doc.result.firstLimit?.scope, 'GET /work');
  assert.equal(doc.result.firstLimit.metric, 'p95');
  assert.ok((doc.steps[1].latencyMs?.p95 ?? 0) > 150 && (doc.steps[0].latencyMs?.p95 ?? 1e9) < 150);
  assert.ok(doc.steps[1].throughput > 90, 'the generator sent the planned 100/s');
  assert.equal(doc.step.peakRate, 10, 'the stand-in profile\'s peak phase rate is the rate-scale unit');
  assert.equal(doc.steps[0].rateScale, 5);
  assert.match(outcome.text, /sustainable: 50 arrivals\/s .*knee in \[50, 100\)/);
  assert.match(outcome.text, /first limit to break: GET \/work p95/);
  assert.ok(said.some((l) => l.startsWith('step 2: 100 arrivals/s')), 'progress names each step');

  const html = await readFile(join(outcome.dir, 'capacity.html'), 'utf8');
  assert.match(html, /<div class="chart" id="curve-latency">/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.ok(!/<script[^>]+src=/.test(html), 'self-contained: no external scripts');
  const kept = await readdir(join(outcome.dir, 'steps'));
  assert.equal(kept.length, 2);
  for (const step of doc.steps) assert.ok((await readdir(join(outcome.dir, step.bundle))).includes('histograms.json'), `${step.bundle} kept`);
});

test('bad input is one line, exit 2, before a platform starts or a folder is made', async (t) => {
  const dir = await tempDir(t, 'rampart-capacity-bad-');
  const suite = await writeStandInSuite(join(dir, 'suite'), ['/work']);
  assert.throws(() => optionsOf(['standin', '--precision', '7']), (e) => isOneLineUsageError(e, /--precision '7' must be a fraction/));
  assert.throws(() => optionsOf(['standin', '--target', 'http://127.0.0.1:1', '--platform-env', 'OPTIMIZATIONS=all']), (e) => isOneLineUsageError(e, /--platform-env applies to the platform rampart starts/));
  assert.throws(() => optionsOf(['standin', '--platform-env', '1BAD=x']), (e) => isOneLineUsageError(e, /not an environment variable name/));
  assert.throws(() => optionsOf(['standin', '--step-duration', 'soon']), (e) => isOneLineUsageError(e, /--step-duration 'soon' must be a duration/));
  assert.throws(() => optionsOf(['../etc']), (e) => isOneLineUsageError(e, /cannot name a file/));
  const say = (): void => undefined;
  await rejectsWithUsage(runCapacity(optionsOf(['nosuch', '--reports-dir', join(dir, 'reports')]), say, suite), /unknown profile 'nosuch'/);
  await rejectsWithUsage(runCapacity(optionsOf(['standin', '--start-rate', '500', '--reports-dir', join(dir, 'reports')]), say, suite), /--start-rate 500 is above the max rate 40/);
  await rejectsWithUsage(runCapacity(optionsOf(['standin', '--slo', join(dir, 'missing.yml'), '--reports-dir', join(dir, 'reports')]), say, suite), /missing\.yml/);
  assert.deepEqual(await readdir(dir), ['suite'], 'no capacity folder was made');
});
