// Pure figures over a LoadedBundle: per-endpoint summaries, per-period series, custom metrics and
// apdex. Nothing here reads files, prints or exits.
//
// Source of truth: the measurement plugin's histograms.json (exact HDR histograms in µs, mergeable).
// A bundle without it (a plain `artillery run --output` file) falls back to Artillery's own
// summaries: `plugins.metrics-by-endpoint.response_time.<name>` (whole milliseconds, sketch
// percentiles) and the `.codes.<status>` / `.errors.<code>` counters. Every result says which
// source it came from, so a reader can tell exact figures from approximate ones.
// Speed: a histogram file with its derived parts (per-period `stats`, `overall`, `totals`; the
// plugin writes them, summarizeHistogramFile adds them) costs one decode per series; without them,
// every period is decoded once (tens of seconds for a two-hour, 40-endpoint run).
//
// Conventions
// - Latency figures are reported in milliseconds (fractional: histograms hold µs).
// - requests = responses + transport errors (a request that got no response).
// - errorRate = (transport errors + 5xx responses) / requests. 4xx responses are counted in
//   errors.status4xx and errors.byKind but not in errorRate: flows send some 4xx on purpose
//   (bad credentials, missing records). Callers who want them can add errors.status4xx.
// - Periods are Artillery's 10 s wall-clock windows; a period's rate is its requests / 10 s, so the
//   first and last periods of a run (partial) read low. Use `requests` as their weight.
import { decodeHistogram, encodeHistogram, latencyStats, mergeHistograms, newHistogram } from '../core/histogram.ts';
import type { Histogram, LatencyStats } from '../core/histogram.ts';
import { PERIOD_MS } from '../core/bundle/types.ts';
import type { ArtilleryPeriod, ArtillerySummary, HistogramFile, LatencySummary, LoadedBundle, PeriodHistogram } from '../core/bundle/types.ts';

function statsFromSummary(summary: ArtillerySummary | undefined): LatencyStats | null {
  if (summary === undefined || !(summary.count > 0)) return null;
  return {
    count: summary.count,
    min: summary.min,
    mean: summary.mean,
    p50: summary.p50 ?? summary.median,
    p75: summary.p75,
    p90: summary.p90,
    p95: summary.p95,
    p99: summary.p99,
    p999: summary.p999,
    max: summary.max,
  };
}

export interface ApdexScore {
  tMs: number;
  score: number; // (satisfied + tolerating / 2) / total, 0..1
  satisfied: number; // latency <= T
  tolerating: number; // T < latency <= 4T
  frustrated: number; // latency > 4T, plus transport errors
}

/**
 * Apdex with threshold T (ms) from a µs histogram. Failed requests are frustrated however fast they
 * were: transport errors (not in the histogram) and 5xx responses (in it, without their own
 * distribution — they are taken out of the satisfied count first, then the tolerating one, since a
 * failing endpoint usually fails fast). Bucket boundaries follow the histogram's precision (0.1%).
 * Null when there is nothing to score.
 */
export function apdex(histogram: Histogram, tMs: number, transportErrors = 0, serverErrors = 0): ApdexScore | null {
  const total = histogram.totalCount + transportErrors;
  if (total === 0) return null;
  const t = tMs * 1000;
  let satisfied = 0;
  let tolerating = 0;
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    const value = histogram.lowestEquivalentValue(step.valueIteratedTo);
    if (value <= t) satisfied += step.countAddedInThisIterationStep;
    else if (value <= 4 * t) tolerating += step.countAddedInThisIterationStep;
  }
  const fromSatisfied = Math.min(serverErrors, satisfied);
  satisfied -= fromSatisfied;
  tolerating -= Math.min(serverErrors - fromSatisfied, tolerating);
  const frustrated = total - satisfied - tolerating;
  return { tMs, score: (satisfied + tolerating / 2) / total, satisfied, tolerating, frustrated };
}

