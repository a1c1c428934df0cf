// Moving-block bootstrap of the ratio of medians of two series of per-period figures.
//
// Neighbouring 10 s periods of one run are correlated (a slow minute is slow throughout), so
// resampling single periods would understate the uncertainty. Each resample draws blocks of
// consecutive periods, with replacement, until it has as many periods as the original series.
// The interval is the percentile interval of log(median(x*) / median(y*)).

import { quantileSorted } from './describe.ts';
import { randomInt, seededRandom } from './random.ts';
import type { Random } from './random.ts';

export interface BootstrapOptions {
  resamples: number; // e.g. 1000
  confidence: number; // e.g. 0.95
  seed: number;
  /** Block length in periods; default ceil(n^(1/3)), at least 1. */
  blockLength?: number;
}

export interface RatioInterval {
  /** median(x) / median(y) of the original series. */
  ratio: number;
  lower: number;
  upper: number;
  /** Standard deviation of log(ratio) over the resamples. */
  logStandardError: number;
}

export function defaultBlockLength(n: number): number {
  return Math.max(1, Math.ceil(Math.cbrt(n)));
}

/** The k-th smallest value (0-based) of the first n entries of `a`, reordering them (Hoare's selection). */
export function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Median (type 7: the mean of the two middle values for even n) of the first n entries, reordering them. */
export function medianInPlace(a: Float64Array, n: number): number {
  const upper = select(a, n, n >>> 1);
  if (n % 2 === 1) return upper;
  // The lower middle is the largest value left of the upper middle after selection.
  let lower = a[0];
  for (let i = 1; i < n >>> 1; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/** Median of a series resampled in moving blocks (into `scratch`, which it reorders). */
function resampledMedian(series: readonly number[], block: number, random: Random, scratch: Float64Array): number {
  const n = series.length;
  const starts = n - block + 1;
  let filled = 0;
  while (filled < n) {
    const start = starts > 0 ? randomInt(random, starts) : 0;
    for (let k = 0; k < block && filled < n; k++) scratch[filled++] = series[Math.min(start + k, n - 1)];
  }
  return medianInPlace(scratch, n);
}

export function blockBootstrapRatioOfMedians(x: readonly number[], y: readonly number[], options: BootstrapOptions): RatioInterval {
  if (x.length === 0 || y.length === 0) throw new RangeError('blockBootstrapRatioOfMedians needs values in both series');
  const random = seededRandom(options.seed);
  const blockX = options.blockLength ?? defaultBlockLength(x.length);
  const blockY = options.blockLength ?? defaultBlockLength(y.length);
  const scratchX = new Float64Array(x.length);
  const scratchY = new Float64Array(y.length);
  const logs = new Float64Array(options.resamples);
  for (let r = 0; r < options.resamples; r++) {
    const mx = resampledMedian(x, Math.min(blockX, x.length), random, scratchX);
    const my = resampledMedian(y, Math.min(blockY, y.length), random, scratchY);
    logs[r] = Math.log(mx / my);
  }
  logs.sort();
  let sum = 0;
  for (const v of logs) sum += v;
  const m = sum / logs.length;
  let ss = 0;
  for (const v of logs) ss += (v - m) * (v - m);
  const alpha = 1 - options.confidence;
  const sortedX = Float64Array.from(x).sort();
  const sortedY = Float64Array.from(y).sort();
  return {
    ratio: quantileSorted(sortedX, 0.5) / quantileSorted(sortedY, 0.5),
    lower: Math.exp(quantileSorted(logs, alpha / 2)),
    upper: Math.exp(quantileSorted(logs, 1 - alpha / 2)),
    logStandardError: logs.length > 1 ? Math.sqrt(ss / (logs.length - 1)) : 0,
  };
}

export interface LogMedianEstimate {
  logMedian: number;
  /** Standard deviation of the log median over the resamples: the within-run uncertainty. */
  logStandardError: number;
}

/** Block-bootstrap standard error of log(median) of one run's per-period series. */
export function blockBootstrapLogMedian(series: readonly number[], options: Omit<BootstrapOptions, 'confidence'>): LogMedianEstimate {
  if (series.length === 0) throw new RangeError('blockBootstrapLogMedian needs at least one value');
  const random = seededRandom(options.seed);
  const block = Math.min(options.blockLength ?? defaultBlockLength(series.length), series.length);
  const scratch = new Float64Array(series.length);
  let sum = 0;
  let sumSquares = 0;
  for (let r = 0; r < options.resamples; r++) {
    const v = Math.log(resampledMedian(series, block, random, scratch));
    sum += v;
    sumSquares += v * v;
  }
  const n = options.resamples;
  const varianceOfLogs = n > 1 ? Math.max(0, (sumSquares - (sum * sum) / n) / (n - 1)) : 0;
  return {
    logMedian: Math.log(quantileSorted(Float64Array.from(series).sort(), 0.5)),
    logStandardError: Math.sqrt(varianceOfLogs),
  };
}
