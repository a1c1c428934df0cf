// The report's model and its three pure renderers, on synthetic bundles built with hdr-histogram-js.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReportModel, PLAIN_ARTILLERY_NOTE } from '../../src/report/build.ts';
import { renderHtml } from '../../src/report/html.ts';
import { loadChartAssets } from '../../src/report/index.ts';
import { escapeHtml } from '../../src/report/escape.ts';
import { summarizeHistogramFile } from '../../src/results/index.ts';
import type { LoadedBundle } from '../../src/core/bundle/types.ts';
import { plainArtilleryBundle, syntheticBundle, syntheticGate, DEFAULT_ENDPOINTS } from './fixtures.ts';
import { histogramDocument, must } from '../results/fixtures.ts';

const assets = await loadChartAssets();
const INJECTION = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

/** One endpoint whose latencies are exactly 1, 2, ... 100 ms in one period. */
function exactBundle(): LoadedBundle {
  const bundle = syntheticBundle({ endpoints: [{ key: 'GET /health', perPeriod: 100, medianMs: 1 }], periods: 1, withMetrics: false });
  return bundle;
}

/** Deep equality in which numbers may differ by 0.1% (HDR precision at 3 significant digits). */
function assertClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof actual === 'number' && typeof expected === 'number') {
    assert.ok(Math.abs(actual - expected) <= 0.001 * Math.max(Math.abs(actual), Math.abs(expected)), `${path}: ${actual} vs ${expected}`);
  } else if (Array.isArray(actual) && Array.isArray(expected)) {
    assert.equal(actual.length, expected.length, `${path}.length`);
    actual.forEach((item, i) => {
      assertClose(item, expected[i], `${path}[${i}]`);
    });
  } else if (typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null) {
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path} keys`);
    for (const [key, value] of Object.entries(actual)) assertClose(value, (expected as Record<string, unknown>)[key], `${path}.${key}`);
  } else {
    assert.deepEqual(actual, expected, path);
  }
}

function dataBlock(html: string): unknown {
  const match = /<script type="application\/json" id="rampart-data">([^<]*)<\/script>/.exec(html);
  assert.ok(match, 'the page carries its data in one JSON script block');
  return JSON.parse(match[1]);
}

describe('report model', () => {
  it('takes per-endpoint figures from the histograms, in milliseconds', async () => {
    const { encodeMs } = await import('./fixtures.ts');
    const bundle = exactBundle();
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    histogramDocument(bundle).endpoints['GET /health'][0].histogram = encodeMs(values);
    histogramDocument(bundle).endpoints['GET /health'][0].codes = { 200: 100 };
    const model = buildReportModel(bundle);
    assert.equal(model.latencySource, 'histograms');
    assert.equal(model.endpoints.length, 1);
    const row = model.endpoints[0];
    assert.equal(row.key, 'GET /health');
    assert.equal(row.requests, 100);
    assert.equal(row.errors, 0);
    // HDR with 3 significant digits: within 0.1% of the exact order statistics
    assert.ok(Math.abs(must(row.p50) - 50) <= 0.05, `p50 ${row.p50}`);
    assert.ok(Math.abs(must(row.p90) - 90) <= 0.09, `p90 ${row.p90}`);
    assert.ok(Math.abs(must(row.p99) - 99) <= 0.1, `p99 ${row.p99}`);
    assert.ok(Math.abs(must(row.max) - 100) <= 0.1, `max ${row.max}`);
    assert.equal(row.slo, 'none');
    assert.equal(row.comparison, null);
    assert.equal(model.verdict.level, 'unjudged');
    assert.deepEqual(model.notes, []);
  });

  it('shows the same figures whether or not the histograms file carries precomputed stats', () => {
    const raw = syntheticBundle();
    const summarized = { ...raw, histograms: summarizeHistogramFile(histogramDocument(raw)) };
    assert.ok(summarized.histograms.totals !== undefined, 'the file carries derived totals');
    // equal up to the histograms' precision (3 significant digits: 0.1%)
    assertClose(buildReportModel(summarized, { gate: syntheticGate() }), buildReportModel(raw, { gate: syntheticGate() }), '$');
  });

  it('joins the gate result per endpoint and sets the verdict from it', () => {
    const model = buildReportModel(syntheticBundle(), { gate: syntheticGate() });
    assert.equal(model.verdict.level, 'fail');
    assert.match(model.verdict.headline, /1 SLO check breached; 1 endpoint slower/);
    assert.ok(model.verdict.reasons.some((r) => r.includes('POST /api/v1/events/batch p95 57.3 ms')));
    const batch = must(model.endpoints.find((e) => e.key === 'POST /api/v1/events/batch'));
    assert.equal(batch.slo, 'fail');
    assert.equal(batch.comparison?.verdict, 'SLOWER');
    assert.equal(batch.comparison.ratio, 1.24);
    // 150 responses and 1 transport error per period over 6 periods; transport errors count as errors
    assert.equal(batch.requests, 6 * 151);
    assert.equal(batch.errors, 6);
    const byId = must(model.endpoints.find((e) => e.key === 'GET /api/v1/alerts/:id'));
    assert.equal(byId.errors, 6, '5xx responses count as errors');
    assert.equal(must(model.endpoints.find((e) => e.key === 'GET /api/v1/alerts')).slo, 'pass');
  });

  it('shows the SLO status of security metrics, whose budgets the gate scopes by metric name', () => {
    const base = syntheticGate();
    const gate = syntheticGate({ slo: [...base.slo, { scope: 'rampart.detection_latency', metric: 'detectionLatencyP95', threshold: 5000, actual: 11665, unit: 'ms', passed: false }] });
    const model = buildReportModel(syntheticBundle(), { gate });
    const detection = must(model.security.find((m) => m.name === 'rampart.detection_latency'));
    assert.equal(detection.slo, 'fail');
    assert.deepEqual(detection.sloFailures, ['rampart.detection_latency detectionLatencyP95 11,665 ms (budget ≤ 5,000 ms)']);
    assert.equal(must(model.security.find((m) => m.name === 'rampart.correlation_time')).slo, 'none');
    assert.match(renderHtml(model, assets), /<tr class="row-bad"><td><span class="metric-label">Detection latency<\/span>/);
  });

  it('shows the security metrics, scenarios, codes and generator health', () => {
    const model = buildReportModel(syntheticBundle());
    assert.deepEqual(model.security.map((m) => m.label), ['Correlation time', 'Detection latency']);
    assert.equal(must(model.security.find((m) => m.label === 'Detection latency')).count, 30);
    assert.deepEqual(model.customCounters, [{ name: 'rampart.detection_timeout', count: 2 }, { name: 'rampart.probe.polls', count: 90 }]);
    assert.deepEqual(model.scenarios, [{ name: 'Analyst triage', created: 240 }, { name: 'Sensor ingest', created: 120 }]);
    assert.deepEqual(model.vusers, { created: 360, completed: 354, failed: 6, skipped: 0 });
    assert.deepEqual(model.httpCodes.map((c) => c.code), ['200', '503']);
    assert.deepEqual(model.errorsByCode, [{ code: 'ETIMEDOUT', count: 6 }]);
    assert.equal(model.generator?.periods.length, 6);
    for (const name of ['latency', 'throughput', 'errors', 'endpointP95', 'vusers', 'arrivals', 'generatorCpu', 'eventLoopDelay'] as const) {
      const chart = model.charts[name];
      assert.ok(chart !== null, `${name} chart`);
      assert.equal(chart.x.length, 6);
      for (const line of chart.lines) assert.equal(line.values.length, 6);
    }
  });

  it('marks a run whose generator fell behind as untrustworthy when no gate judged it', () => {
    const model = buildReportModel(syntheticBundle({ trustworthy: false }));
    assert.equal(model.verdict.level, 'untrustworthy');
    assert.ok(model.verdict.reasons.includes('generator CPU 99% (saturated)'));
    // the last two periods fell short; the last is partial, so one full period counts, by the plugin's rule
    assert.equal(model.generator?.periodsBelowPlan, 1);
    assert.equal(model.generator.peakWorkerUtilization, 0.99);
    assert.equal(model.generator.worstEventLoopDelayMs, 140);
    const html = renderHtml(model, assets);
    assert.match(html, /<div class="tile tile-bad"><div class="tile-value">1 \/ 4<\/div><div class="tile-label">full periods below plan<\/div><\/div>/);
    assert.match(html, /<div class="tile tile-bad"><div class="tile-value">99.0%<\/div><div class="tile-label">busiest worker event loop, peak<\/div><\/div>/);
  });

  it('counts full periods in the window the plugin judged when generator.json records it', () => {
    const bundle = syntheticBundle({ trustworthy: false });
    const generator = must(bundle.generator);
    const first = must(generator.periods[0]).start;
    const last = must(generator.periods.at(-1)).start;
    // judged from the first period's start to the last period's end: every period is full, so both
    // short periods count (the estimate from first to last arrival leaves the partial last one out)
    const model = buildReportModel({ ...bundle, generator: { ...generator, judged: { start: first, end: last + 10_000 } } });
    assert.equal(model.generator?.fullPeriods, generator.periods.length);
    assert.equal(model.generator.periodsBelowPlan, 2);
  });

  it('reads a plain Artillery output: summaries only, with the resolution caveat', async () => {
    const model = buildReportModel(await plainArtilleryBundle());
    assert.equal(model.latencySource, 'artillery');
    assert.deepEqual(model.notes, [PLAIN_ARTILLERY_NOTE]);
    assert.equal(model.generator, null);
    assert.equal(model.totals.apdex, null);
    assert.equal(model.totals.requests, 274);
    assert.deepEqual(model.endpoints.map((e) => e.key).sort(), [INJECTION, 'GET /api/v1/alerts', 'GET /api/v1/alerts/:id', 'POST /api/v1/events/batch'].sort());
    assert.equal(must(model.endpoints.find((e) => e.key === INJECTION)).errorRate, 1);
    assert.deepEqual(model.security.map((m) => m.name), ['rampart.detection_latency']);
    assert.ok(model.scenarios.some((s) => s.name === 'Sensor <b>ingest</b>'));
  });
});

describe('renderHtml', () => {
  it('is one self-contained page: the chart library inlined, no external resources', () => {
    const html = renderHtml(buildReportModel(syntheticBundle(), { gate: syntheticGate() }), assets);
    assert.ok(html.includes(assets.uplotJs), 'uPlot is inlined');
    assert.ok(html.includes(assets.uplotCss), 'its stylesheet is inlined');
    const outsideScripts = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, '');
    assert.doesNotMatch(outsideScripts, /\b(src|href)\s*=/i, 'no element loads anything');
    assert.doesNotMatch(outsideScripts, /<link\b|<iframe\b|<img\b/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
  });

  it('carries the chart data as JSON that parses back exactly', () => {
    const model = buildReportModel(syntheticBundle({ endpoints: [...DEFAULT_ENDPOINTS, { key: INJECTION, perPeriod: 10, medianMs: 3 }] }));
    const html = renderHtml(model, assets);
    const data = dataBlock(html) as { charts: unknown[] };
    assert.deepEqual(data.charts, Object.values(model.charts).filter((c) => c !== null));
    assert.ok(!html.includes('<script>window.__pwned'), 'raw markup from the run never reaches the page');
  });

  it('escapes names from the run everywhere in the markup', () => {
    const gate = syntheticGate({
      slo: [{ scope: INJECTION, metric: 'p95', threshold: 1, actual: 2, unit: 'ms', passed: false }],
      comparisons: [{ endpoint: INJECTION, verdict: 'SLOWER', ratio: 2, pValue: 0.01, detail: '"quoted" & <b>bold</b>' }],
    });
    const model = buildReportModel(syntheticBundle({ endpoints: [{ key: INJECTION, perPeriod: 10, medianMs: 3 }] }), { gate });
    const html = renderHtml(model, assets);
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '');
    assert.ok(markup.includes(escapeHtml(INJECTION)));
    assert.ok(markup.includes('&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;'));
    assert.doesNotMatch(markup, /<img|<b>|onerror="/);
  });

  it('shows the verdict, the SLO table and the generator trust', () => {
    const html = renderHtml(buildReportModel(syntheticBundle({ trustworthy: false }), { gate: syntheticGate({ outcome: 'untrustworthy', trust: { trustworthy: false, reasons: ['generator CPU 99% (saturated)'] } }) }), assets);
    assert.match(html, /class="verdict verdict-untrustworthy"/);
    assert.match(html, /UNTRUSTWORTHY/);
    assert.match(html, /generator CPU 99% \(saturated\)/);
    assert.match(html, /<h2 id="thresholds">Thresholds and results<\/h2>/);
    assert.match(html, /1 breached/);
    // breaches stay in view; the passed checks fold away
    const thresholds = html.slice(html.indexOf('id="thresholds"'), html.indexOf('id="endpoints"'));
    const parts = thresholds.split('<details class="passed-checks"><summary>3 passed checks</summary>');
    assert.equal(parts.length, 2, 'passed checks are folded in a details element');
    const [shown, folded] = parts;
    assert.equal(shown.match(/<tr class="row-bad">/g)?.length, 1);
    assert.equal(folded.match(/badge-pass/g)?.length, 3);
  });

  it('reports a run in which every request failed without a response', () => {
    const model = buildReportModel(syntheticBundle({ endpoints: [{ key: 'GET /down', perPeriod: 0, medianMs: 1, errorsPerPeriod: 5 }], periods: 2, withMetrics: false }));
    assert.equal(model.totals.requests, 10);
    assert.equal(model.totals.errorRate, 1);
    assert.equal(model.endpoints[0].p95, null);
    assert.equal(model.charts.latency, null, 'no latency line to draw');
    assert.deepEqual(model.verdict.reasons, ['10 of 10 requests failed (transport errors or 5xx).']);
    const html = renderHtml(model, assets);
    assert.match(html, /No latency figures per period\./);
    assert.match(html, /<td class="key">GET \/down<\/td><td class="num" data-v="10">10<\/td>/);
  });

  it('refuses a chart library that could close its own script element', () => {
    const model = buildReportModel(syntheticBundle());
    assert.throws(() => renderHtml(model, { uplotJs: 'var a = "</script>";', uplotCss: '', pageJs: '', pageCss: '' }), /cannot be inlined/);
    assert.throws(() => renderHtml(model, { ...assets, pageJs: '<!-- x' }), /cannot be inlined/);
    assert.throws(() => renderHtml(model, { ...assets, pageCss: 'a {} </style>' }), /cannot be inlined/);
  });

  it('inlines the page\'s own stylesheet and script, read from src/report/assets/', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'src', 'report', 'assets');
    assert.equal(assets.pageJs, await readFile(join(dir, 'report.js'), 'utf8'));
    assert.equal(assets.pageCss, await readFile(join(dir, 'report.css'), 'utf8'));
    const html = renderHtml(buildReportModel(syntheticBundle()), assets);
    assert.ok(html.includes(`<script>${assets.pageJs}</script>`));
    assert.ok(html.includes(`<style>${assets.pageCss}</style>`));
  });
});
