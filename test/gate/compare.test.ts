import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSeries, decide, seriesLevels } from '../../src/gate/compare.ts';
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

test('SAME is equivalence: the 90% interval inside the ±threshold band; the reason of an UNKNOWN says which side cannot be excluded', () => {
  const base = [run('b1', 10, 6, 21, 0.06), run('b2', 10.1, 6, 22, 0.06)];
  const head = [run('h1', 10.05, 6, 23, 0.06), run('h2', 9.95, 6, 24, 0.06)];
  const same = compareSeries('GET /a', head, base, settings);
  assert.equal(same.verdict, 'SAME', same.reason);
  assert.match(same.reason, /\(90% CI [-+]\d+\.\d%\.\.[-+]\d+\.\d%\), within ±10%/);
  const drifting = compareSeries('GET /a', [run('h1', 10.95, 6, 23, 0.06), run('h2', 10.85, 6, 24, 0.06)], base, settings);
  assert.equal(drifting.verdict, 'UNKNOWN', drifting.reason);
  assert.match(drifting.reason, /the runs cannot exclude a slowdown of more than \+10\.0%/);
});

test('the other endpoints\' between-run spread joins a 2 + 2 comparison: more degrees of freedom, a narrower interval', () => {
  const base = [run('b1', 10, 6, 31), run('b2', 11, 6, 32)];
  const head = [run('h1', 10.2, 6, 33), run('h2', 10.9, 6, 34)];
  const levels = seriesLevels('GET /a', head, base, settings);
  const alone = decide(levels, settings);
  const pooled = decide(levels, settings, { variance: 0.03 ** 2, df: 10 });
  assert.equal(alone.ratio, pooled.ratio);
  assert.ok(must(pooled.upper) - must(pooled.lower) < must(alone.upper) - must(alone.lower), `${alone.reason} / ${pooled.reason}`);
  // the floor still holds: a prior of no spread at all does not make the interval narrower than the floor allows
  const none = decide(levels, settings, { variance: 0, df: 100 });
  assert.ok(must(none.betweenRunSpread) >= settings.noiseFloor);
});
