// Live progress: totals read from Artillery's 10 s console reports; the summary printed at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProgress, readProgressLine, type Progress } from '../../src/run/artillery.ts';
import { formatSummary } from '../../src/run/summary.ts';
import { outputFromConsole } from '../../src/run/console-report.ts';
import type { RunManifest } from '../../src/core/bundle/types.ts';
import { histogramFile, period, T0 } from '../results/fixtures.ts';

test('progress totals accumulate over periods; error names may contain colons', () => {
  let p: Progress = { requests: 0, errors: 0, vusersCreated: 0, vusersFailed: 0, phase: null, phasesDone: 0 };
  assert.match(formatProgress(p, 3, 2), /^3s: Artillery is starting/);
  const lines = [
    'Phase started: warm-up (index: 0, duration: 30s) 13:52:51(+0000)',
    'http.requests: ................................................................. 16',
    'vusers.created: ................................................................ 5',
    "errors.attack not detected within the probe timeout: rule 'Brute-force login': .. 2",
    'http.requests: ................................................................. 4',
    'Phase completed: warm-up (index: 0, duration: 30s) 13:53:21(+0000)',
    'vusers.failed: ................................................................. 2',
    'http.response_time:',
    '  p95: ......................................................................... 55.2',
  ];
  for (const l of lines) p = readProgressLine(p, l);
  assert.deepEqual(p, { requests: 20, errors: 2, vusersCreated: 5, vusersFailed: 2, phase: 'warm-up', phasesDone: 1 });
  assert.equal(formatProgress(p, 42.4, 2), "42s: phase 'warm-up' (2/2); so far 5 users, 20 requests, 2 errors, 2 failed users");
  assert.match(formatProgress({ ...p, phasesDone: 2 }, 60, 2), /all phases done, waiting for virtual users to finish/);
});

test('the end-of-run summary names the verdict, the custom metrics, the slowest endpoints and the bundle', () => {
  const manifest = {
    schema: 'rampart.run/1', runId: 'r1', profile: 'smoke', flows: [{ name: 'a', weight: 1 }], seed: 3, target: 'http://127.0.0.1:1',
    gitRevision: null, startedAt: '2026-01-01T00:00:00Z', endedAt: null, interrupted: true, artilleryExitCode: 130, rateScale: 1,
    durationOverride: null, phases: [], versions: { rampart: '0', artillery: '2.0.34', node: 'v22' }, host: { hostname: 'h', cpus: 2, memoryBytes: 1 },
  } satisfies RunManifest;
  const sum = (p95: number) => ({ min: 1, max: p95 * 2, count: 4, mean: p95 / 2, p50: p95 / 3, median: p95 / 3, p75: p95, p90: p95, p95, p99: p95, p999: p95 });
  const artillery = {
    aggregate: {
      counters: {
        'vusers.created': 2, 'vusers.completed': 1, 'vusers.failed': 1, 'http.requests': 10, 'http.codes.200': 9, 'http.codes.401': 1, 'plugins.expect.ok': 10, 'errors.ETIMEDOUT': 1,
        'plugins.metrics-by-endpoint.GET /api/v1/alerts.codes.200': 4,
      },
      rates: {},
      summaries: { 'http.response_time': sum(40), 'rampart.detection_latency': sum(300), 'plugins.metrics-by-endpoint.response_time.GET /api/v1/alerts': sum(80) },
    },
    intermediate: [],
  };
  const text = formatSummary({
    bundleDir: '/r/r1', manifest, generator: null, reports: ['/r/r1/report.html'], verdict: 'interrupted: partial results kept',
    bundle: { dir: '/r/r1', manifest, artillery, histograms: null, generator: null },
  });
  assert.match(text, /^run r1: profile smoke, flows a×1\n/);
  assert.match(text, /seed 3, INTERRUPTED/);
  assert.match(text, /requests 10 \(200: 9, 401: 1\)/);
  assert.match(text, /errors: ETIMEDOUT ×1/);
  assert.match(text, /threat detection latency \(client\) ms: n 4, p50 100, p95 300, max 600/);
  assert.match(text, /GET \/api\/v1\/alerts +n +4 +p95 +80\.0/);
  assert.match(text, /verdict: interrupted: partial results kept\nbundle: \/r\/r1\nreport: \/r\/r1\/report\.html\n$/);
});