export interface ErrorBreakdown {
  transport: number; // requests that got no response
  status4xx: number;
  status5xx: number;
  /** transport error codes (ETIMEDOUT, ECONNREFUSED, ...) and 'HTTP <status>' for 4xx/5xx */
  byKind: Record<string, number>;
}

export interface PeriodPoint {
  start: number; // ms since epoch, multiple of PERIOD_MS
  requests: number;
  responses: number;
  errors: number; // transport errors + 5xx
  codes: Record<string, number>;
  ratePerSecond: number; // requests / 10 s
  latencyMs: LatencyStats | null;
}

export type FigureSource = 'histograms' | 'artillery';

export interface EndpointSummary {
  endpoint: string; // endpoint key, '*' for all endpoints together
  source: FigureSource;
  requests: number;
  responses: number;
  codes: Record<string, number>;
  errors: ErrorBreakdown;
  errorRate: number; // (transport + 5xx) / requests; 0 when there were no requests
  ratePerSecond: number; // requests / run duration
  latencyMs: LatencyStats | null;
  apdex: ApdexScore | null; // null from Artillery summaries (no distribution to score)
}

export interface EndpointAnalysis {
  summary: EndpointSummary;
  periods: PeriodPoint[]; // oldest first; only periods with data
}

export interface AggregateOptions {
  /** Apdex threshold T in ms (default 100). */
  apdexTMs?: number;
}

export const DEFAULT_APDEX_T_MS = 100;

const sumValues = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);

function addInto(target: Record<string, number>, source: Record<string, number> | undefined): void {
  if (source === undefined) return;
  for (const [key, count] of Object.entries(source)) target[key] = (target[key] ?? 0) + count;
}

function breakdown(codes: Record<string, number>, transportKinds: Record<string, number>, transport: number): ErrorBreakdown {
  const byKind: Record<string, number> = {};
  let status4xx = 0;
  let status5xx = 0;
  for (const [code, count] of Object.entries(codes)) {
    const status = Number(code);
    if (status >= 400 && status < 500) status4xx += count;
    if (status >= 500) status5xx += count;
    if (status >= 400) byKind[`HTTP ${code}`] = count;
  }
  addInto(byKind, transportKinds);
  const named = sumValues(transportKinds);
  if (transport > named) byKind['transport (unknown)'] = transport - named;
  return { transport: Math.max(transport, named), status4xx, status5xx, byKind };
}

const count5xx = (codes: Record<string, number>): number =>
  Object.entries(codes).reduce((n, [code, count]) => (Number(code) >= 500 ? n + count : n), 0);

/**
 * Length of the run in seconds for rates: Artillery's first to last metric when known, else the
 * span of the plugin's periods, else the number of Artillery periods times 10 s.
 */
export function runDurationSeconds(bundle: LoadedBundle): number {
  const { firstMetricAt, lastMetricAt } = bundle.artillery.aggregate;
  if (typeof firstMetricAt === 'number' && typeof lastMetricAt === 'number' && lastMetricAt > firstMetricAt) {
    return (lastMetricAt - firstMetricAt) / 1000;
  }
  const starts = periodStarts(bundle);
  if (starts.length > 0) return (starts[starts.length - 1] - starts[0] + PERIOD_MS) / 1000;
  return 0;
}

function artilleryPeriodStart(period: ArtilleryPeriod): number | null {
  const raw = period.period ?? period.firstMetricAt ?? period.firstCounterAt ?? period.firstHistogramAt;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  return Math.floor(value / PERIOD_MS) * PERIOD_MS;
}

/** Every period start (ms) that has data, oldest first: the x axis for charts. */
export function periodStarts(bundle: LoadedBundle): number[] {
  const starts = new Set<number>();
  if (bundle.histograms !== null) {
    for (const periods of Object.values(bundle.histograms.endpoints)) for (const p of periods) starts.add(p.start);
  } else {
    for (const period of bundle.artillery.intermediate) {
      const start = artilleryPeriodStart(period);
      if (start !== null) starts.add(start);
    }
  }
  return [...starts].sort((a, b) => a - b);
}

