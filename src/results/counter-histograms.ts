// The measurement plugin's histograms rebuilt from its counters in Artillery's `--output` file
// (names and buckets: src/core/counters.ts). Every Artillery run carries these counters: a local
// run's artillery.json, and the file `artillery run-fargate --output` writes after adding up every
// container's periods. Counters add exactly, so the histograms rebuilt here equal those of one
// recorder that saw every request of every worker, to the buckets' 0.78% precision.
//
//   histogramsFromCounters(output)   a histogram document (HistogramFile) with its derived parts,
//                                    or null when the output holds no plugin counters
import { PERIOD_MS } from '../core/bundle/types.ts';
import type { ArtilleryOutput, ArtilleryPeriod, HistogramFile, PeriodHistogram } from '../core/bundle/types.ts';
import { withDerivedParts } from '../core/bundle/histogram-file.ts';
import { COUNTER_KINDS, COUNTER_PREFIX, histogramOfBuckets, parseCounterName } from '../core/counters.ts';
import { encodePeriod } from '../core/histogram.ts';

interface SeriesCounts {
  buckets: Map<number, number>;
  codes: Record<string, number>;
  errorKinds: Record<string, number>;
}

const emptySeries = (): SeriesCounts => ({ buckets: new Map(), codes: {}, errorKinds: {} });

/** Period start (ms) of an intermediate report, or null when it has none. */
export function periodStartOf(period: ArtilleryPeriod): number | null {
  const start = Number(period.period);
  return Number.isFinite(start) ? start - (start % PERIOD_MS) : null;
}

/** Whether an Artillery output carries the plugin's latency counters. */
export function hasPluginCounters(output: ArtilleryOutput): boolean {
  const latency = `${COUNTER_PREFIX}${COUNTER_KINDS.latency}.`;
  return Object.keys(output.aggregate.counters).some((name) => name.startsWith(latency));
}

/**
 * The plugin counters of every period, summed per period start: the periods of one output are
 * distinct, but a merged output may repeat a period when a late container's report came in
 * separately, and counts of the same period add.
 */
export function countersByPeriod(output: ArtilleryOutput): Map<number, Record<string, number>> {
  const periods = new Map<number, Record<string, number>>();
  for (const period of output.intermediate) {
    const start = periodStartOf(period);
    if (start === null) continue;
    let sum = periods.get(start);
    if (sum === undefined) periods.set(start, (sum = {}));
    for (const [name, n] of Object.entries(period.counters)) if (name.startsWith(COUNTER_PREFIX)) sum[name] = (sum[name] ?? 0) + n;
  }
  return new Map([...periods].sort(([a], [b]) => a - b));
}

function periodSeries(counters: Record<string, number>): { endpoints: Map<string, SeriesCounts>; metrics: Map<string, SeriesCounts> } {
  const endpoints = new Map<string, SeriesCounts>();
  const metrics = new Map<string, SeriesCounts>();
  const of = (map: Map<string, SeriesCounts>, key: string): SeriesCounts => {
    let series = map.get(key);
    if (series === undefined) map.set(key, (series = emptySeries()));
    return series;
  };
  for (const [name, n] of Object.entries(counters)) {
    const parsed = parseCounterName(name);
    if (parsed === null || n <= 0) continue;
    if (parsed.kind === COUNTER_KINDS.latency || parsed.kind === COUNTER_KINDS.metric) {
      const bucket = Number(parsed.field);
      if (!Number.isSafeInteger(bucket) || bucket < 1) continue;
      const series = of(parsed.kind === COUNTER_KINDS.latency ? endpoints : metrics, parsed.series);
      series.buckets.set(bucket, (series.buckets.get(bucket) ?? 0) + n);
    } else if (parsed.kind === COUNTER_KINDS.codes) {
      const series = of(endpoints, parsed.series);
      series.codes[parsed.field] = (series.codes[parsed.field] ?? 0) + n;
    } else if (parsed.kind === COUNTER_KINDS.errors) {
      const series = of(endpoints, parsed.series);
      series.errorKinds[parsed.field] = (series.errorKinds[parsed.field] ?? 0) + n;
    }
  }
  return { endpoints, metrics };
}

function encodeSeries(start: number, series: SeriesCounts): PeriodHistogram {
  const errors = Object.values(series.errorKinds).reduce((a, b) => a + b, 0);
  return encodePeriod({ start, histogram: histogramOfBuckets(series.buckets), errors, codes: series.codes, errorKinds: series.errorKinds });
}

/** The plugin's histograms from an Artillery output's counters, or null when it has none. */
export function histogramsFromCounters(output: ArtilleryOutput): HistogramFile | null {
  if (!hasPluginCounters(output)) return null;
  const endpoints: Record<string, PeriodHistogram[]> = {};
  const metrics: Record<string, PeriodHistogram[]> = {};
  for (const [start, counters] of countersByPeriod(output)) {
    const series = periodSeries(counters);
    for (const [key, counts] of series.endpoints) (endpoints[key] ??= []).push(encodeSeries(start, counts));
    for (const [name, counts] of series.metrics) (metrics[name] ??= []).push(encodeSeries(start, counts));
  }
  return withDerivedParts({ schema: 'rampart.histograms/1', unit: 'us', periodMs: PERIOD_MS, endpoints, metrics });
}
