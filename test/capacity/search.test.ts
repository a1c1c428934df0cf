// The knee search on its own, with an injected step runner: a model of the stand-in server (a step
// passes below the knee, breaching p95 above it), so the order of steps, the bracket, the limit named
// and every way the search stops can be checked exactly and fast. test/capacity/real-steps.test.ts
// drives real Artillery steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limitsBroken, roundRate, searchKnee } from '../../src/capacity/search.ts';
import type { SearchSettings, StepOutcome } from '../../src/capacity/search.ts';

function step(rate: number, passed: boolean, extra: Partial<StepOutcome> = {}): StepOutcome {
  const p95 = passed ? 60 : 60 + rate * 10;
  return {
    rate, passed, generatorBound: false,
    reasons: passed ? [] : [`GET /work p95 ${p95} ms > 150 ms`],
    breaches: passed ? [] : [{ scope: 'GET /work', metric: 'p95', threshold: 150, actual: p95, unit: 'ms' }],
    noData: [], latencyMs: { p50: 50, p95, p99: p95 * 1.2 }, requests: rate * 5, throughput: rate, errorRate: 0, endpoints: [],
    generator: { trustworthy: true, reasons: [] }, bundle: `/tmp/step-${rate}`, wallSeconds: 10, ...extra,
  };
}

/** A platform whose knee is `knee` arrivals/s, and the rates the search asked for. */
function standIn(knee: number): { rates: number[]; run: (rate: number) => Promise<StepOutcome> } {
  const rates: number[] = [];
  return { rates, run: (rate) => { rates.push(rate); return Promise.resolve(step(rate, rate <= knee)); } };
}

const settings = (over: Partial<SearchSettings> = {}): SearchSettings => ({ startRate: 10, minRate: 1, maxRate: 1000, growth: 2, precision: 0.1, budgetSeconds: 3600, ...over });

test('exponential steps, then bisection: the bracket holds the known knee, within the precision, and names the limit', async () => {
  const model = standIn(80);
  const result = await searchKnee(model.run, settings());
  assert.deepEqual(model.rates.slice(0, 5), [10, 20, 40, 80, 160], 'doubling until the first fail');
  assert.deepEqual(model.rates.slice(5), [120, 100, 90, 85], 'then the midpoint of the bracket each time');
  assert.equal(result.outcome, 'found');
  assert.equal(result.lastPass, 80);
  assert.equal(result.firstFail, 85);
  assert.equal(result.precisionMet, true);
  assert.ok(result.bracketWidth !== null && result.bracketWidth <= 0.1);
  assert.equal(result.sustainableRate, 80);
  assert.deepEqual(result.limits.map((l) => [l.scope, l.metric, l.firstBrokenAt]), [['GET /work', 'p95', 85]], 'the limit, at the lowest rate it broke');
});

test('a first step that fails steps down until one passes; none passing down to the min rate is none-passed', async () => {
  const low = standIn(3);
  const found = await searchKnee(low.run, settings({ precision: 0.3 }));
  assert.deepEqual(low.rates.slice(0, 3), [10, 5, 2.5]);
  assert.equal(found.outcome, 'found');
  assert.ok(found.lastPass !== null && found.lastPass <= 3 && (found.firstFail ?? 0) > 3);

  const none = standIn(0.1);
  const result = await searchKnee(none.run, settings({ minRate: 2 }));
  assert.deepEqual(none.rates, [10, 5, 2.5]);
  assert.equal(result.outcome, 'none-passed');
  assert.equal(result.sustainableRate, null);
});

test('the generator, not the platform: the search stops at that step and says so', async () => {
  const rates: number[] = [];
  const result = await searchKnee((rate) => {
    rates.push(rate);
    return Promise.resolve(rate >= 40 ? step(rate, false, { generatorBound: true, generator: { trustworthy: false, reasons: ['arrivals 80% of plan'] } }) : step(rate, true));
  }, settings());
  assert.deepEqual(rates, [10, 20, 40]);
  assert.equal(result.outcome, 'generator-bound');
  assert.match(result.stoppedBecause, /arrivals 80% of plan.*the generator, not the platform/);
  assert.equal(result.lastPass, 20);
  assert.deepEqual(result.limits, [], 'a generator-bound step breaks no platform limit');
});

test('the time budget ends the search before a step that would not fit; --max-rate ends it when everything passes', async () => {
  let now = 0;
  const clock = (): number => now;
  const model = standIn(80);
  const timed = await searchKnee(async (rate) => { now += 100; return { ...(await model.run(rate)), wallSeconds: 100 }; }, settings({ budgetSeconds: 450, clock }));
  assert.deepEqual(model.rates, [10, 20, 40, 80], 'four steps of 100 s fit in 450 s, a fifth would not');
  assert.equal(timed.outcome, 'budget');
  assert.equal(timed.firstFail, null);
  assert.equal(timed.precisionMet, false);
  assert.match(timed.stoppedBecause, /budget/);

  const high = standIn(1e9);
  const capped = await searchKnee(high.run, settings({ maxRate: 50 }));
  assert.deepEqual(high.rates, [10, 20, 40, 50]);
  assert.equal(capped.outcome, 'max-rate');
  assert.equal(capped.sustainableRate, 50);
});

test('rates keep 3 significant figures; limits are ordered by the rate they broke at, then by how far over', () => {
  assert.equal(roundRate(123.456), 123);
  assert.equal(roundRate(1.23456), 1.23);
  assert.equal(roundRate(0.0001), 0.01);
  const a = step(100, false, { breaches: [{ scope: '*', metric: 'errorRate', threshold: 0.01, actual: 0.02, unit: 'ratio' }, { scope: 'GET /a', metric: 'p95', threshold: 100, actual: 500, unit: 'ms' }] });
  const b = step(50, false, { breaches: [{ scope: 'rampart.detection_latency', metric: 'detectionLatencyP95', threshold: 10000, actual: 12000, unit: 'ms' }] });
  assert.deepEqual(limitsBroken([a, b, step(20, true)]).map((l) => `${l.scope} ${l.metric} @${l.firstBrokenAt}`), [
    'rampart.detection_latency detectionLatencyP95 @50',
    'GET /a p95 @100',
    '* errorRate @100',
  ]);
});