// ---------- from the plugin's histograms ----------

interface DecodedPeriod {
  start: number;
  histogram: Histogram;
  errors: number;
  codes: Record<string, number>;
  errorKinds?: Record<string, number>;
}

const byStart = (a: { start: number }, b: { start: number }): number => a.start - b.start;

function point(start: number, responses: number, errors: number, codes: Record<string, number>, latencyMs: LatencyStats | null): PeriodPoint {
  const requests = responses + errors;
  return { start, requests, responses, errors: errors + count5xx(codes), codes: { ...codes }, ratePerSecond: requests / (PERIOD_MS / 1000), latencyMs };
}

/** True when every period carries its precomputed stats (or has no responses) and a total is known. */
function precomputed(periods: PeriodHistogram[], total: string | undefined): total is string {
  return total !== undefined && periods.every((p) => p.stats !== undefined || sumValues(p.codes ?? {}) === 0);
}

/**
 * A series of periods (oldest first after sorting) -> its series and summary. Uses the stored
 * per-period stats and run total when present (one decode in all), else decodes each period once.
 */
function analyseSeries(endpoint: string, periods: PeriodHistogram[], total: string | undefined, durationSeconds: number, tMs: number): EndpointAnalysis {
  const sorted = [...periods].sort(byStart);
  const codes: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  let transport = 0;
  for (const period of sorted) {
    addInto(codes, period.codes);
    addInto(kinds, period.errorKinds);
    transport += period.errors;
  }
  if (precomputed(sorted, total)) {
    const points = sorted.map((p) => point(p.start, p.stats?.count ?? 0, p.errors, p.codes ?? {}, p.stats ?? null));
    return { summary: summaryFrom(endpoint, 'histograms', decodeHistogram(total), codes, kinds, transport, durationSeconds, tMs), periods: points };
  }
  return analyseDecoded(endpoint, sorted.map((p) => ({ start: p.start, histogram: decodeHistogram(p.histogram), errors: p.errors, codes: p.codes ?? {}, errorKinds: p.errorKinds })), durationSeconds, tMs);
}

/** Periods already decoded (oldest first): their series and, merged, the summary. */
function analyseDecoded(endpoint: string, periods: DecodedPeriod[], durationSeconds: number, tMs: number): EndpointAnalysis {
  const total = newHistogram();
  const codes: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  let transport = 0;
  const points: PeriodPoint[] = [];
  for (const period of periods) {
    total.add(period.histogram);
    addInto(codes, period.codes);
    addInto(kinds, period.errorKinds);
    transport += period.errors;
    points.push(point(period.start, period.histogram.totalCount, period.errors, period.codes, latencyStats(period.histogram)));
  }
  return { summary: summaryFrom(endpoint, 'histograms', total, codes, kinds, transport, durationSeconds, tMs), periods: points };
}

/** All endpoints merged per period, decoded (for files without `overall`). */
function mergeEndpointsByPeriod(file: HistogramFile): DecodedPeriod[] {
  const slots = new Map<number, DecodedPeriod>();
  for (const periods of Object.values(file.endpoints)) {
    for (const period of periods) {
      let slot = slots.get(period.start);
      if (slot === undefined) {
        slot = { start: period.start, histogram: newHistogram(), errors: 0, codes: {}, errorKinds: {} };
        slots.set(period.start, slot);
      }
      slot.histogram.add(decodeHistogram(period.histogram));
      slot.errors += period.errors;
      addInto(slot.codes, period.codes);
      addInto(slot.errorKinds!, period.errorKinds);
    }
  }
  return [...slots.values()].sort(byStart);
}

function encodePeriod(period: DecodedPeriod): PeriodHistogram {
  const out: PeriodHistogram = { start: period.start, histogram: encodeHistogram(period.histogram), errors: period.errors, codes: period.codes };
  const stats = latencyStats(period.histogram);
  if (stats !== null) out.stats = stats;
  if (period.errors > 0 && period.errorKinds !== undefined) out.errorKinds = period.errorKinds;
  return out;
}

