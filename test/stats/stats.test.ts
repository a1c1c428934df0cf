// Statistics against reference values (textbook tables; two-sample results cross-checked with
// SciPy 1.17's norm, mannwhitneyu, ks_2samp and kstwobign on the same data).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, quantile, variance, mean } from '../../src/stats/describe.ts';
import { normalCdf, normalQuantile, twoSidedP } from '../../src/stats/normal.ts';
import { mannWhitneyU, rank } from '../../src/stats/mann-whitney.ts';
import { kolmogorovSmirnov, kolmogorovSurvival } from '../../src/stats/kolmogorov-smirnov.ts';
import { blockBootstrapRatioOfMedians, blockBootstrapLogMedian, medianInPlace } from '../../src/stats/bootstrap.ts';
import { seededRandom } from '../../src/stats/random.ts';
import { regularizedBeta, studentTCdf, studentTQuantile, studentTTwoSidedP } from '../../src/stats/student-t.ts';
import { trialsToTell, wilsonInterval } from '../../src/stats/proportion.ts';

const close = (actual: number, expected: number, tolerance: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`);
};

test('descriptive statistics match the textbook definitions', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([1, 3, 5, 7]), 4);
  assert.equal(quantile([1, 3, 5, 7, 100], 0.25), 3);
  close(quantile([1, 3, 5, 7, 100], 0.9), 62.8, 1e-12, 'type-7 p90');
  assert.equal(mean([2, 4, 4, 4, 5, 5, 7, 9]), 5);
  close(variance([2, 4, 4, 4, 5, 5, 7, 9]), 32 / 7, 1e-12, 'sample variance');
  assert.ok(Number.isNaN(median([])));
});

test('normal CDF and quantile match the standard table', () => {
  close(normalCdf(1.96), 0.9750021048517795, 1e-12, 'Phi(1.96)');
  close(normalCdf(-1.96), 0.024997895148220435, 1e-12, 'Phi(-1.96)');
  close(normalCdf(1), 0.8413447460685429, 1e-12, 'Phi(1)');
  close(normalCdf(-3), 0.0013498980316301, 1e-14, 'Phi(-3)');
  close(normalCdf(-6) / 9.865876450377e-10, 1, 1e-9, 'Phi(-6), relative');
  assert.equal(normalCdf(0), 0.5);
  close(normalQuantile(0.975), 1.959963984540054, 1e-9, 'z 0.975');
  close(normalQuantile(0.995), 2.5758293035489, 1e-9, 'z 0.995');
  close(normalQuantile(0.001), -3.090232306167813, 1e-9, 'z 0.001');
  close(normalQuantile(0.9), 1.2815515655446004, 1e-9, 'z 0.9');
  close(normalQuantile(0.5), 0, 1e-12, 'z 0.5');
  close(twoSidedP(1.96), 0.04999579029644087, 1e-12, 'two-sided p at 1.96');
});

test('ranks average over ties', () => {
  const { ranks, ties } = rank([10, 20, 20, 30, 10]);
  assert.deepEqual(ranks, [1.5, 3.5, 3.5, 5, 1.5]);
  assert.deepEqual(ties, [2, 2]);
});

test('Mann-Whitney U: exact distribution for small samples without ties', () => {
  // Completely separated 3 vs 3: U = 0, P = 2 / C(6,3) = 0.1.
  const separated = mannWhitneyU([1, 2, 3], [4, 5, 6]);
  assert.equal(separated.u, 0);
  assert.equal(separated.method, 'exact');
  close(separated.pValue, 0.1, 1e-12, 'p');
  assert.equal(separated.effect, 0);

  const a = [0.3456, 0.8216, 0.3304, -1.3032, 0.9054, 0.4464, -0.537, 0.5811, 0.3646, 0.2941, 0.0284, 0.5467, -0.7365, -0.1629, -0.4821, 0.5988, 0.0397, -0.2925, -0.7819, -0.2572];
  const b = [0.8081, 0.5244, 2.0941, 1.8067, -1.9112, -1.089, 0.6252, 0.3778, 1.0136, 1.0173, 2.9178, -0.312, 0.4224, 2.8428, 1.4467];
  const twoSided = mannWhitneyU(a, b);
  assert.equal(twoSided.u, 75);
  assert.equal(twoSided.method, 'exact');
  close(twoSided.pValue, 0.011649289453698445, 1e-10, 'exact two-sided p (SciPy)');
  close(mannWhitneyU(a, b, 'less').pValue, 0.005824644726849223, 1e-10, 'exact one-sided p (SciPy)');
  close(mannWhitneyU(b, a, 'greater').pValue, 0.005824644726849223, 1e-10, 'mirror of the one-sided p');
});

test('Mann-Whitney U: normal approximation with tie and continuity corrections', () => {
  const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
  const result = mannWhitneyU(x, y);
  assert.equal(result.u, 58);
  assert.equal(result.method, 'normal');
  close(result.pValue, 0.13291945818531892, 1e-9, 'asymptotic p (SciPy)');

  const a = [1, 2, 2, 3, 4, 5, 5, 6, 7, 8];
  const b = [3, 4, 4, 5, 6, 7, 8, 8, 9, 10, 11];
  const tied = mannWhitneyU(a, b);
  assert.equal(tied.u, 26.5);
  close(tied.pValue, 0.04747658558265031, 1e-9, 'tied two-sided p (SciPy)');
  close(mannWhitneyU(a, b, 'less').pValue, 0.023738292791325156, 1e-9, 'tied one-sided p (SciPy)');
  assert.equal(mannWhitneyU([5, 5, 5], [5, 5, 5]).pValue, 1);
});

test('Kolmogorov-Smirnov: statistic and asymptotic p-value', () => {
  close(kolmogorovSurvival(1.36), 0.04948588, 1e-7, 'Q_KS(1.36), the 5% critical value');
  close(kolmogorovSurvival(1.0), 0.26999967, 1e-7, 'Q_KS(1.0)');
  close(kolmogorovSurvival(1.63), 0.00984636, 1e-7, 'Q_KS(1.63), the 1% critical value');
  close(kolmogorovSurvival(0.5), 0.96394524, 1e-7, 'Q_KS(0.5)');
  const a = [0.3456, 0.8216, 0.3304, -1.3032, 0.9054, 0.4464, -0.537, 0.5811, 0.3646, 0.2941, 0.0284, 0.5467, -0.7365, -0.1629, -0.4821, 0.5988, 0.0397, -0.2925, -0.7819, -0.2572];
  const b = [0.8081, 0.5244, 2.0941, 1.8067, -1.9112, -1.089, 0.6252, 0.3778, 1.0136, 1.0173, 2.9178, -0.312, 0.4224, 2.8428, 1.4467];
  const result = kolmogorovSmirnov(a, b);
  close(result.d, 0.5, 1e-12, 'D (SciPy)');
  close(result.pValue, 0.01714058471086793, 1e-8, 'p with Stephens adjustment');
  const same = kolmogorovSmirnov([1, 2, 3, 4], [1, 2, 3, 4]);
  assert.equal(same.d, 0);
  assert.equal(same.pValue, 1);
});

test('seeded random numbers are reproducible and uniform', () => {
  const r1 = seededRandom(42);
  const r2 = seededRandom(42);
  const draws = Array.from({ length: 10_000 }, () => r1());
  assert.deepEqual(draws.slice(0, 5), Array.from({ length: 5 }, () => r2()));
  assert.ok(draws.every((v) => v >= 0 && v < 1));
  close(mean(draws), 0.5, 0.01, 'mean of uniform draws');
});

test('block bootstrap: interval covers the true ratio and is reproducible', () => {
  const random = seededRandom(7);
  const noisy = (level: number): number[] => Array.from({ length: 60 }, () => level * (1 + 0.05 * (random() - 0.5)));
  const slower = noisy(1200);
  const base = noisy(1000);
  const options = { resamples: 800, confidence: 0.95, seed: 1 };
  const interval = blockBootstrapRatioOfMedians(slower, base, options);
  close(interval.ratio, 1.2, 0.02, 'ratio of medians');
  assert.ok(interval.lower < interval.ratio && interval.ratio < interval.upper);
  assert.ok(interval.lower > 1.15 && interval.upper < 1.25, `interval ${interval.lower}..${interval.upper}`);
  assert.deepEqual(blockBootstrapRatioOfMedians(slower, base, options), interval);

  const single = blockBootstrapLogMedian(base, options);
  close(Math.exp(single.logMedian), median(base), 1e-9, 'log median');
  assert.ok(single.logStandardError > 0 && single.logStandardError < 0.01, `se ${single.logStandardError}`);
  assert.equal(blockBootstrapLogMedian([5, 5, 5, 5], options).logStandardError, 0);
});

test('selection finds the median without sorting, for odd and even lengths and ties', () => {
  const random = seededRandom(3);
  for (const n of [1, 2, 3, 4, 5, 10, 11, 100, 101]) {
    for (let trial = 0; trial < 20; trial++) {
      const values = Array.from({ length: n }, () => Math.floor(random() * 7));
      assert.equal(medianInPlace(Float64Array.from(values), n), median(values), `n=${n} ${values.join(',')}`);
    }
  }
});

test("Student's t: CDF, quantiles and the incomplete beta function match the tables", () => {
  close(regularizedBeta(0.4, 2, 3), 0.5248, 1e-12, 'I_0.4(2,3)');
  close(regularizedBeta(0.1, 0.5, 5), 0.6833570849799877, 1e-10, 'I_0.1(0.5,5)');
  close(regularizedBeta(0.5, 10, 10), 0.5, 1e-12, 'I_0.5(10,10)');
  close(studentTCdf(2.0, 5), 0.94903026, 1e-8, 'T5(2.0)');
  close(studentTCdf(-1.5, 3), 0.11529193, 1e-8, 'T3(-1.5)');
  close(studentTCdf(0.5, 10), 0.6860532, 1e-7, 'T10(0.5)');
  close(studentTQuantile(0.975, 2), 4.30265273, 1e-7, 't(0.975, 2)');
  close(studentTQuantile(0.975, 5), 2.57058184, 1e-7, 't(0.975, 5)');
  close(studentTQuantile(0.975, 30), 2.04227246, 1e-7, 't(0.975, 30)');
  close(studentTQuantile(0.95, 1), 6.31375151, 1e-6, 't(0.95, 1)');
  close(studentTCdf(1.96, Number.POSITIVE_INFINITY), normalCdf(1.96), 1e-12, 'normal limit');
  close(studentTTwoSidedP(4.30265273, 2), 0.05, 1e-8, 'two-sided p');
});

test('Wilson interval matches the score-test inversion (R prop.test without continuity correction)', () => {
  const a = wilsonInterval(9, 10);
  close(a.lower, 0.59585, 1e-5, 'Wilson 9/10 lower');
  close(a.upper, 0.9821238, 1e-6, 'Wilson 9/10 upper');
  const b = wilsonInterval(0, 20);
  assert.equal(b.lower, 0);
  close(b.upper, 0.1611252, 1e-6, 'Wilson 0/20 upper');
  const c = wilsonInterval(15, 30);
  close(c.lower, 0.3315, 1e-4, 'Wilson 15/30 lower');
  close(c.upper, 0.6685, 1e-4, 'Wilson 15/30 upper');
  assert.throws(() => wilsonInterval(3, 2), RangeError);
  // telling a 90% rate from 70%: the smallest n whose Wilson lower bound clears 70% with probability 0.8
  assert.equal(trialsToTell(0.9, 0.7), 30);
  assert.ok((trialsToTell(0.95, 0.7) ?? Infinity) < 30);
});
