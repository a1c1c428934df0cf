import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGeneratorFile } from '../../src/core/generator.ts';
import { TRUST_RULES, delayLimitMs } from '../../src/core/trust.ts';
import type { GeneratorInput, HealthPeriod } from '../../src/core/generator.ts';
import { encodeHistogram, latencyStats, newHistogram, recordMicros } from '../../src/core/histogram.ts';
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

test('a busy worker whose process had less than a core is said to be starved of CPU, not saturated', () => {
  const health = [0, 10_000, 20_000, 30_000].map((offset, i) => ({
    start: T0 + offset, cpuPercent: i === 1 || i === 2 ? 40 : 60, utilization: i === 1 || i === 2 ? 1 : 0.5, eventLoopDelayP99Ms: 40, eventLoopDelayMaxMs: 80,
  }));
  const starved = buildGeneratorFile(input(36, 50, (i) => (i < 36 ? 50 : 0), { workerHealth: [health], mainHealth: health }));
  assert.equal(starved.trust.trustworthy, false);
  assert.match(starved.trust.reasons[0], /^the machine starved the load generator of CPU for 2 consecutive periods .*busy: 100%, 100%, while the generator process used 40%, 40% of a core/);

  // the same busy worker with its process at a full core did its own work: saturated
  const busy = health.map((h) => ({ ...h, cpuPercent: 98 }));
  const saturated = buildGeneratorFile(input(36, 50, (i) => (i < 36 ? 50 : 0), { workerHealth: [busy], mainHealth: busy }));
  assert.match(saturated.trust.reasons[0], /^load generator CPU saturated for 2 consecutive periods/);
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

/** A worker's event-loop delays over `seconds` of 10 ms timer ticks: most 0.1 ms late, a share `slow` ms late. */
function delays(start: number, seconds: number, slowShare = 0, slowMs = 0, utilization = 0.3): HealthPeriod {
  const histogram = newHistogram();
  const ticks = seconds * 100;
  for (let i = 0; i < ticks; i++) recordMicros(histogram, i < ticks * slowShare ? slowMs * 1000 : 100);
  const stats = latencyStats(histogram);
  return { start, utilization, eventLoopDelayP99Ms: stats?.p99 ?? 0, eventLoopDelayMaxMs: stats?.max ?? 0, eventLoopDelay: encodeHistogram(histogram) };
}
const worker = (shares: number[], slowMs: number): HealthPeriod[] => shares.map((share, i) => delays(T0 + i * 10_000, 10, share, slowMs));

test('a quiet generator states its own delay as an error bar and stays trustworthy', () => {
  const file = buildGeneratorFile(input(36, 50, (i) => (i < 36 ? 50 : 0), { workerHealth: [worker([0, 0, 0, 0], 0)], medianLatencyMs: 20 }));
  assert.equal(file.trust.trustworthy, true, file.trust.reasons.join('; '));
  assert.ok(file.trust.generatorDelayMs !== undefined && file.trust.generatorDelayMs > 0.09 && file.trust.generatorDelayMs < 0.11, String(file.trust.generatorDelayMs));
  assert.equal(file.periods[1].workerEventLoopDelayP99Ms, file.periods[1].eventLoopDelayP99Ms);
  assert.equal(buildGeneratorFile(input(36, 50, (i) => (i < 36 ? 50 : 0))).trust.generatorDelayMs, undefined, 'no worker delays recorded: no error bar');
});

test('a generator whose event loop ran late beyond the limit makes the run untrustworthy ("delayed")', () => {
  // 3% of the worker's timer ticks 40 ms late in every period: p99 40 ms against a 20 ms median
  const stalled = buildGeneratorFile(input(36, 50, (i) => (i < 36 ? 50 : 0), { workerHealth: [worker([0.03, 0.03, 0.03, 0.03], 40)], medianLatencyMs: 20 }));
  assert.equal(stalled.trust.trustworthy, false);
  assert.equal(stalled.trust.reasons.length, 1);
  assert.match(stalled.trust.reasons[0], /^the load generator delayed its own measurements: its worker event loop ran late by 40\.\d+ ms at p99 \(max 40\.\d+ ms\), above the limit of 25 ms \(50% of the median latency 20\.0 ms, at least 25 ms\)/);
  assert.ok((stalled.trust.generatorDelayMs ?? 0) >= 40);
  assert.equal(delayLimitMs(20), TRUST_RULES.delayFloorMs);

  // the same delay beside 500 ms latencies is within the limit (250 ms): stated, not condemned
  const slowTarget = buildGeneratorFile(input(36, 50, (i) => (i < 36 ? 50 : 0), { workerHealth: [worker([0.03, 0.03, 0.03, 0.03], 40)], medianLatencyMs: 500 }));
  assert.deepEqual(slowTarget.trust.reasons, []);
  assert.ok((slowTarget.trust.generatorDelayMs ?? 0) >= 40, 'the error bar is still stated');

  // a stall confined to 0.5% of the run's ticks leaves its p99 alone
  const brief = buildGeneratorFile(input(36, 50, (i) => (i < 36 ? 50 : 0), { workerHealth: [worker([0, 0.02, 0, 0], 40)], medianLatencyMs: 20 }));
  assert.deepEqual(brief.trust.reasons, [], 'one period with 2% late ticks is 0.5% of the judged window');
  assert.ok((brief.periods[1].workerEventLoopDelayP99Ms ?? 0) >= 40, 'the period itself shows it');
});

test('the delay rule judges only the judged window, and only on enough timer samples', () => {
  // a stall after the planned end (virtual users finishing, the worker shutting down) is not the load's
  const late = buildGeneratorFile(input(36, 50, (i) => (i < 36 ? 50 : 0), { workerHealth: [[...worker([0, 0, 0, 0], 0), delays(T0 + 40_000, 10, 0.5, 80)]], medianLatencyMs: 20 }));
  assert.deepEqual(late.trust.reasons, []);
  assert.ok((late.trust.generatorDelayMs ?? 1) < 1);
  // 4 s of ticks (400 samples, fewer than TRUST_RULES.delayMinSamples) is too few to judge a p99 on; the figure is still given
  const short = buildGeneratorFile(input(4, 10, (i) => (i < 4 ? 10 : 0), { workerHealth: [[delays(T0, 4, 0.05, 40)]], medianLatencyMs: 20 }));
  assert.deepEqual(short.trust.reasons, []);
  assert.ok((short.trust.generatorDelayMs ?? 0) >= 40);
});