/**
 * Adds the derived parts to a histogram file: per-period `stats`, `overall` (all endpoints merged
 * per period) and `totals` (each series merged over the run). Readers then decode one histogram
 * per series instead of every period. The measurement plugin calls this when it writes
 * histograms.json; anyone producing a histogram file (a synthetic bundle) can too.
 */
export function summarizeHistogramFile(file: HistogramFile): HistogramFile {
  const section = (series: Record<string, PeriodHistogram[]>): { periods: Record<string, PeriodHistogram[]>; totals: Record<string, string> } => {
    const periods: Record<string, PeriodHistogram[]> = {};
    const totals: Record<string, string> = {};
    for (const [key, list] of Object.entries(series)) {
      const total = newHistogram();
      periods[key] = [...list].sort(byStart).map((p) => {
        const histogram = decodeHistogram(p.histogram);
        total.add(histogram);
        const stats = latencyStats(histogram);
        const { stats: _old, ...rest } = p;
        return stats === null ? rest : { ...rest, stats };
      });
      totals[key] = encodeHistogram(total);
    }
    return { periods, totals };
  };
  const endpoints = section(file.endpoints);
  const metrics = section(file.metrics);
  const overallDecoded = mergeEndpointsByPeriod(file);
  const overallTotal = newHistogram();
  for (const period of overallDecoded) overallTotal.add(period.histogram);
  return {
    schema: file.schema,
    unit: file.unit,
    periodMs: file.periodMs,
    endpoints: endpoints.periods,
    metrics: metrics.periods,
    overall: overallDecoded.map(encodePeriod),
    totals: { overall: encodeHistogram(overallTotal), endpoints: endpoints.totals, metrics: metrics.totals },
  };
}

function summaryFrom(
  endpoint: string,
  source: FigureSource,
  histogram: Histogram,
  codes: Record<string, number>,
  kinds: Record<string, number>,
  transport: number,
  durationSeconds: number,
  tMs: number,
): EndpointSummary {
  const errors = breakdown(codes, kinds, transport);
  const responses = histogram.totalCount;
  const requests = responses + errors.transport;
  return {
    endpoint,
    source,
    requests,
    responses,
    codes,
    errors,
    errorRate: requests === 0 ? 0 : (errors.transport + errors.status5xx) / requests,
    ratePerSecond: durationSeconds > 0 ? requests / durationSeconds : 0,
    latencyMs: latencyStats(histogram),
    apdex: apdex(histogram, tMs, errors.transport, errors.status5xx),
  };
}

// ---------- from Artillery's summaries (no histograms.json) ----------

const MBE = 'plugins.metrics-by-endpoint.';
const MBE_RESPONSE_TIME = `${MBE}response_time.`;
const MBE_COUNTER = /^plugins\.metrics-by-endpoint\.(.+)\.(codes|errors)\.([^.]+)$/;

/**
 * The endpoint key inside a metrics-by-endpoint name: with its default settings a named request
 * reads "<url> (<name>)"; with useOnlyRequestNames it is the name itself.
 */
export function endpointKeyOfArtilleryName(name: string): string {
  const match = /^.* \(([^()]+)\)$/.exec(name);
  return match === null ? name : match[1];
}

interface ArtilleryEndpointPeriod {
  codes: Record<string, number>;
  kinds: Record<string, number>;
  latency: LatencyStats | null;
}

function artilleryEndpoints(period: ArtilleryPeriod): Map<string, ArtilleryEndpointPeriod> {
  const endpoints = new Map<string, ArtilleryEndpointPeriod>();
  const entry = (key: string): ArtilleryEndpointPeriod => {
    let found = endpoints.get(key);
    if (found === undefined) {
      found = { codes: {}, kinds: {}, latency: null };
      endpoints.set(key, found);
    }
    return found;
  };
  for (const [name, count] of Object.entries(period.counters)) {
    const match = MBE_COUNTER.exec(name);
    if (match === null || name.startsWith(MBE_RESPONSE_TIME)) continue;
    const target = entry(endpointKeyOfArtilleryName(match[1]));
    const bucket = match[2] === 'codes' ? target.codes : target.kinds;
    bucket[match[3]] = (bucket[match[3]] ?? 0) + count;
  }
  for (const [name, summary] of Object.entries(period.summaries)) {
    if (!name.startsWith(MBE_RESPONSE_TIME)) continue;
    entry(endpointKeyOfArtilleryName(name.slice(MBE_RESPONSE_TIME.length))).latency = statsFromSummary(summary);
  }
  return endpoints;
}

