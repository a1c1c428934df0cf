import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plannedBetween, plannedSeconds, planRun } from '../../src/core/schedule.ts';

test('phase durations read as Artillery reads them (src/core/duration.ts); a bad one names itself', () => {
  // the parser's own cases: test/core/duration.test.ts
  const plan = planRun([{ duration: '45', arrivalRate: 1 }, { pause: '1.5 min' }, { duration: '2m', arrivalRate: 1 }, { duration: 30 }, { duration: '1h' }], 0);
  assert.equal(plan.durationSeconds, 45 + 90 + 120 + 30 + 3600);
  assert.equal(plannedSeconds([{ duration: '90s', arrivalRate: 2 }]).length, 90);
  assert.equal(planRun([{ arrivalRate: 5 }], 0).durationSeconds, 0, 'a phase without a duration lasts 0 s');
  assert.throws(() => planRun([{ duration: 'soon', arrivalRate: 1 }], 0), /^Error: phase duration 'soon' is not a number of seconds or a time like '90s', '2m'$/);
  assert.throws(() => plannedSeconds([{ pause: '-1' }]), /phase duration '-1'/);
  assert.throws(() => plannedSeconds([{ duration: -1 }]), /phase duration '-1'/);
});

test('constant, ramp, count and pause phases give the planned arrivals per second', () => {
  const seconds = plannedSeconds([
    { duration: 2, arrivalRate: 5 },
    { pause: 1 },
    { duration: 4, arrivalRate: 1, rampTo: 10 }, // 1 + 9 * i / 3: 1, 4, 7, 10
    { duration: 2, arrivalCount: 3 },
  ]);
  assert.deepEqual(seconds.map((s) => s.arrivals), [5, 5, 0, 1, 4, 7, 10, 1.5, 1.5]);
  assert.deepEqual(seconds.map((s) => s.offsetSeconds), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test('a ramp of fractional rates plans what Artillery creates: each second rounded half up, not floored', () => {
  // 1 + 3 i / 6 = 1, 1.5, 2, 2.5, 3, 3.5, 4: Artillery's workers share floor(rate / N) and hand the
  // rounded rest out as one more arrival each, so the second gets round(rate). Flooring planned 5
  // fewer here; on the shipped profiles at rate-scale 2 it planned 59 of stress's 3,720 arrivals too
  // few, and the new plan equals vusers.created in all eight.
  assert.deepEqual(plannedSeconds([{ duration: 7, arrivalRate: 1, rampTo: 4 }]).map((s) => s.arrivals), [1, 2, 2, 3, 3, 4, 4]);
  assert.deepEqual(plannedSeconds([{ duration: 1, arrivalRate: 2, rampTo: 5 }]).map((s) => s.arrivals), [4], 'a one-second ramp gets the mean, rounded');
});

test('the plan totals its arrivals and spreads them over any window', () => {
  const plan = planRun([{ duration: '10s', arrivalRate: 100 }, { duration: 5, arrivalRate: 0 }], 1_000_500);
  assert.equal(plan.arrivals, 1_000);
  assert.equal(plan.durationSeconds, 15);
  // the plan starts half-way through a second: the window [1_000_000, 1_010_000) holds 9.5 s of it
  assert.equal(plannedBetween(plan, 1_000_000, 1_010_000), 950);
  assert.equal(plannedBetween(plan, 1_010_000, 1_020_000), 50);
  assert.equal(plannedBetween(plan, 0, 1_000_000), 0);
});
