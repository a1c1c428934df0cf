import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHistogram, encodeHistogram, latencyStats, mergeHistograms, newHistogram, recordMicros } from '../../src/core/histogram.ts';
import { analyzeEndpoints, analyzeRun, apdex, customMetrics, endpointKeyOfArtilleryName, summarizeEndpoints, summarizeHistogramFile, totalRequests } from '../../src/results/index.ts';
import { PERIOD_MS } from '../../src/core/bundle/types.ts';
import { artilleryPeriod, bundleWith, histogramFile, must, period, T0 } from './fixtures.ts';

const range = (from: number, to: number, step = 1): number[] => {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
};
const near = (actual: number, expected: number, relative = 0.001): void => {
  assert.ok(Math.abs(actual - expected) <= expected * relative, `${actual} is not within ${relative * 100}% of ${expected}`);
};

test('a histogram survives encoding and merging exactly', () => {
  const a = newHistogram();
  const b = newHistogram();
  const all = newHistogram();
  for (const v of range(100, 5_000, 7)) { recordMicros(a, v); recordMicros(all, v); }
  for (const v of range(2_000, 900_000, 113)) { recordMicros(b, v); recordMicros(all, v); }
  const decoded = decodeHistogram(encodeHistogram(a));
  assert.equal(decoded.totalCount, a.totalCount);
  assert.equal(decoded.getValueAtPercentile(90), a.getValueAtPercentile(90));

  const merged = mergeHistograms([encodeHistogram(a), b]);
  assert.equal(merged.totalCount, a.totalCount + b.totalCount);
  for (const p of [1, 25, 50, 90, 95, 99, 99.9, 100]) assert.equal(merged.getValueAtPercentile(p), all.getValueAtPercentile(p), `p${p}`);
  assert.equal(merged.minNonZeroValue, all.minNonZeroValue);
  assert.equal(merged.maxValue, all.maxValue);
});

test('values are clamped to the bundle range instead of throwing', () => {
  const h = newHistogram();
  recordMicros(h, 0);
  recordMicros(h, 500_000_000); // 500 s, beyond 120 s
  assert.equal(h.totalCount, 2);
  near(h.maxValue, 120_000_000);
});

test('latency statistics are in milliseconds with microsecond resolution', () => {
  const h = newHistogram();
  for (const v of range(101, 300)) recordMicros(h, v); // 0.101 .. 0.300 ms
  const stats = must(latencyStats(h));
  assert.equal(stats.count, 200);
  near(stats.min, 0.101);
  near(stats.p50, 0.2, 0.01);
  near(stats.max, 0.3);
  assert.ok(stats.p50 > 0 && stats.p50 < 1, 'sub-millisecond latencies do not read 0');
  assert.equal(latencyStats(newHistogram()), null);
});

test('apdex counts satisfied, tolerating and frustrated requests, errors frustrated', () => {
  const h = newHistogram();
  for (let i = 0; i < 60; i++) recordMicros(h, 50_000); // 50 ms: satisfied at T = 100 ms
  for (let i = 0; i < 30; i++) recordMicros(h, 250_000); // 250 ms: tolerating
  for (let i = 0; i < 5; i++) recordMicros(h, 900_000); // 900 ms: frustrated
  const score = must(apdex(h, 100, 5));
  assert.deepEqual({ ...score }, { tMs: 100, satisfied: 60, tolerating: 30, frustrated: 10, score: (60 + 15) / 100 });
  assert.equal(apdex(newHistogram(), 100), null);
});

test('apdex scores fast 5xx responses as frustrated, not satisfied', () => {
  const h = newHistogram();
  for (let i = 0; i < 100; i++) recordMicros(h, 2_000); // 2 ms each, all of them 503s
  const allFailed = must(apdex(h, 100, 0, 100));
  assert.deepEqual({ ...allFailed }, { tMs: 100, satisfied: 0, tolerating: 0, frustrated: 100, score: 0 });
  const someFailed = must(apdex(h, 100, 0, 25));
  assert.equal(someFailed.satisfied, 75);
  assert.equal(someFailed.frustrated, 25);
  assert.equal(someFailed.score, 0.75);
});