function allEndpointsOfArtilleryPeriod(period: ArtilleryPeriod): ArtilleryEndpointPeriod {
  const codes: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  for (const [name, count] of Object.entries(period.counters)) {
    if (name.startsWith('http.codes.')) codes[name.slice('http.codes.'.length)] = count;
    else if (name.startsWith('errors.')) kinds[name.slice('errors.'.length)] = count;
  }
  return { codes, kinds, latency: statsFromSummary(period.summaries['http.response_time']) };
}

function artillerySummary(endpoint: string, data: ArtilleryEndpointPeriod, durationSeconds: number): EndpointSummary {
  const responses = sumValues(data.codes);
  const transport = sumValues(data.kinds);
  const errors = breakdown(data.codes, data.kinds, transport);
  const requests = responses + transport;
  return {
    endpoint,
    source: 'artillery',
    requests,
    responses,
    codes: data.codes,
    errors,
    errorRate: requests === 0 ? 0 : (transport + errors.status5xx) / requests,
    ratePerSecond: durationSeconds > 0 ? requests / durationSeconds : 0,
    latencyMs: data.latency,
    apdex: null,
  };
}

function artilleryPoint(start: number, data: ArtilleryEndpointPeriod): PeriodPoint {
  const responses = sumValues(data.codes);
  const transport = sumValues(data.kinds);
  return {
    start,
    requests: responses + transport,
    responses,
    errors: transport + count5xx(data.codes),
    codes: data.codes,
    ratePerSecond: (responses + transport) / (PERIOD_MS / 1000),
    latencyMs: data.latency,
  };
}

// ---------- public entry points ----------

/**
 * Per-endpoint summary and per-period series for every endpoint key, sorted by key. With the
 * derived parts of histograms.json (summarizeHistogramFile) this decodes one histogram per
 * endpoint; without them, each period's histogram once.
 */
export function analyzeEndpoints(bundle: LoadedBundle, options: AggregateOptions = {}): EndpointAnalysis[] {
  const tMs = options.apdexTMs ?? DEFAULT_APDEX_T_MS;
  const duration = runDurationSeconds(bundle);
  if (bundle.histograms !== null) {
    const file = bundle.histograms;
    return Object.keys(file.endpoints)
      .sort()
      .map((key) => analyseSeries(key, file.endpoints[key], file.totals?.endpoints[key], duration, tMs));
  }
  const totals = artilleryEndpoints(bundle.artillery.aggregate);
  const series = new Map<string, PeriodPoint[]>();
  for (const period of bundle.artillery.intermediate) {
    const start = artilleryPeriodStart(period);
    if (start === null) continue;
    for (const [key, data] of artilleryEndpoints(period)) {
      const list = series.get(key) ?? [];
      list.push(artilleryPoint(start, data));
      series.set(key, list);
    }
  }
  return [...totals.keys()].sort().map((key) => ({
    summary: artillerySummary(key, totals.get(key)!, duration),
    periods: (series.get(key) ?? []).sort((a, b) => a.start - b.start),
  }));
}

/** Per-endpoint summaries only (see analyzeEndpoints). */
export function summarizeEndpoints(bundle: LoadedBundle, options: AggregateOptions = {}): EndpointSummary[] {
  return analyzeEndpoints(bundle, options).map((analysis) => analysis.summary);
}

