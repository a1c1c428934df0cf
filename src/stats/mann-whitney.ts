// Mann-Whitney U (Wilcoxon rank-sum) test for two independent samples.
//
// U is the number of pairs (x_i, y_j) with x_i > y_j, ties counting one half; U / (n_x n_y) is the
// probability that a random x exceeds a random y (the "common-language effect size"; 0.5 = no shift).
// The p-value is exact (the permutation distribution of U, by dynamic programming) when both samples
// have at most EXACT_LIMIT values and there are no ties; otherwise it uses the normal approximation
// with the tie correction and a continuity correction.

import { normalCdf } from './normal.ts';

export type Alternative = 'two-sided' | 'greater' | 'less';

export interface MannWhitneyResult {
  /** U of the first sample: count of pairs where x > y (ties 1/2). */
  u: number;
  /** U / (n_x n_y): P(X > Y) + P(X = Y) / 2. */
  effect: number;
  pValue: number;
  method: 'exact' | 'normal';
  nx: number;
  ny: number;
}

export const EXACT_LIMIT = 25;

/** Average ranks (1-based) of the pooled values, and the tie-group sizes. */
export function rank(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  const ties: number[] = [];
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    const average = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]] = average;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/**
 * Number of ways, for every u, that m values drawn from 1..m+n without ties give U = u.
 * Returns the probability mass function of U under the null hypothesis.
 */
function exactDistribution(m: number, n: number): number[] {
  // f[i][j][u] recursion folded into a 2-D table over (j, u) updated for i = 1..m:
  // counts(m, n, u) = counts(m - 1, n, u - n) + counts(m, n - 1, u).
  const maxU = m * n;
  // table[i][j] is an array over u; build iteratively in i with rows for every j.
  let previous: number[][] = [];
  for (let j = 0; j <= n; j++) previous.push([1]); // i = 0: one way, U = 0
  for (let i = 1; i <= m; i++) {
    const current: number[][] = [[1]]; // j = 0: one way, U = 0
    for (let j = 1; j <= n; j++) {
      const size = i * j + 1;
      const row = new Array<number>(size).fill(0);
      const withLargest = previous[j]; // the largest value belongs to x: adds j to U
      for (let u = 0; u < withLargest.length; u++) row[u + j] += withLargest[u];
      const withoutLargest = current[j - 1]; // the largest value belongs to y: adds nothing
      for (let u = 0; u < withoutLargest.length; u++) row[u] += withoutLargest[u];
      current.push(row);
    }
    previous = current;
  }
  const counts = previous[n];
  let total = 0;
  for (const c of counts) total += c;
  const pmf = new Array<number>(maxU + 1).fill(0);
  for (let u = 0; u < counts.length; u++) pmf[u] = counts[u] / total;
  return pmf;
}

export function mannWhitneyU(x: readonly number[], y: readonly number[], alternative: Alternative = 'two-sided'): MannWhitneyResult {
  const nx = x.length;
  const ny = y.length;
  if (nx === 0 || ny === 0) throw new RangeError('mannWhitneyU needs at least one value in each sample');
  const pooled = [...x, ...y];
  const { ranks, ties } = rank(pooled);
  let rankSumX = 0;
  for (let i = 0; i < nx; i++) rankSumX += ranks[i];
  const u = rankSumX - (nx * (nx + 1)) / 2;
  const effect = u / (nx * ny);

  if (ties.length === 0 && nx <= EXACT_LIMIT && ny <= EXACT_LIMIT) {
    const pmf = exactDistribution(nx, ny);
    const upper = sumFrom(pmf, Math.ceil(u)); // P(U >= u)
    const lower = sumTo(pmf, Math.floor(u)); // P(U <= u)
    const pValue = alternative === 'greater' ? upper : alternative === 'less' ? lower : Math.min(1, 2 * Math.min(upper, lower));
    return { u, effect, pValue, method: 'exact', nx, ny };
  }

  const n = nx + ny;
  const meanU = (nx * ny) / 2;
  let tieTerm = 0;
  for (const t of ties) tieTerm += t * t * t - t;
  const varianceU = ((nx * ny) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (varianceU <= 0) {
    // Every value is equal: no evidence either way.
    return { u, effect, pValue: 1, method: 'normal', nx, ny };
  }
  const sd = Math.sqrt(varianceU);
  const zGreater = (u - meanU - 0.5) / sd;
  const zLess = (u - meanU + 0.5) / sd;
  const pGreater = 1 - normalCdf(zGreater);
  const pLess = normalCdf(zLess);
  const pValue = alternative === 'greater' ? pGreater : alternative === 'less' ? pLess : Math.min(1, 2 * Math.min(pGreater, pLess));
  return { u, effect, pValue, method: 'normal', nx, ny };
}

function sumFrom(pmf: number[], from: number): number {
  let s = 0;
  for (let i = Math.max(0, from); i < pmf.length; i++) s += pmf[i];
  return Math.min(1, s);
}

function sumTo(pmf: number[], to: number): number {
  let s = 0;
  for (let i = 0; i <= Math.min(to, pmf.length - 1); i++) s += pmf[i];
  return Math.min(1, s);
}