test('per-endpoint summaries from the plugin histograms', () => {
  const key = 'GET /api/v1/alerts/:id';
  const file = histogramFile({
    [key]: [
      period(T0 + PERIOD_MS, range(1_001, 2_000), { '200': 990, '503': 10 }, 3, { ETIMEDOUT: 2, ECONNRESET: 1 }),
      period(T0, range(1, 1_000), { '200': 1_000 }),
    ],
    'POST /api/v1/events': [period(T0, [400, 600], { '202': 1, '404': 1 })],
  });
  const bundle = bundleWith(file); // 20 s long
  const [alerts, events] = analyzeEndpoints(bundle, { apdexTMs: 1.5 });
  assert.equal(alerts.summary.endpoint, key);
  assert.equal(alerts.summary.source, 'histograms');
  assert.equal(alerts.summary.requests, 2_003);
  assert.equal(alerts.summary.responses, 2_000);
  assert.deepEqual(alerts.summary.codes, { '200': 1_990, '503': 10 });
  assert.deepEqual(alerts.summary.errors, {
    transport: 3, status4xx: 0, status5xx: 10, byKind: { 'HTTP 503': 10, ETIMEDOUT: 2, ECONNRESET: 1 },
  });
  near(alerts.summary.errorRate, 13 / 2_003, 1e-9);
  near(alerts.summary.ratePerSecond, 2_003 / 20, 1e-9);
  near(must(alerts.summary.latencyMs).p50, 1.0, 0.002);
  near(must(alerts.summary.latencyMs).max, 2.0);
  assert.equal(must(alerts.summary.apdex).satisfied, 1_490, "the ten fast 503s are frustrated, not satisfied");

  // periods come back oldest first, each with its own figures
  assert.deepEqual(alerts.periods.map((p) => [p.start, p.requests, p.errors]), [[T0, 1_000, 0], [T0 + PERIOD_MS, 1_003, 13]]);
  near(must(alerts.periods[1].latencyMs).min, 1.001);
  near(alerts.periods[0].ratePerSecond, 100, 1e-9);

  assert.equal(events.summary.errors.status4xx, 1);
  assert.equal(events.summary.errorRate, 0, '4xx is not in the error rate');
  assert.deepEqual(events.summary.errors.byKind, { 'HTTP 404': 1 });
  assert.equal(summarizeEndpoints(bundle).length, 2);
});

test('the run as a whole merges endpoints period by period; totals equal the sum of periods', () => {
  const file = histogramFile({
    'GET /a': [period(T0, [100, 200, 300], { '200': 3 }), period(T0 + PERIOD_MS, [400], { '200': 1 }, 2)],
    'GET /b': [period(T0, [5_000], { '500': 1 })],
  });
  const bundle = bundleWith(file);
  const run = analyzeRun(bundle);
  assert.equal(run.summary.endpoint, '*');
  assert.equal(run.summary.requests, 7);
  assert.deepEqual(run.periods.map((p) => [p.start, p.requests, p.responses, p.errors]), [[T0, 4, 4, 1], [T0 + PERIOD_MS, 3, 1, 2]]);
  assert.equal(run.periods.reduce((n, p) => n + p.requests, 0), run.summary.requests);
  near(must(run.summary.latencyMs).max, 5);
  assert.equal(totalRequests(bundle), 7);
});

test('without histograms.json, figures come from Artillery summaries keyed by endpoint', () => {
  const summary = { min: 1, max: 40, count: 30, mean: 5, p50: 4, median: 4, p75: 6, p90: 9, p95: 12, p99: 30, p999: 40 };
  const aggregate = artilleryPeriod({
    firstMetricAt: T0 + 1_000,
    lastMetricAt: T0 + 11_000,
    counters: {
      'http.requests': 32, 'http.responses': 30, 'http.codes.200': 28, 'http.codes.500': 2, 'errors.ECONNREFUSED': 2,
      'plugins.metrics-by-endpoint./api/v1/alerts/{{ id }} (GET /api/v1/alerts/:id).codes.200': 28,
      'plugins.metrics-by-endpoint./api/v1/alerts/{{ id }} (GET /api/v1/alerts/:id).codes.500': 2,
      'plugins.metrics-by-endpoint./api/v1/alerts/{{ id }} (GET /api/v1/alerts/:id).errors.ECONNREFUSED': 2,
    },
    summaries: {
      'http.response_time': summary,
      'plugins.metrics-by-endpoint.response_time./api/v1/alerts/{{ id }} (GET /api/v1/alerts/:id)': summary,
      'rampart.detection_latency': { ...summary, count: 3 },
    },
  });
  const intermediate = [
    artilleryPeriod({
      period: T0,
      counters: { 'plugins.metrics-by-endpoint./api/v1/alerts/{{ id }} (GET /api/v1/alerts/:id).codes.200': 28 },
      summaries: { 'plugins.metrics-by-endpoint.response_time./api/v1/alerts/{{ id }} (GET /api/v1/alerts/:id)': summary },
    }),
    artilleryPeriod({
      period: String(T0 + PERIOD_MS),
      counters: { 'plugins.metrics-by-endpoint./api/v1/alerts/{{ id }} (GET /api/v1/alerts/:id).codes.500': 2 },
    }),
  ];
  const bundle = bundleWith(null, { aggregate, intermediate });
  const [alerts] = analyzeEndpoints(bundle);
  assert.equal(alerts.summary.endpoint, 'GET /api/v1/alerts/:id');
  assert.equal(alerts.summary.source, 'artillery');
  assert.equal(alerts.summary.requests, 32);
  assert.equal(alerts.summary.errors.transport, 2);
  near(alerts.summary.errorRate, 4 / 32, 1e-9);
  near(alerts.summary.ratePerSecond, 3.2, 1e-9);
  assert.equal(must(alerts.summary.latencyMs).p95, 12);
  assert.equal(alerts.summary.apdex, null);
  assert.deepEqual(alerts.periods.map((p) => [p.start, p.requests, p.errors]), [[T0, 28, 0], [T0 + PERIOD_MS, 2, 2]]);

  const run = analyzeRun(bundle);
  assert.equal(run.summary.requests, 32);
  assert.equal(totalRequests(bundle), 32);
  const [detection] = customMetrics(bundle);
  assert.equal(detection.name, 'rampart.detection_latency');
  assert.equal(must(detection.stats).count, 3);
});