test('with the plugin\'s histograms the summary prints exact sub-millisecond latencies, not Artillery\'s whole milliseconds', () => {
  const manifest = {
    schema: 'rampart.run/1', runId: 'r2', profile: 'smoke', flows: [{ name: 'a', weight: 1 }], seed: 1, target: 'http://127.0.0.1:1',
    gitRevision: null, startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:00:20Z', interrupted: false, artilleryExitCode: 0, rateScale: 1,
    durationOverride: null, phases: [], versions: { rampart: '0', artillery: '2.0.34', node: 'v22' }, host: { hostname: 'h', cpus: 2, memoryBytes: 1 },
  } satisfies RunManifest;
  const micros = Array.from({ length: 100 }, (_, i) => 200 + i); // 0.200 .. 0.299 ms: Artillery would say 0
  const histograms = histogramFile(
    { 'GET /health': [period(T0, micros, { '200': 100 })] },
    { 'rampart.detection_latency': [period(T0, [150_000, 160_000], {})] },
  );
  const artillery = {
    aggregate: { counters: { 'http.requests': 100, 'http.codes.200': 100 }, rates: {}, summaries: {}, firstMetricAt: T0, lastMetricAt: T0 + 10_000 },
    intermediate: [],
  };
  const text = formatSummary({
    bundleDir: '/r/r2', manifest, generator: null, reports: [], verdict: 'pass',
    bundle: { dir: '/r/r2', manifest, artillery, histograms, generator: null },
  });
  assert.match(text, /response time ms \(µs histograms\): p50 0\.2, /);
  assert.match(text, /threat detection latency \(client\) ms: n 2, p50 150, /);
  assert.match(text, /GET \/health +n +100 +p95 +0\.3/);
});

test('an interrupted run keeps the periods Artillery printed: exact counters and rates, no summaries', () => {
  const log = [
    'Phase started: steady (index: 1, duration: 53s) 23:59:41(+0000)',
    '--------------------------------------',
    'Metrics for period to: 23:59:50(+0000) (width: 6.486s)',
    '--------------------------------------',
    'http.codes.200: ................................................................ 3',
    'http.request_rate: ............................................................. 3/sec',
    'http.requests: ................................................................. 16',
    'http.response_time:',
    '  p95: ......................................................................... 55.2',
    'vusers.created: ................................................................ 5',
    '--------------------------------------',
    'Metrics for period to: 00:00:00(+0000) (width: 10s)',
    '--------------------------------------',
    'http.requests: ................................................................. 4',
    "errors.attack not detected: rule 'x': ..... 1",
  ].join('\n');
  const started = Date.parse('2026-11-27T23:59:30Z');
  const out = outputFromConsole(log, started);
  assert.ok(out !== null);
  assert.deepEqual(out.intermediate.map((p) => p.period), [Date.parse('2026-11-27T23:59:40Z'), Date.parse('2026-11-27T23:59:50Z')], 'across midnight');
  assert.deepEqual(out.intermediate[0].counters, { 'http.codes.200': 3, 'http.requests': 16, 'vusers.created': 5 });
  assert.deepEqual(out.intermediate[0].rates, { 'http.request_rate': 3 });
  assert.deepEqual(out.aggregate.counters, { 'http.codes.200': 3, 'http.requests': 20, 'vusers.created': 5, "errors.attack not detected: rule 'x'": 1 });
  assert.deepEqual(out.aggregate.summaries, {});
  assert.equal(outputFromConsole('Phase started: x (index: 0)', started), null, 'nothing printed yet: nothing kept');
});
