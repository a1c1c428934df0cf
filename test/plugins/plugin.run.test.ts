// The measurement plugin inside real Artillery runs (spawned, bounded, killed by pid).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFile } from '../../src/core/bundle/files.ts';
import { readHistogramDocument } from '../../src/core/bundle/histogram-read.ts';
import { readBundleFile } from '../../src/core/bundle/read.ts';
import { decodeHistogram, mergeHistograms } from '../../src/core/histogram.ts';
import { analyzeEndpoints, customMetrics, loadBundle } from '../../src/results/index.ts';
import type { GeneratorFile, HistogramFile, LoadedBundle } from '../../src/core/bundle/types.ts';
import { closedPort, runArtillery, startServer } from './harness.ts';
import type { ArtilleryResult, Interruption, LocalServer } from './harness.ts';

let server: LocalServer;
let root: string;
before(async () => {
  server = await startServer();
  root = await mkdtemp(join(tmpdir(), 'rampart-plugin-'));
});
after(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const PROCESSOR = `
module.exports = {
  // a security probe: reports how long detection took (ms), as processors are told to
  detect(context, events, done) {
    events.emit('histogram', 'rampart.detection_latency', 250 + Math.random());
    return done();
  },
  // burns the generator's CPU: 6 ms per virtual user
  burn(context, events, done) {
    const until = process.hrtime.bigint() + 6_000_000n;
    while (process.hrtime.bigint() < until) {}
    return done();
  },
};
`;

async function runScript(name: string, yaml: string, env: Record<string, string | undefined>, interrupt?: Interruption, expectedCode = 0): Promise<{ dir: string; result: ArtilleryResult }> {
  const dir = join(root, name);
  await mkdir(dir);
  await writeFile(join(dir, 'script.yml'), yaml);
  await writeFile(join(dir, 'processor.cjs'), PROCESSOR);
  const result = await runArtillery(join(dir, 'script.yml'), join(dir, 'artillery.json'), env, 120_000, interrupt);
  assert.equal(result.timedOut, false, 'artillery finished in time');
  assert.equal(result.code, expectedCode, result.stderr);
  return { dir, result };
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** The value, asserted present. */
function must<T>(value: T | null | undefined, what: string): T {
  assert.ok(value !== null && value !== undefined, `${what} is missing`);
  return value;
}

/** The plugin's two files, read and validated as every stage reads them. */
async function measurements(dir: string): Promise<{ histograms: HistogramFile; generator: GeneratorFile }> {
  return {
    histograms: await readHistogramDocument(bundleFile(dir, 'histograms')),
    generator: await readBundleFile(bundleFile(dir, 'generator'), 'generator'),
  };
}

function triageScript(port: number, down: number, phases: string): string {
  return `
config:
  target: http://127.0.0.1:${port}
  phases:
${phases}
  processor: ./processor.cjs
  plugins:
    rampart: {}
scenarios:
  - name: triage
    flow:
      - get:
          url: /api/v1/alerts/{{ $randomNumber(1, 100) }}
          name: GET /api/v1/alerts/:id
      - post:
          url: /api/v1/events
          name: POST /api/v1/events
          json: { type: login_failed }
      - function: detect
      - get:
          url: /missing?page=1
      - get:
          url: http://127.0.0.1:${down}/down
          name: GET /down
`;
}

let normal: { dir: string; result: ArtilleryResult; bundle: LoadedBundle; histograms: HistogramFile; generator: GeneratorFile };

test('a real run loads the plugin, which writes histograms.json and generator.json into the bundle', async () => {
  const down = await closedPort();
  const dir = join(root, 'normal');
  const { result } = await runScript('normal', triageScript(server.port, down, '    - duration: 3\n      arrivalRate: 20'), { RAMPART_BUNDLE_DIR: dir });
  assert.ok(existsSync(join(dir, 'histograms.json')), `plugin did not write histograms.json:\n${result.stderr}`);
  assert.ok(existsSync(join(dir, 'generator.json')));
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.')), [], 'the staging folder is removed');
  assert.match(result.stderr, /rampart: measured 4 endpoint\(s\)/);
  normal = { dir, result, bundle: await loadBundle(dir), ...(await measurements(dir)) };
});

test('per endpoint, recorded responses, status codes and errors equal Artillery\'s counters', () => {
  const { bundle } = normal;
  const counters = bundle.artillery.aggregate.counters;
  const endpoints = analyzeEndpoints(bundle);
  assert.deepEqual(endpoints.map((e) => e.summary.endpoint), ['GET /api/v1/alerts/:id', 'GET /down', 'GET /missing', 'POST /api/v1/events']);
  const vusers = counters['vusers.created'];
  assert.equal(vusers, 60);
  const by = Object.fromEntries(endpoints.map((e) => [e.summary.endpoint, e.summary]));
  assert.deepEqual(by['GET /api/v1/alerts/:id'].codes, { '200': vusers });
  assert.deepEqual(by['POST /api/v1/events'].codes, { '202': vusers });
  assert.deepEqual(by['GET /missing'].codes, { '404': vusers });
  assert.equal(by['GET /down'].responses, 0);
  assert.deepEqual(by['GET /down'].errors.byKind, { ECONNREFUSED: counters['errors.ECONNREFUSED'] });

  const responses = sum(endpoints.map((e) => e.summary.responses));
  const transport = sum(endpoints.map((e) => e.summary.errors.transport));
  assert.equal(responses, counters['http.responses']);
  assert.equal(transport, counters['errors.ECONNREFUSED']);
  assert.equal(responses + transport, counters['http.requests']);
  for (const [code, n] of Object.entries(counters).filter(([k]) => k.startsWith('http.codes.'))) {
    assert.equal(sum(endpoints.map((e) => e.summary.codes[code.slice('http.codes.'.length)] ?? 0)), n, code);
  }
});

test('latencies have microsecond resolution and the merged histogram is the sum of its periods', () => {
  const { bundle, histograms } = normal;
  const periods = histograms.endpoints['GET /api/v1/alerts/:id'];
  const merged = mergeHistograms(periods.map((p) => p.histogram));
  const values: number[] = [];
  const iterator = merged.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) values.push(iterator.next().valueIteratedTo);
  assert.ok(values.some((v) => v % 1000 !== 0), `values are not whole milliseconds: ${values.slice(0, 10).join(', ')}`);
  assert.ok(merged.minNonZeroValue > 0);

  // the stored run total (histograms.json "totals") is exactly the merge of the periods
  const total = decodeHistogram(must(histograms.totals, 'totals').endpoints['GET /api/v1/alerts/:id']);
  assert.equal(total.totalCount, merged.totalCount);
  for (const p of [50, 90, 99, 100]) assert.equal(total.getValueAtPercentile(p), merged.getValueAtPercentile(p));

  const [alerts] = analyzeEndpoints(bundle);
  const latency = must(alerts.summary.latencyMs, 'latency');
  assert.equal(latency.count, sum(periods.map((p) => decodeHistogram(p.histogram).totalCount)));
  assert.equal(latency.p99, merged.getValueAtPercentile(99) / 1000);
  assert.equal(sum(alerts.periods.map((p) => p.requests)), alerts.summary.requests);
});

test('custom metrics emitted by processors are mirrored into histograms', () => {
  const { bundle } = normal;
  const [detection] = customMetrics(bundle);
  assert.equal(detection.name, 'rampart.detection_latency');
  assert.equal(detection.source, 'histograms');
  const stats = must(detection.stats, 'detection latency stats');
  assert.equal(stats.count, bundle.artillery.aggregate.summaries['rampart.detection_latency'].count);
  // emitted as 250..251 ms; HDR keeps 3 significant digits (0.1%)
  assert.ok(stats.min >= 249.75 && stats.max <= 251.26, `${stats.min}..${stats.max} ms`);
});

test('the generator kept to a modest schedule: planned and actual arrivals agree and the run is trusted', () => {
  const { generator } = normal;
  assert.deepEqual(normal.bundle.generator, generator, 'the stages load the same generator.json');
  assert.equal(generator.planned.arrivals, 60);
  assert.equal(generator.actual.arrivals, 60);
  assert.equal(sum(generator.periods.map((p) => p.actualArrivals)), 60);
  assert.ok(Math.abs(sum(generator.periods.map((p) => p.plannedArrivals)) - 60) < 0.01);
  assert.equal(generator.trust.trustworthy, true, generator.trust.reasons.join('; '));
  assert.deepEqual(generator.trust.reasons, []);
  // the worker timed its event loop from the first arrival: the error bar the run states
  const delay = must(generator.trust.generatorDelayMs, 'the generator delay');
  assert.ok(delay >= 0 && delay < 1_000, String(delay));
  assert.match(normal.result.stderr, /generator kept to the schedule \(60\/60 arrivals; its own delay [\d.]+ ms at p99\)/);
  assert.ok(generator.periods.every((p) => p.cpuPercent >= 0 && p.eventLoopDelayMaxMs >= 0));
  assert.ok(generator.periods.some((p) => p.workerEventLoopDelayP99Ms !== undefined));
  // the worker samples its event loop once a second: a period it only touched briefly may have none
  assert.ok(generator.periods.some((p) => p.workerUtilization !== undefined && p.workerUtilization > 0));
});

test('a generator that cannot keep up (a CPU-burning processor) marks the run untrustworthy', async () => {
  // 6 ms of CPU per virtual user caps one worker near 160 users/s; 400/s are planned
  const dir = join(root, 'overloaded');
  const { result } = await runScript('overloaded', `
config:
  target: http://127.0.0.1:${server.port}
  phases:
    - duration: 3
      arrivalRate: 400
  processor: ./processor.cjs
  plugins:
    rampart: {}
scenarios:
  - flow:
      - function: burn
      - get:
          url: /api/v1/alerts/1
          name: GET /api/v1/alerts/:id
`, { RAMPART_BUNDLE_DIR: dir });
  const bundle = await loadBundle(dir);
  const { generator } = await measurements(dir);
  assert.equal(generator.planned.arrivals, 1_200);
  assert.equal(generator.actual.arrivals, bundle.artillery.aggregate.counters['vusers.created']);
  assert.equal(generator.trust.trustworthy, false);
  assert.match(generator.trust.reasons[0], /generator fell behind the schedule/);
  assert.match(result.stderr, /rampart: run NOT trustworthy: generator fell behind/);
});

test('the plugin option bundleDir works, and without any folder nothing is written and that is said once', async () => {
  const viaOption = join(root, 'option-bundle');
  await mkdir(viaOption);
  const single = '    - duration: 1\n      arrivalCount: 2';
  const script = (extra: string): string => `
config:
  target: http://127.0.0.1:${server.port}
  phases:
${single}
  plugins:
    rampart: {${extra}}
scenarios:
  - flow:
      - get:
          url: /health
          name: GET /health
`;
  await runScript('option', script(` bundleDir: ${JSON.stringify(viaOption)} `), { RAMPART_BUNDLE_DIR: undefined });
  const bundle = await loadBundle(join(root, 'option')); // artillery.json is in the script folder
  assert.equal(bundle.histograms, null, 'with a bundle folder the plugin emits no counters (the default)');
  assert.ok(existsSync(join(viaOption, 'histograms.json')));

  const { dir, result } = await runScript('nowhere', script(''), { RAMPART_BUNDLE_DIR: undefined });
  assert.deepEqual((await readdir(dir)).sort(), ['artillery.json', 'processor.cjs', 'script.yml']);
  assert.equal(result.stderr.match(/rampart: no bundle folder/g)?.length, 1, result.stderr);
});

test('an interrupted run (Ctrl-C) still delivers its measurements and is marked interrupted', async () => {
  const dir = join(root, 'interrupted');
  const { result } = await runScript('interrupted', `
config:
  target: http://127.0.0.1:${server.port}
  phases:
    - duration: 60
      arrivalRate: 10
  plugins:
    rampart: {}
scenarios:
  - flow:
      - get:
          url: /api/v1/alerts/1
          name: GET /api/v1/alerts/:id
`, { RAMPART_BUNDLE_DIR: dir }, { when: /Phase started/, afterMs: 3_000 }, 130);
  const { generator, histograms } = await measurements(dir);
  assert.equal(generator.trust.trustworthy, false);
  assert.match(generator.trust.reasons[0], /the run was interrupted at .* s before its planned end/);
  assert.equal(generator.trust.reasons.length, 1, 'the part before the interruption kept to the schedule');
  const responses = sum(histograms.endpoints['GET /api/v1/alerts/:id'].map((p) => decodeHistogram(p.histogram).totalCount));
  assert.ok(responses > 0 && responses <= generator.actual.arrivals, `${responses} responses of ${generator.actual.arrivals} arrivals`);
  assert.match(result.stderr, /rampart: run NOT trustworthy: the run was interrupted/);
});
