import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSeries } from '../../src/gate/compare.ts';
import type { RunSeries } from '../../src/gate/compare.ts';
import { DEFAULT_COMPARISON } from '../../src/gate/slo.ts';
import { seededRandom } from '../../src/stats/random.ts';
import { must } from '../results/fixtures.ts';

const settings = DEFAULT_COMPARISON;

function run(runId: string, level: number, periods: number, seed: number, wobble = 0.03): RunSeries {
  const random = seededRandom(seed);
  return { runId, values: Array.from({ length: periods }, () => level * (1 + wobble * 2 * (random() - 0.5))) };
}

const baseline = [run('b1', 10, 12, 1), run('b2', 10.2, 12, 2), run('b3', 9.9, 12, 3)];

test('same distribution: SAME, with the interval inside the band', () => {
  const result = compareSeries('GET /a', [run('c', 10, 12, 4)], baseline, settings);
  assert.equal(result.verdict, 'SAME', result.reason);
  assert.ok(must(result.lower) > 1 / 1.1 && must(result.upper) < 1.1);
  assert.ok(Math.abs(must(result.ratio) - 1) < 0.03);
});

test('30% slower with clear separation: SLOWER, with a ratio near 1.3 and a small p-value', () => {
  const result = compareSeries('GET /a', [run('c', 13, 12, 5)], baseline, settings);
  assert.equal(result.verdict, 'SLOWER', result.reason);
  assert.ok(Math.abs(must(result.ratio) - 1.3) < 0.03, `ratio ${result.ratio}`);
  assert.ok(must(result.pValue) < 0.001);
  assert.match(result.reason, /^\+30\.\d% slower/);
});

test('30% faster: FASTER', () => {
  const result = compareSeries('GET /a', [run('c', 7, 12, 6)], baseline, settings);
  assert.equal(result.verdict, 'FASTER', result.reason);
});

test('significant but smaller than the threshold is not SLOWER', () => {
  const result = compareSeries('GET /a', [run('c', 10.5, 12, 7)], baseline, settings);
  assert.notEqual(result.verdict, 'SLOWER');
});

test('too few periods: UNKNOWN, saying why', () => {
  const tiny = compareSeries('GET /a', [run('c', 20, 2, 8)], baseline, settings);
  assert.equal(tiny.verdict, 'UNKNOWN');
  assert.equal(tiny.ratio, null);
  assert.match(tiny.reason, /too few periods in the run \(2 with enough requests, need 4\)/);
  const noBaseline = compareSeries('GET /a', [run('c', 10, 12, 9)], [], settings);
  assert.equal(noBaseline.verdict, 'UNKNOWN');
  assert.match(noBaseline.reason, /not in the baseline/);
});

test('a baseline whose runs disagree widens the interval: a 15% change is no longer decided', () => {
  const steady = compareSeries('GET /a', [run('c', 11.5, 12, 10)], baseline, settings);
  assert.equal(steady.verdict, 'SLOWER', steady.reason);
  const noisyBaseline = [run('b1', 8, 12, 11), run('b2', 12, 12, 12), run('b3', 10, 12, 13)];
  const noisy = compareSeries('GET /a', [run('c', 11.5, 12, 10)], noisyBaseline, settings);
  assert.equal(noisy.verdict, 'UNKNOWN', noisy.reason);
  assert.ok(must(noisy.betweenRunSpread) > 0.15, `spread ${noisy.betweenRunSpread}`);
  assert.ok(must(noisy.upper) - must(noisy.lower) > must(steady.upper) - must(steady.lower));
});

test('the same inputs give the same verdict and numbers', () => {
  const a = compareSeries('GET /a', [run('c', 11, 12, 14)], baseline, settings);
  const b = compareSeries('GET /a', [run('c', 11, 12, 14)], baseline, settings);
  assert.deepEqual(a, b);
});
