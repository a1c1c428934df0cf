// The Artillery-summary source, for a plain `artillery run --output` file (no histograms.json):
// `plugins.metrics-by-endpoint.response_time.<name>` summaries (whole milliseconds, sketch
// percentiles) and the `.codes.<status>` / `.errors.<code>` counters per endpoint; `http.codes.*`,
// `errors.*` and `http.response_time` for the run; every summary outside Artillery's own namespaces as a custom metric.
// The run's totals are Artillery's aggregate, not a sum of its periods.
import { PERIOD_MS } from '../core/bundle/types.ts';
import type { ArtilleryOutput, ArtilleryPeriod, ArtillerySummary } from '../core/bundle/types.ts';
import type { LatencyStats } from '../core/histogram.ts';
import type { PeriodSlice, ResultsSource, SeriesFigures, SeriesTotal } from './source.ts';


/** Artillery's own metric namespaces; every other name was emitted by the user's processors. */
const ARTILLERY_NAMESPACES = ['http.', 'vusers.', 'plugins.', 'errors.', 'browser.', 'engine.', 'core.', 'ensure.', 'websocket.', 'socketio.'];

/** Whether a metric name is a custom one (a processor's ee.emit), not one of Artillery's own. */
export function isCustomMetricName(name: string): boolean {
  return !ARTILLERY_NAMESPACES.some((prefix) => name.startsWith(prefix));
}

const MBE_RESPONSE_TIME = 'plugins.metrics-by-endpoint.response_time.';
const MBE_COUNTER = /^plugins\.metrics-by-endpoint\.(.+)\.(codes|errors)\.([^.]+)$/;

const sumValues = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);

export function statsFromSummary(summary: ArtillerySummary | undefined): LatencyStats | null {
  if (summary === undefined || !(summary.count > 0)) return null;
  return {
    count: summary.count, min: summary.min, mean: summary.mean, p50: summary.p50 ?? summary.median, p75: summary.p75,
    p90: summary.p90, p95: summary.p95, p99: summary.p99, p999: summary.p999, max: summary.max,
  };
}

/**
 * The endpoint key inside a metrics-by-endpoint name: with its default settings a named request
 * reads "<url> (<name>)"; with useOnlyRequestNames it is the name itself.
 */
export function endpointKeyOfArtilleryName(name: string): string {
  const match = /^.* \(([^()]+)\)$/.exec(name);
  return match === null ? name : match[1];
}

/** The period's start (ms, aligned to PERIOD_MS), or null when Artillery gave none. */
export function artilleryPeriodStart(period: ArtilleryPeriod): number | null {
  const raw = period.period ?? period.firstMetricAt ?? period.firstCounterAt ?? period.firstHistogramAt;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  return Math.floor(value / PERIOD_MS) * PERIOD_MS;
}

const figures = (codes: Record<string, number>, errorKinds: Record<string, number>, latency: LatencyStats | null): SeriesFigures =>
  ({ responses: sumValues(codes), transport: sumValues(errorKinds), codes, errorKinds, latency });

function endpointsOf(period: ArtilleryPeriod): Map<string, SeriesFigures> {
  const found = new Map<string, { codes: Record<string, number>; kinds: Record<string, number>; latency: LatencyStats | null }>();
  const entry = (key: string): { codes: Record<string, number>; kinds: Record<string, number>; latency: LatencyStats | null } => {
    let e = found.get(key);
    if (e === undefined) found.set(key, (e = { codes: {}, kinds: {}, latency: null }));
    return e;
  };
  for (const [name, count] of Object.entries(period.counters)) {
    const match = MBE_COUNTER.exec(name);
    if (match === null || name.startsWith(MBE_RESPONSE_TIME)) continue;
    const target = entry(endpointKeyOfArtilleryName(match[1]));
    const bucket = match[2] === 'codes' ? target.codes : target.kinds;
    bucket[match[3]] = (bucket[match[3]] ?? 0) + count;
  }
  for (const [name, summary] of Object.entries(period.summaries)) {
    if (name.startsWith(MBE_RESPONSE_TIME)) entry(endpointKeyOfArtilleryName(name.slice(MBE_RESPONSE_TIME.length))).latency = statsFromSummary(summary);
  }
  return new Map([...found].map(([key, e]) => [key, figures(e.codes, e.kinds, e.latency)]));
}

function runOf(period: ArtilleryPeriod): SeriesFigures {
  const codes: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  for (const [name, count] of Object.entries(period.counters)) {
    if (name.startsWith('http.codes.')) codes[name.slice('http.codes.'.length)] = count;
    else if (name.startsWith('errors.')) kinds[name.slice('errors.'.length)] = count;
  }
  return figures(codes, kinds, statsFromSummary(period.summaries['http.response_time']));
}

const withoutHistogram = (f: SeriesFigures): SeriesTotal => ({ ...f, histogram: null });

export function artillerySource(artillery: ArtilleryOutput): ResultsSource {
  const aggregate = artillery.aggregate;
  const totals = endpointsOf(aggregate);
  const metrics = Object.keys(aggregate.summaries).filter(isCustomMetricName).sort();
  return {
    kind: 'artillery',
    periods: artillery.intermediate.length,
    endpoints: [...totals.keys()].sort(),
    metrics,
    scan(visit) {
      const periods = artillery.intermediate
        .map((period) => ({ period, start: artilleryPeriodStart(period) }))
        .filter((p): p is { period: ArtilleryPeriod; start: number } => p.start !== null)
        .sort((a, b) => a.start - b.start);
      for (const { period, start } of periods) {
        const slice: PeriodSlice = { start, run: runOf(period), endpoints: endpointsOf(period), metrics: new Map() };
        for (const name of metrics) {
          const stats = statsFromSummary(period.summaries[name]);
          if (stats !== null) slice.metrics.set(name, stats);
        }
        visit(slice);
      }
      return {
        run: withoutHistogram(runOf(aggregate)),
        endpoints: new Map([...totals].map(([key, f]) => [key, withoutHistogram(f)])),
        metrics: new Map(metrics.map((name) => [name, statsFromSummary(aggregate.summaries[name])])),
      };
    },
  };
}