test('endpoint keys are recovered from metrics-by-endpoint names', () => {
  assert.equal(endpointKeyOfArtilleryName('/api/v1/alerts/{{ id }} (GET /api/v1/alerts/:id)'), 'GET /api/v1/alerts/:id');
  assert.equal(endpointKeyOfArtilleryName('GET /api/v1/alerts'), 'GET /api/v1/alerts');
  assert.equal(endpointKeyOfArtilleryName('/health'), '/health');
});

test('custom metrics from the plugin histograms, in ms', () => {
  const file = histogramFile({}, {
    'rampart.detection_latency': [period(T0 + PERIOD_MS, [2_000_000], {}), period(T0, [1_000_000, 1_500_000], {})],
  });
  const [metric] = customMetrics(bundleWith(file));
  assert.equal(metric.source, 'histograms');
  assert.equal(must(metric.stats).count, 3);
  near(must(metric.stats).max, 2_000);
  assert.deepEqual(metric.periods.map((p) => [p.start, p.stats.count]), [[T0, 2], [T0 + PERIOD_MS, 1]]);
});

test('one-pass statistics equal HdrHistogram\'s own percentiles and mean', () => {
  let seed = 7;
  const random = (): number => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
  for (const [n, scale] of [[1, 1_000], [7, 50], [1_000, 20_000], [20_000, 3_000_000]] as const) {
    const h = newHistogram();
    for (let i = 0; i < n; i++) recordMicros(h, 1 + Math.floor(-Math.log(1 - random()) * scale));
    const stats = must(latencyStats(h));
    const expected = [50, 75, 90, 95, 99, 99.9].map((p) => h.getValueAtPercentile(p) / 1000);
    assert.deepEqual([stats.p50, stats.p75, stats.p90, stats.p95, stats.p99, stats.p999], expected, `n=${n}`);
    near(stats.mean, h.mean / 1000, 1e-9);
    assert.equal(stats.count, n);
  }
});

test('the derived parts of a histogram file give the same figures with one decode per series', () => {
  const file = histogramFile(
    {
      'GET /a': [period(T0 + PERIOD_MS, range(900, 4_000, 3), { '200': 1_034 }), period(T0, range(100, 2_000), { '200': 1_800, '500': 101 }, 2, { ECONNRESET: 2 })],
      'GET /b': [period(T0, [5_000, 7_000], { '201': 2 }), period(T0 + 2 * PERIOD_MS, [], {}, 4, { ETIMEDOUT: 4 })],
    },
    { 'rampart.detection_latency': [period(T0, [1_000_000, 2_000_000], {})] },
  );
  const summarized = summarizeHistogramFile(file);
  assert.equal(summarized.endpoints['GET /a'][0].start, T0, 'periods sorted');
  assert.equal(must(summarized.endpoints['GET /a'][0].stats).count, 1_901);
  assert.equal(summarized.endpoints['GET /b'][1].stats, undefined, 'an errors-only period has no latency');
  assert.deepEqual(must(summarized.overall).map((p) => [p.start, p.stats?.count ?? 0, p.errors]), [[T0, 1_903, 2], [T0 + PERIOD_MS, 1_034, 0], [T0 + 2 * PERIOD_MS, 0, 4]]);
  assert.equal(decodeHistogram(must(summarized.totals).overall).totalCount, 1_903 + 1_034);

  const raw = bundleWith(file);
  const fast = bundleWith(summarized);
  assert.deepEqual(analyzeEndpoints(fast, { apdexTMs: 2 }), analyzeEndpoints(raw, { apdexTMs: 2 }));
  assert.deepEqual(analyzeRun(fast), analyzeRun(raw));
  assert.deepEqual(customMetrics(fast), customMetrics(raw));
});
