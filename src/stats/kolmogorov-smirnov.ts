// Two-sample Kolmogorov-Smirnov test: the largest vertical distance between the two empirical CDFs,
// with the asymptotic p-value from the Kolmogorov distribution (Stephens' small-sample adjustment
// of the argument, as in Numerical Recipes' kstwo). Sensitive to any change of shape, not only to
// a shift, so the gate reports it beside Mann-Whitney as a second opinion.

export interface KolmogorovSmirnovResult {
  /** sup |F_x(t) - F_y(t)|, in [0, 1]. */
  d: number;
  pValue: number;
  nx: number;
  ny: number;
}

/** Q_KS(lambda) = 2 * sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2), the Kolmogorov survival function. */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda < 0.2) return 1; // the series converges slowly here and the value is 1 to 1e-10
  let sum = 0;
  let sign = 1;
  for (let k = 1; k <= 200; k++) {
    const term = sign * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-16 * Math.abs(sum) || Math.abs(term) < 1e-300) break;
    sign = -sign;
  }
  return Math.max(0, Math.min(1, 2 * sum));
}

export function kolmogorovSmirnov(x: readonly number[], y: readonly number[]): KolmogorovSmirnovResult {
  const nx = x.length;
  const ny = y.length;
  if (nx === 0 || ny === 0) throw new RangeError('kolmogorovSmirnov needs at least one value in each sample');
  const a = [...x].sort((p, q) => p - q);
  const b = [...y].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < nx && j < ny) {
    const t = Math.min(a[i], b[j]);
    while (i < nx && a[i] === t) i++;
    while (j < ny && b[j] === t) j++;
    d = Math.max(d, Math.abs(i / nx - j / ny));
  }
  const effectiveN = (nx * ny) / (nx + ny);
  const root = Math.sqrt(effectiveN);
  const pValue = kolmogorovSurvival((root + 0.12 + 0.11 / root) * d);
  return { d, pValue, nx, ny };
}
