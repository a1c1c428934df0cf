// The trend rule of analyze's growth findings (src/analyze/trends.ts): a least-squares slope that is
// significant and large, never a difference between two points. Pure statistics on seeded series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGrowing, linearTrend } from '../../src/analyze/trends.ts';
import { seededRandom } from '../../src/stats/random.ts';

const series = (n: number, value: (i: number, noise: number) => number, seed = 7): { t: number; value: number }[] => {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({ t: 1_700_000_000_000 + i * 10_000, value: value(i, random() - 0.5) }));
};

test('a steady rise is growth; its fitted ends and slope are the line through the points', () => {
  const trend = linearTrend(series(20, (i, noise) => 100 + 5 * i + noise));
  assert.ok(trend !== null);
  assert.ok(isGrowing(trend, 1));
  assert.ok(Math.abs(trend.slopePerSecond - 0.5) < 0.01, String(trend.slopePerSecond)); // 5 per 10 s
  assert.ok(Math.abs(trend.fittedStart - 100) < 1 && Math.abs(trend.fittedEnd - 195) < 1);
  assert.ok(trend.pValue < 1e-6);
});

test('noise around a level is not growth, however its last point compares with its first', () => {
  const flat = series(30, (_, noise) => 100 + 40 * noise);
  assert.equal(isGrowing(linearTrend(flat), 1), false);
  // first point low, last point high, nothing in between moves: a two-point difference of 60%
  const jump = series(12, (i, noise) => (i === 0 ? 60 : i === 11 ? 160 : 100 + 10 * noise));
  assert.equal(isGrowing(linearTrend(jump), 1), false);
});

test('a significant but small rise, too few points, or a falling line are not growth', () => {
  assert.equal(isGrowing(linearTrend(series(30, (i, noise) => 1000 + i + noise)), 1), false); // +3% over the run
  assert.equal(isGrowing(linearTrend(series(5, (i) => 10 * (i + 1))), 1), false); // 5 points
  assert.equal(isGrowing(linearTrend(series(20, (i, noise) => 500 - 10 * i + noise)), 1), false);
  assert.equal(linearTrend([{ t: 1, value: 1 }, { t: 2, value: 2 }]), null);
});
