import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERIOD_MS } from '../../src/core/bundle/types.ts';
import { TRUST_RULES, delayLimitMs, isBelowPlan, isFullPeriod } from '../../src/core/trust.ts';

const T0 = 1_800_000_000_000; // a multiple of 10 s

test('a full period lies wholly inside the judged run', () => {
  const start = T0 + 2_500; // the run starts inside a period
  const end = start + 60_000;
  assert.equal(isFullPeriod(T0, start, end), false, 'the partial first period');
  assert.equal(isFullPeriod(T0 + PERIOD_MS, start, end), true);
  assert.equal(isFullPeriod(T0 + 5 * PERIOD_MS, start, end), true, 'ends at 60 s, before the run ends at 62.5 s');
  assert.equal(isFullPeriod(T0 + 6 * PERIOD_MS, start, end), false, 'the partial last period');
  assert.equal(isFullPeriod(T0, T0, T0 + PERIOD_MS), true, 'a period that is exactly the run');
  assert.equal(isFullPeriod(T0, T0, T0 + PERIOD_MS - 1), false, 'a run shorter than a period has none');
});

test('below plan: actual under 99% of planned less 2 arrivals', () => {
  assert.equal(TRUST_RULES.periodShare, 0.99);
  assert.equal(TRUST_RULES.periodSlackArrivals, 2);
  assert.equal(isBelowPlan(97, 100), false, '97 = 99 - 2 is not below');
  assert.equal(isBelowPlan(96, 100), true);
  assert.equal(isBelowPlan(0, 2), false, 'a plan of 2 arrivals cannot be missed by the slack');
  assert.equal(isBelowPlan(0, 3), true);
  assert.equal(isBelowPlan(1000, 1000), false);
});

test('the generator-delay limit: the larger of the floor and a share of the median latency', () => {
  assert.equal(delayLimitMs(null), TRUST_RULES.delayFloorMs, 'no responses: the floor');
  assert.equal(delayLimitMs(2), TRUST_RULES.delayFloorMs, 'fast endpoints: the floor');
  assert.equal(delayLimitMs(400), TRUST_RULES.delayShare * 400);
});
