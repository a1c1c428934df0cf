// A bundle analysed once: every endpoint's series and summary, the run as a whole, the custom
// metrics and the time axis, from one pass over its periods (the source streams them, so memory
// grows with the figures kept, not with the size of histograms.json). Every command that reads a
// bundle calls analyzeBundle once and hands the result on (the gate to the report).
import { PERIOD_MS } from '../core/bundle/types.ts';
import type { LoadedBundle } from '../core/bundle/types.ts';
import { DEFAULT_APDEX_T_MS } from './apdex.ts';
import { MetricSeries } from './custom-metrics.ts';
import type { CustomMetric } from './custom-metrics.ts';
import { periodPoint, seriesSummary } from './endpoints.ts';
import type { EndpointAnalysis, PeriodPoint } from './endpoints.ts';
import { resultsSource } from './source.ts';
import { SeriesColumns } from './columns.ts';
import type { FigureSource } from './source.ts';

export interface AnalysisOptions {
  /** Apdex threshold T in ms (default 100). */
  apdexTMs?: number;
}

export interface BundleAnalysis {
  source: FigureSource;
  apdexTMs: number;
  /** length of the run for rates (see runDurationSeconds) */
  durationSeconds: number;
  /** every period start (ms) with data, oldest first: the x axis for charts */
  periodStarts: number[];
  /** one per endpoint key, sorted by key */
  endpoints: EndpointAnalysis[];
  /** all endpoints together (endpoint '*') */
  run: EndpointAnalysis;
  /** sorted by name */
  metrics: CustomMetric[];
}

/**
 * Length of the run in seconds for rates: Artillery's first to last metric when known, else the
 * span of the periods with data, else 0.
 */
export function runDurationSeconds(bundle: LoadedBundle, periodStarts: readonly number[]): number {
  const { firstMetricAt, lastMetricAt } = bundle.artillery.aggregate;
  if (typeof firstMetricAt === 'number' && typeof lastMetricAt === 'number' && lastMetricAt > firstMetricAt) {
    return (lastMetricAt - firstMetricAt) / 1000;
  }
  if (periodStarts.length > 0) return (periodStarts[periodStarts.length - 1] - periodStarts[0] + PERIOD_MS) / 1000;
  return 0;
}

/**
 * An endpoint's analysis whose `periods` are made from the compact columns on each access (an own,
 * enumerable property, so comparisons and JSON see it): keep the array if you read it twice.
 */
function endpointAnalysis(summary: EndpointAnalysis['summary'], columns: SeriesColumns): EndpointAnalysis {
  columns.trim();
  const analysis = { summary } as EndpointAnalysis;
  Object.defineProperty(analysis, 'periods', { enumerable: true, get: () => columns.points(PERIOD_MS / 1000) });
  Object.defineProperty(analysis, 'columns', { enumerable: false, value: columns });
  return analysis;
}

export function analyzeBundle(bundle: LoadedBundle, options: AnalysisOptions = {}): BundleAnalysis {
  const apdexTMs = options.apdexTMs ?? DEFAULT_APDEX_T_MS;
  const source = resultsSource(bundle);
  const series = new Map<string, SeriesColumns>(source.endpoints.map((key) => [key, new SeriesColumns(source.periods)]));
  const runPeriods: PeriodPoint[] = [];
  const periodStarts: number[] = [];
  const metrics = new MetricSeries(source.metrics);
  const totals = source.scan((period) => {
    if (period.run !== null) {
      runPeriods.push(periodPoint(period.start, period.run));
      if (periodStarts[periodStarts.length - 1] !== period.start) periodStarts.push(period.start);
    }
    for (const [key, figures] of period.endpoints) series.get(key)?.push(period.start, figures);
    metrics.add(period.start, period.metrics);
  });
  const durationSeconds = runDurationSeconds(bundle, periodStarts);
  const endpoints = [...series].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, columns]) => {
    const total = totals.endpoints.get(key) ?? { responses: 0, transport: 0, codes: {}, errorKinds: {}, latency: null, histogram: null };
    return endpointAnalysis(seriesSummary(key, source.kind, total, durationSeconds, apdexTMs), columns);
  });
  return {
    source: source.kind,
    apdexTMs,
    durationSeconds,
    periodStarts,
    endpoints,
    run: { summary: seriesSummary('*', source.kind, totals.run, durationSeconds, apdexTMs), periods: runPeriods },
    metrics: metrics.result(source.kind, totals.metrics),
  };
}
