// The standard normal distribution: CDF to double precision (Hart's 1968 rational approximation as
// popularised by West, 2005) and its inverse by safeguarded Newton iteration.

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** P(Z <= z) for a standard normal Z. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const x = Math.abs(z);
  let tail: number;
  if (x > 37) {
    tail = 0;
  } else {
    const e = Math.exp(-(x * x) / 2);
    if (x < 7.07106781186547) {
      let num = 3.52624965998911e-2 * x + 0.700383064443688;
      num = num * x + 6.37396220353165;
      num = num * x + 33.912866078383;
      num = num * x + 112.079291497871;
      num = num * x + 221.213596169931;
      num = num * x + 220.206867912376;
      let den = 8.83883476483184e-2 * x + 1.75566716318264;
      den = den * x + 16.064177579207;
      den = den * x + 86.7807322029461;
      den = den * x + 296.564248779674;
      den = den * x + 637.333633378831;
      den = den * x + 793.826512519948;
      den = den * x + 440.413735824752;
      tail = (e * num) / den;
    } else {
      let cf = x + 0.65;
      cf = x + 4 / cf;
      cf = x + 3 / cf;
      cf = x + 2 / cf;
      cf = x + 1 / cf;
      tail = e / cf / SQRT_2PI;
    }
  }
  return z > 0 ? 1 - tail : tail;
}

export function normalPdf(z: number): number {
  return Math.exp(-(z * z) / 2) / SQRT_2PI;
}

/** Two-sided p-value of a standard normal test statistic. */
export function twoSidedP(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

/** z such that P(Z <= z) = p, for 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  if (p < 0.5) return -normalQuantile(1 - p);
  // Bracket and refine: Newton steps, falling back to bisection when a step leaves the bracket.
  let lo = 0;
  let hi = 40;
  let z = Math.sqrt(-2 * Math.log(1 - p)); // a rough start in the upper half
  for (let i = 0; i < 100; i++) {
    const f = normalCdf(z) - p;
    if (Math.abs(f) < 1e-16) break;
    if (f > 0) hi = z; else lo = z;
    const step = f / normalPdf(z);
    let next = z - step;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - z) < 1e-14 * Math.max(1, Math.abs(z))) { z = next; break; }
    z = next;
  }
  return z;
}
