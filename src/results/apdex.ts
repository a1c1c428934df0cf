// Apdex: the share of responses a user would call fast, from an exact µs histogram. Pure.
import type { Histogram } from '../core/histogram.ts';

/** Apdex threshold T in ms used when none is given. */
export const DEFAULT_APDEX_T_MS = 100;

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
