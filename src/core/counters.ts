// The measurement plugin's counters: its exact measurements as Artillery counters, the one channel
// every Artillery run already carries from its workers to its output — worker threads to the main
// thread locally, and run-fargate's containers to the CLI, which adds each period's counters up.
// Counters merge exactly (they add), so histograms rebuilt from them are exact merges, however many
// workers and containers recorded them. The plugin emits them (plugins/rampart/hooks.ts); the
// results stage reads them from Artillery's `--output` file (src/results/counter-histograms.ts).
//
// Names (all under `plugins.rampart.`, which Artillery's console hides with the plugin option
// `suppressOutput: true`):
//   plugins.rampart.h.<endpoint key>.<bucket>   responses whose latency fell in the bucket
//   plugins.rampart.c.<endpoint key>.<status>   responses by status code
//   plugins.rampart.e.<endpoint key>.<kind>     transport errors (no response) by kind (ECONNREFUSED...)
//   plugins.rampart.m.<metric name>.<bucket>    custom metrics (`rampart.*`, ms values), bucketed in µs
//   plugins.rampart.a.<generator>.<epoch second>  arrivals (virtual users started) in that second by
//                                               one load generator (an Artillery process: host-pid)
//   plugins.rampart.w.<worker>.busy_us          a worker thread's event loop: busy µs in the period
//   plugins.rampart.w.<worker>.sampled_us       ... and µs sampled (busy / sampled = utilisation)
// The last dot separates the field; endpoint keys and worker ids may contain anything else.
//
// Buckets: log-linear, fixed, the layout of an HDR histogram with 128 sub-buckets per power of two
// (2 significant digits). A bucket is named by its lowest value in µs: below 256 µs every µs is its
// own bucket; from 2^k (k >= 8) up to 2^(k+1) buckets are 2^(k-7) µs wide. A bucket's width is at
// most 1/128 of its values (0.78%), so any latency is known to within 0.78%. Every bucket is a union
// of whole buckets of the bundle's 3-digit histograms (src/core/histogram.ts), so a 3-digit
// histogram coarsens into these buckets exactly (coarsen below).
import { HISTOGRAM_SETTINGS } from './bundle/types.ts';
import { newHistogram } from './histogram.ts';
import type { Histogram } from './histogram.ts';

export const COUNTER_PREFIX = 'plugins.rampart.';

export const COUNTER_KINDS = {
  latency: 'h',
  codes: 'c',
  errors: 'e',
  metric: 'm',
  arrivals: 'a',
  worker: 'w',
} as const;

export type CounterKind = (typeof COUNTER_KINDS)[keyof typeof COUNTER_KINDS];

const SUB_BUCKET_BITS = 7;
/** Sub-buckets per power of two (128); the relative width of a bucket is at most 1 / SUB_BUCKETS. */
export const SUB_BUCKETS = 2 ** SUB_BUCKET_BITS;
const LINEAR_BELOW = 2 * SUB_BUCKETS; // 256 µs: one bucket per µs below this

/** The bucket (its lowest value, µs) of a latency in µs, clamped like the bundle's histograms. */
export function bucketOf(micros: number): number {
  const value = micros < 1 ? 1 : micros > HISTOGRAM_SETTINGS.highestTrackableValue ? HISTOGRAM_SETTINGS.highestTrackableValue : Math.round(micros);
  if (value < LINEAR_BELOW) return value;
  const width = bucketWidthAt(value);
  return value - (value % width);
}

function bucketWidthAt(value: number): number {
  if (value < LINEAR_BELOW) return 1;
  return 2 ** (31 - Math.clz32(value) - SUB_BUCKET_BITS); // values stay below 2^31 (120 s in µs)
}

/** The highest value (µs) of the bucket whose lowest value is `bucket`. */
export function bucketHighest(bucket: number): number {
  return bucket + bucketWidthAt(bucket) - 1;
}

/** The counter name for one field of one series, e.g. counterName('h', 'GET /a', 12288). */
export function counterName(kind: CounterKind, series: string, field: string | number): string {
  return `${COUNTER_PREFIX}${kind}.${series}.${String(field)}`;
}

/** The arrivals counter of one load generator in one second (seconds since the epoch). */
export function arrivalCounterName(generator: string, second: number): string {
  return counterName(COUNTER_KINDS.arrivals, generator, second);
}

export interface ParsedCounter {
  kind: CounterKind;
  series: string;
  field: string;
}

const KINDS = new Set<string>(Object.values(COUNTER_KINDS));

/** A plugin counter's parts, or null for any other counter (Artillery's own, other plugins'). */
export function parseCounterName(name: string): ParsedCounter | null {
  if (!name.startsWith(COUNTER_PREFIX)) return null;
  const kind = name.slice(COUNTER_PREFIX.length, COUNTER_PREFIX.length + 1);
  if (!KINDS.has(kind) || name[COUNTER_PREFIX.length + 1] !== '.') return null;
  const rest = name.slice(COUNTER_PREFIX.length + 2);
  const dot = rest.lastIndexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return null;
  return { kind: kind as CounterKind, series: rest.slice(0, dot), field: rest.slice(dot + 1) };
}

/**
 * A 3-digit histogram (the bundle's layout) holding each bucket's count at the bucket's highest
 * value: its percentiles are bucket highs, as HDR histograms report theirs.
 */
export function histogramOfBuckets(buckets: Iterable<[number, number]>): Histogram {
  const histogram = newHistogram();
  for (const [bucket, count] of buckets) if (count > 0) histogram.recordValueWithCount(bucketHighest(bucket), count);
  return histogram;
}

/** A 3-digit histogram's counts in these buckets (exact: each of its buckets lies in one of these). */
export function coarsen(histogram: Histogram): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < histogram.countsArrayLength; i++) {
    const count = histogram.getCountAtIndex(i);
    if (count === 0) continue;
    const bucket = bucketOf(histogram.valueFromIndex(i));
    out.set(bucket, (out.get(bucket) ?? 0) + count);
  }
  return out;
}
