import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGeneratorFile } from '../../src/core/generator.ts';
import { TRUST_RULES } from '../../src/core/trust.ts';
import type { GeneratorInput } from '../../src/core/generator.ts';
import { planRun } from '../../src/core/schedule.ts';

const T0 = 1_800_000_000_000; // a multiple of 10 s

/** A run of `seconds` at `rate`/s starting at T0 + 2 s whose arrivals follow `perSecond(i)`. */
function input(seconds: number, rate: number, perSecond: (i: number) => number, extra: Partial<GeneratorInput> = {}): GeneratorInput {
  const plan = planRun([{ duration: seconds, arrivalRate: rate }], T0 + 2_000);
  const arrivalsBySecond: Record<string, number> = {};
  const actualByPeriod = new Map<number, number>();
  let total = 0;
  let last: number | null = null;
  for (let i = 0; i < seconds + 30; i++) {
    const n = perSecond(i);
    if (n === 0) continue;
    const at = T0 + 2_000 + i * 1000;
    last = at + 500;
    arrivalsBySecond[String(at / 1000)] = n;
    const period = at - (at % 10_000);
    actualByPeriod.set(period, (actualByPeriod.get(period) ?? 0) + n);
    total += n;
  }
  return {
    plan, actualByPeriod, arrivalsBySecond, firstArrivalAt: T0 + 2_000, lastArrivalAt: last,
    mainHealth: [], workerHealth: [], cpus: 2, missingWorkers: [], totalCreated: total, ...extra,
  };
}

test('a run that keeps to its schedule is trustworthy, with planned and actual per period', () => {
  const file = buildGeneratorFile(input(36, 50, (i) => (i < 36 ? 50 : 0)));
  assert.deepEqual(file.trust, { trustworthy: true, reasons: [] });
  assert.deepEqual(file.planned, { arrivals: 1_800, durationSeconds: 36 });
  assert.equal(file.actual.arrivals, 1_800);
  assert.deepEqual(file.judged, { start: T0 + 2_000, end: T0 + 38_000 }, 'the judged window: plan start to planned end');
  assert.deepEqual(file.periods.map((p) => [p.start - T0, p.plannedArrivals, p.actualArrivals]), [
    [0, 400, 400], [10_000, 500, 500], [20_000, 500, 500], [30_000, 400, 400],
  ]);
});

test('arrivals that come late are untrustworthy even when the total matches', () => {
  // 50/s planned for 20 s, but only 40/s happen and the rest trickles in afterwards
  const file = buildGeneratorFile(input(20, 50, (i) => (i < 20 ? 40 : i < 30 ? 20 : 0)));
  assert.equal(file.actual.arrivals, 1_000);
  assert.equal(file.trust.trustworthy, false);
  // on time = by the planned end + 1 s grace: 20 s x 40 plus the 20 of the grace second
  assert.match(file.trust.reasons[0], /generator fell behind the schedule: 820 of 1000 planned arrivals \(82\.0%\) were created on time, below 99%; the last arrival came 9\.5 s after the planned end/);
});

test('a sustained shortfall inside the run is untrustworthy, a partial first or last period is not', () => {
  // periods [10 s, 20 s) and [20 s, 30 s) are short, then the generator catches up within the run
  const dip = buildGeneratorFile(input(48, 100, (i) => (i >= 8 && i < 28 ? 90 : i >= 28 && i < 48 ? 110 : i < 48 ? 100 : 0)));
  assert.equal(dip.trust.trustworthy, false);
  assert.ok(dip.trust.reasons.some((r) => /send rate below 99% of plan for 2 consecutive periods/.test(r)), dip.trust.reasons.join('\n'));

  // only the partial last period is short: judged by the on-time rule alone, which passes
  const tail = buildGeneratorFile(input(40, 100, (i) => (i < 38 ? 100 : i < 40 ? 99 : 0)));
  assert.deepEqual(tail.trust.reasons, []);
});

test('a saturated worker for two full periods is untrustworthy', () => {
  const health = [0, 10_000, 20_000, 30_000].map((offset, i) => ({
    start: T0 + offset, utilization: i === 1 || i === 2 ? TRUST_RULES.workerUtilization : 0.5, eventLoopDelayP99Ms: 40, eventLoopDelayMaxMs: 80,
  }));
  const file = buildGeneratorFile(input(36, 50, (i) => (i < 36 ? 50 : 0), { workerHealth: [health] }));
  assert.equal(file.trust.trustworthy, false);
  assert.match(file.trust.reasons[0], /load generator CPU saturated for 2 consecutive periods .*95%, 95%/);
  assert.equal(file.periods[1].workerUtilization, 0.95);
  assert.equal(file.periods[1].eventLoopDelayMaxMs, 80);
});

test('missing worker measurements and a run that never started are untrustworthy', () => {
  const missing = buildGeneratorFile(input(5, 10, (i) => (i < 5 ? 10 : 0), { missingWorkers: ['3'] }));
  assert.match(missing.trust.reasons.join(), /worker\(s\) 3 never arrived/);
  const none = buildGeneratorFile({ ...input(5, 10, () => 0), plan: null, firstArrivalAt: null, lastArrivalAt: null, totalCreated: null });
  assert.equal(none.trust.trustworthy, false);
  assert.match(none.trust.reasons[0], /no phase started/);
  assert.deepEqual(none.periods, []);
  const unreadable = buildGeneratorFile({ ...input(5, 10, () => 0), plan: null, planError: "phase duration 'soon' is not a number" });
  assert.match(unreadable.trust.reasons[0], /^the phases could not be read \(phase duration 'soon'/);
});

test('an interrupted run is untrustworthy, and only the part before the interruption is judged', () => {
  // 30 s planned at 10/s; stopped 12 s in, having kept to the schedule until then
  const base = input(30, 10, (i) => (i < 12 ? 10 : 0));
  const file = buildGeneratorFile({ ...base, interruptedAt: T0 + 2_000 + 12_000 });
  assert.deepEqual(file.trust.reasons, ['the run was interrupted at ' + new Date(T0 + 14_000).toISOString().slice(11, 19) + ' UTC, 18 s before its planned end']);
  assert.equal(file.planned.arrivals, 300, 'the plan as written');
  assert.equal(file.actual.arrivals, 120);
  assert.deepEqual(file.judged, { start: T0 + 2_000, end: T0 + 14_000 }, 'the judged window ends at the interruption');
});

test('health periods extend to the last response, after the last arrival', () => {
  const file = buildGeneratorFile({ ...input(5, 10, (i) => (i < 5 ? 10 : 0)), lastActivePeriod: T0 + 30_000 });
  assert.deepEqual(file.periods.map((p) => [p.start - T0, p.plannedArrivals, p.actualArrivals]), [[0, 50, 50], [10_000, 0, 0], [20_000, 0, 0], [30_000, 0, 0]]);
  assert.deepEqual(file.trust.reasons, []);
  assert.equal(buildGeneratorFile({ ...input(5, 10, (i) => (i < 5 ? 10 : 0)), lastActivePeriod: -1 }).periods.length, 1, 'no responses: no extension');
});