/** The run as a whole (endpoint '*'): all endpoints merged, in total and per period. */
export function analyzeRun(bundle: LoadedBundle, options: AggregateOptions = {}): EndpointAnalysis {
  const tMs = options.apdexTMs ?? DEFAULT_APDEX_T_MS;
  const duration = runDurationSeconds(bundle);
  if (bundle.histograms !== null) {
    const file = bundle.histograms;
    if (file.overall !== undefined && precomputed(file.overall, file.totals?.overall)) {
      return analyseSeries('*', file.overall, file.totals?.overall, duration, tMs);
    }
    return analyseDecoded('*', mergeEndpointsByPeriod(file), duration, tMs);
  }
  const points: PeriodPoint[] = [];
  for (const period of bundle.artillery.intermediate) {
    const start = artilleryPeriodStart(period);
    if (start !== null) points.push(artilleryPoint(start, allEndpointsOfArtilleryPeriod(period)));
  }
  return {
    summary: artillerySummary('*', allEndpointsOfArtilleryPeriod(bundle.artillery.aggregate), duration),
    periods: points.sort((a, b) => a.start - b.start),
  };
}

export interface MetricPeriod {
  start: number;
  stats: LatencyStats; // values in ms
}

export interface CustomMetric {
  name: string; // e.g. 'rampart.detection_latency'
  source: FigureSource;
  stats: LatencyStats | null; // in ms
  periods: MetricPeriod[];
}

/** Prefix of custom metrics recorded by processors (ee.emit('histogram', 'rampart.<name>', ms)). */
export const CUSTOM_METRIC_PREFIX = 'rampart.';

/**
 * Custom latency metrics (detection latency, correlation time, ...), sorted by name: from the
 * plugin's histograms, or else Artillery's summaries whose names start with 'rampart.'.
 */
export function customMetrics(bundle: LoadedBundle): CustomMetric[] {
  if (bundle.histograms !== null) {
    const file = bundle.histograms;
    return Object.keys(file.metrics)
      .sort()
      .map((name) => {
        const periods = [...file.metrics[name]].sort(byStart);
        const total = file.totals?.metrics[name];
        if (total !== undefined && periods.every((p) => p.stats !== undefined)) {
          return { name, source: 'histograms' as const, stats: latencyStats(decodeHistogram(total)), periods: periods.map((p) => ({ start: p.start, stats: p.stats! })) };
        }
        const merged = newHistogram();
        const points: MetricPeriod[] = [];
        for (const period of periods) {
          const histogram = decodeHistogram(period.histogram);
          merged.add(histogram);
          const stats = latencyStats(histogram);
          if (stats !== null) points.push({ start: period.start, stats });
        }
        return { name, source: 'histograms' as const, stats: latencyStats(merged), periods: points };
      });
  }
  const names = Object.keys(bundle.artillery.aggregate.summaries).filter((name) => name.startsWith(CUSTOM_METRIC_PREFIX)).sort();
  return names.map((name) => {
    const periods: MetricPeriod[] = [];
    for (const period of bundle.artillery.intermediate) {
      const start = artilleryPeriodStart(period);
      const stats = statsFromSummary(period.summaries[name]);
      if (start !== null && stats !== null) periods.push({ start, stats });
    }
    return { name, source: 'artillery' as const, stats: statsFromSummary(bundle.artillery.aggregate.summaries[name]), periods: periods.sort((a, b) => a.start - b.start) };
  });
}

/** Total requests of the run (responses + transport errors), without decoding any histogram. */
export function totalRequests(bundle: LoadedBundle): number {
  if (bundle.histograms !== null) {
    let total = 0;
    for (const periods of Object.values(bundle.histograms.endpoints)) {
      for (const period of periods) total += sumValues(period.codes ?? {}) + period.errors;
    }
    return total;
  }
  const counters = bundle.artillery.aggregate.counters;
  const responses = counters['http.responses'] ?? sumValues(allEndpointsOfArtilleryPeriod(bundle.artillery.aggregate).codes);
  return responses + sumValues(allEndpointsOfArtilleryPeriod(bundle.artillery.aggregate).kinds);
}
