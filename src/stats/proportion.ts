// Confidence intervals for a proportion (k successes in n independent trials).
import { normalQuantile } from './normal.ts';

export interface ProportionInterval {
  lower: number;
  upper: number;
}

/**
 * Wilson score interval: the proportions p whose score test |k/n - p| / sqrt(p(1-p)/n) <= z does not
 * reject. Unlike the normal (Wald) interval it stays inside [0, 1] and is sensible at k = 0 or k = n.
 */
export function wilsonInterval(k: number, n: number, confidence = 0.95): ProportionInterval {
  if (!(n > 0) || k < 0 || k > n) throw new RangeError(`wilsonInterval needs 0 <= k <= n and n > 0, got k=${k} n=${n}`);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = k / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

function binomialPmf(k: number, n: number, p: number): number {
  let logC = 0;
  for (let i = 1; i <= k; i++) logC += Math.log(n - k + i) - Math.log(i);
  return Math.exp(logC + k * Math.log(p) + (n - k) * Math.log(1 - p));
}

/**
 * The fewest independent trials n for which a true rate `rate` gives a Wilson lower bound above
 * `against` with probability at least `power` (e.g. 0.9 vs 0.7 with power 0.8), searched up to maxN.
 */
export function trialsToTell(rate: number, against: number, power = 0.8, confidence = 0.95, maxN = 1000): number | null {
  for (let n = 1; n <= maxN; n++) {
    let probability = 0;
    for (let k = 0; k <= n; k++) if (wilsonInterval(k, n, confidence).lower > against) probability += binomialPmf(k, n, rate);
    if (probability >= power) return n;
  }
  return null;
}
