// The bundle's histogram codec and latency percentiles, shared by the measurement plugin (on its
// hot path) and every stage that reads histograms. Values are microseconds; HISTOGRAM_SETTINGS
// (bundle/types.ts) fixes the bucket layout so that any two histograms merge exactly by adding.
import hdr from 'hdr-histogram-js';
import type { JsHistogram } from 'hdr-histogram-js';
import { HISTOGRAM_SETTINGS } from './bundle/types.ts';
import type { LatencySummary, PeriodHistogram } from './bundle/types.ts';

export type Histogram = JsHistogram;

/** An empty histogram with the bundle's settings (µs, 1 µs .. 120 s, 3 significant digits). */
export function newHistogram(): Histogram {
  // autoResize: the counts array grows only as far as the largest recorded value, which keeps
  // encoded and decoded histograms small; the bucket layout (lowest value, significant digits)
  // is the same for all, so they still merge exactly.
  const histogram = hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: HISTOGRAM_SETTINGS.lowestDiscernibleValue,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: HISTOGRAM_SETTINGS.numberOfSignificantValueDigits,
    useWebAssembly: false,
  });
  return histogram as unknown as Histogram;
}

/** Records a value in µs, clamped to [lowestDiscernibleValue, highestTrackableValue]. */
export function recordMicros(histogram: Histogram, micros: number): void {
  const value = micros < 1 ? 1 : micros > HISTOGRAM_SETTINGS.highestTrackableValue ? HISTOGRAM_SETTINGS.highestTrackableValue : Math.round(micros);
  histogram.recordValue(value);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/** Decodes a histogram written by the plugin (encodeIntoCompressedBase64). Throws on corrupt text. */
export function decodeHistogram(encoded: string): Histogram {
  const histogram = hdr.decodeFromCompressedBase64(encoded, 32, false) as unknown as Histogram;
  histogram.autoResize = true;
  return histogram;
}

/** Exact merge: the sum of all counts. Accepts decoded histograms or encoded strings. */
export function mergeHistograms(list: Iterable<Histogram | string>): Histogram {
  const merged = newHistogram();
  for (const item of list) merged.add(typeof item === 'string' ? decodeHistogram(item) : item);
  return merged;
}

/** Latency statistics in ms (the same shape is stored per period in histograms.json). */
export type LatencyStats = LatencySummary;

const PERCENTILES = [50, 75, 90, 95, 99, 99.9] as const;

/** The count a percentile must reach, exactly as HdrHistogram's getValueAtPercentile rounds it. */
function countAtPercentile(percentile: number, total: number): number {
  const fp = (percentile / 100) * total;
  const ulp = fp > 0 ? 2 ** (Math.floor(Math.log2(fp)) - 52) : 0;
  return Math.max(Math.ceil(fp - ulp), 1);
}

/**
 * Statistics of a µs histogram, in ms; null when it holds no values. One pass over the counts
 * (getValueAtPercentile would walk them once per percentile); the percentiles equal
 * getValueAtPercentile's: the highest value equivalent to the bucket that reaches the count. min
 * and max are bucket bounds too (lowest of the first bucket, highest of the last), so a histogram
 * gives the same figures live and after encoding, whatever it remembers of its exact extremes.
 */
export function latencyStats(histogram: Histogram): LatencyStats | null {
  const total = histogram.totalCount;
  if (total === 0) return null;
  const targets = PERCENTILES.map((p) => countAtPercentile(p, total));
  const values: number[] = [];
  let cumulative = 0;
  let weighted = 0;
  let min = 0;
  let max = 0;
  // HdrHistogram's index layout, inlined (the library's per-value methods recompute the bucket with
  // log2 and dominate the cost): bucket 0 holds indices [0, 2h) with sub-bucket i; bucket b >= 1
  // holds [(b+1)h, (b+2)h) with sub-bucket i - b*h; a value's range is 2^(b + unitMagnitude) wide.
  const length = histogram.countsArrayLength;
  const half = histogram.subBucketHalfCount;
  const unit = histogram.unitMagnitude;
  let i = 0;
  for (let bucket = 0; i < length && cumulative < total; bucket++) {
    const size = 2 ** (bucket + unit);
    const end = Math.min(length, (bucket + 2) * half);
    const offset = bucket * half;
    for (; i < end; i++) {
      const count = histogram.getCountAtIndex(i);
      if (count === 0) continue;
      const lowest = (i - offset) * size;
      if (cumulative === 0) min = lowest;
      max = lowest + size - 1;
      cumulative += count;
      weighted += (lowest + Math.floor(size / 2)) * count;
      while (values.length < targets.length && cumulative >= targets[values.length]) values.push(lowest + size - 1);
      if (cumulative >= total) break;
    }
  }
  const ms = (micros: number): number => micros / 1000;
  return {
    count: total,
    min: ms(min),
    mean: ms(weighted / total),
    p50: ms(values[0]),
    p75: ms(values[1]),
    p90: ms(values[2]),
    p95: ms(values[3]),
    p99: ms(values[4]),
    p999: ms(values[5]),
    max: ms(max),
  };
}

/** A period's live histogram and counts, before it is written (see encodePeriod). */
export interface OpenPeriod {
  start: number;
  histogram: Histogram;
  errors: number;
  codes: Record<string, number>;
  errorKinds?: Record<string, number>;
}

/**
 * A period as the bundle stores it: the histogram encoded, its stats (absent when it holds no
 * values) and its transport errors by kind (only when there were errors). `codes` and `errorKinds`
 * are taken, not copied.
 */
export function encodePeriod(period: OpenPeriod): PeriodHistogram {
  const out: PeriodHistogram = { start: period.start, histogram: encodeHistogram(period.histogram), errors: period.errors, codes: period.codes };
  const stats = latencyStats(period.histogram);
  if (stats !== null) out.stats = stats;
  if (period.errors > 0 && period.errorKinds !== undefined) out.errorKinds = period.errorKinds;
  return out;
}
