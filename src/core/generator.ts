// generator.json: planned against actual arrivals per period, generator health, and the trust
// verdict (pure). The measurement plugin builds it from what its threads recorded; the results stage
// builds the same from the plugin's counters in a distributed run's merged output
// (src/results/counter-trust.ts). The rules (docs/measurement.md, "Trust"):
//
//   on time     arrivals created by the planned end of the run (+1 s) must be >= 99% of planned;
//               Artillery does not drop late arrivals, it stretches the phases, so a total that
//               matches in the end proves nothing
//   sustained   no 2 consecutive full periods with actual < 99% of planned - 2 arrivals
//   saturated   no 2 consecutive full periods with a worker's event loop >= 95% busy, or the
//               process using >= 95% of every core
//   complete    every worker delivered its measurements, a phase started, and the run was not
//               interrupted (an interrupted run is judged only up to the interruption)
//   delayed     the worker threads' event-loop delay p99 over the judged window (the generator's
//               own share of every latency, stated as trust.generatorDelayMs) <= max(25 ms, 50% of
//               the run's median latency), judged on at least 500 timer samples
//
// The rules and the definition of a full period: src/core/trust.ts.
import { PERIOD_MS } from './bundle/types.ts';
import type { GeneratorFile, GeneratorPeriod } from './bundle/types.ts';
import { TRUST_RULES, delayLimitMs, isBelowPlan, isFullPeriod } from './trust.ts';
import { decodeHistogram, latencyStats, newHistogram } from './histogram.ts';
import { plannedBetween } from './schedule.ts';
import type { PlannedRun } from './schedule.ts';

/** A load generator thread's health in one 10 s period (the plugin samples it once a second). */
export interface HealthPeriod {
  start: number;
  cpuPercent?: number; // percent of one core, mean over the sampled part of the period (main thread)
  utilization?: number; // 0..1 event-loop busy share (worker threads)
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** the period's event-loop delays, µs, an encoded histogram (worker threads: the "delayed" rule) */
  eventLoopDelay?: string;
}

export interface GeneratorInput {
  plan: PlannedRun | null;
  /** period start -> vusers.created from Artillery's `stats` */
  actualByPeriod: Map<number, number>;
  /** second (epoch s) -> arrivals, merged over workers; empty when no worker reported */
  arrivalsBySecond: Record<string, number>;
  firstArrivalAt: number | null;
  lastArrivalAt: number | null;
  mainHealth: HealthPeriod[];
  workerHealth: HealthPeriod[][];
  cpus: number;
  missingWorkers: string[];
  /** vusers.created of the whole run from Artillery's `done`, when it came */
  totalCreated: number | null;
  /** when the run was stopped early (Ctrl-C, SIGTERM), else null: only the part before it is judged */
  interruptedAt?: number | null;
  /** why there is no plan although a phase started (unreadable phases) */
  planError?: string | null;
  /** start of the last period with a response or error, so health covers virtual users still running */
  lastActivePeriod?: number | null;
  /** the run's median latency over every response, ms (the "delayed" rule's relative limit) */
  medianLatencyMs?: number | null;
}

const floorPeriod = (ms: number): number => ms - (ms % PERIOD_MS);
const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * Saturated periods whose process used less than a core's worth of CPU: the busy worker was not
 * working but waiting (an event loop counts the time the OS preempts a callback as busy, so on a
 * machine whose cores other processes hold, a worker shows 100% busy at a fraction of a core).
 * Below one core the process rule cannot have flagged them, so the worker's did. Periods without
 * the process CPU (built from counters: 0) are never called starved.
 */
function isStarved(periods: readonly GeneratorPeriod[]): boolean {
  return periods.length > 0 && periods.every((p) => p.cpuPercent > 0 && p.cpuPercent < 100 * TRUST_RULES.starvedCpuShare);
}

function consecutiveRuns(flags: { start: number; flagged: boolean }[], needed: number): number[][] {
  const runs: number[][] = [];
  let current: number[] = [];
  for (const { start, flagged } of flags) {
    if (flagged) current.push(start);
    else {
      if (current.length >= needed) runs.push(current);
      current = [];
    }
  }
  if (current.length >= needed) runs.push(current);
  return runs;
}

const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

/**
 * The worker threads' event-loop delays over the periods that overlap the judged window, merged
 * exactly (every worker, every period): p99 and max in ms and the number of timer samples. Null
 * when no worker recorded them (counters of a distributed run, workers of an older plugin).
 */
function judgedDelay(workerHealth: HealthPeriod[][], start: number, end: number): { p99Ms: number; maxMs: number; samples: number } | null {
  const merged = newHistogram();
  let found = false;
  for (const periods of workerHealth) {
    for (const h of periods) {
      if (h.eventLoopDelay === undefined || h.start + PERIOD_MS <= start || h.start >= end) continue;
      merged.add(decodeHistogram(h.eventLoopDelay));
      found = true;
    }
  }
  const stats = found ? latencyStats(merged) : null;
  return stats === null ? null : { p99Ms: round2(stats.p99), maxMs: round2(stats.max), samples: merged.totalCount };
}

export function buildGeneratorFile(input: GeneratorInput): GeneratorFile {
  const { plan } = input;
  const plannedEnd = plan === null ? null : plan.startedAt + plan.durationSeconds * 1000;

  // Periods shown: from the first planned or actual arrival to the last arrival or response.
  const bounds: number[] = [];
  if (plan !== null && plannedEnd !== null) bounds.push(plan.startedAt, plannedEnd - 1);
  for (const [start, count] of input.actualByPeriod) if (count > 0) bounds.push(start);
  if (input.firstArrivalAt !== null) bounds.push(input.firstArrivalAt);
  if (input.lastArrivalAt !== null) bounds.push(input.lastArrivalAt);
  const lastActive = input.lastActivePeriod ?? null;
  if (bounds.length > 0 && lastActive !== null && lastActive > 0) bounds.push(lastActive);
  const starts: number[] = [];
  if (bounds.length > 0) {
    for (let s = floorPeriod(Math.min(...bounds)); s <= floorPeriod(Math.max(...bounds)); s += PERIOD_MS) starts.push(s);
  }

  const mainByStart = new Map(input.mainHealth.map((h) => [h.start, h]));
  const workerByStart = new Map<number, HealthPeriod[]>();
  for (const periods of input.workerHealth) {
    for (const h of periods) workerByStart.set(h.start, [...(workerByStart.get(h.start) ?? []), h]);
  }
  const arrivalsInPeriod = (start: number): number => {
    let total = 0;
    for (let second = start / 1000; second < (start + PERIOD_MS) / 1000; second++) total += input.arrivalsBySecond[String(second)] ?? 0;
    return total;
  };
  const haveSeconds = Object.keys(input.arrivalsBySecond).length > 0;

  const periods: GeneratorPeriod[] = starts.map((start) => {
    const main = mainByStart.get(start);
    const workers = workerByStart.get(start) ?? [];
    const period: GeneratorPeriod = {
      start,
      plannedArrivals: plan === null ? 0 : round2(plannedBetween(plan, start, start + PERIOD_MS)),
      actualArrivals: input.actualByPeriod.get(start) ?? (haveSeconds ? arrivalsInPeriod(start) : 0),
      cpuPercent: main?.cpuPercent ?? 0,
      eventLoopDelayP99Ms: Math.max(main?.eventLoopDelayP99Ms ?? 0, ...workers.map((w) => w.eventLoopDelayP99Ms)),
      eventLoopDelayMaxMs: Math.max(main?.eventLoopDelayMaxMs ?? 0, ...workers.map((w) => w.eventLoopDelayMaxMs)),
    };
    if (workers.length > 0) {
      period.workerUtilization = Math.max(...workers.map((w) => w.utilization ?? 0));
      period.workerEventLoopDelayP99Ms = Math.max(...workers.map((w) => w.eventLoopDelayP99Ms));
    }
    return period;
  });

  const reasons: string[] = [];
  if (plan === null) {
    reasons.push(
      input.planError != null
        ? `the phases could not be read (${input.planError}); arrivals cannot be judged`
        : 'no phase started: the run never generated load, so nothing can be judged',
    );
  }
  if (input.missingWorkers.length > 0) {
    reasons.push(`measurements of worker(s) ${input.missingWorkers.join(', ')} never arrived: latencies and arrivals are incomplete`);
  }

  const secondsTotal = Object.values(input.arrivalsBySecond).reduce((a, b) => a + b, 0);
  const actualTotal = input.totalCreated ?? (haveSeconds ? secondsTotal : [...input.actualByPeriod.values()].reduce((a, b) => a + b, 0));

  const interruptedAt = input.interruptedAt ?? null;
  if (plan !== null && plannedEnd !== null && interruptedAt !== null && interruptedAt < plannedEnd) {
    reasons.push(`the run was interrupted at ${clock(interruptedAt)} UTC, ${((plannedEnd - interruptedAt) / 1000).toFixed(0)} s before its planned end`);
  }
  // Judge the schedule up to the planned end, or up to the interruption when it came first.
  const judgedEnd = plannedEnd === null ? null : interruptedAt !== null && interruptedAt < plannedEnd ? interruptedAt : plannedEnd;
  const plannedArrivals = plan === null || judgedEnd === null ? 0 : plannedBetween(plan, plan.startedAt, judgedEnd);

  let generatorDelayMs: number | undefined;
  if (plan !== null && judgedEnd !== null && plannedArrivals > 0) {
    const deadline = judgedEnd + TRUST_RULES.onTimeGraceMs;
    let onTime = 0;
    if (haveSeconds) {
      for (const [second, count] of Object.entries(input.arrivalsBySecond)) if (Number(second) * 1000 < deadline) onTime += count;
    } else {
      for (const [start, count] of input.actualByPeriod) if (start < deadline) onTime += count;
    }
    if (onTime < TRUST_RULES.onTimeShare * plannedArrivals) {
      const lastAt = input.lastArrivalAt === null || input.lastArrivalAt <= judgedEnd ? '' : `; the last arrival came ${((input.lastArrivalAt - judgedEnd) / 1000).toFixed(1)} s after the planned end`;
      reasons.push(
        `generator fell behind the schedule: ${onTime} of ${Math.round(plannedArrivals)} planned arrivals (${((100 * onTime) / plannedArrivals).toFixed(1)}%) were created on time, below ${TRUST_RULES.onTimeShare * 100}%${lastAt}`,
      );
    }

    const full = periods.filter((p) => isFullPeriod(p.start, plan.startedAt, judgedEnd));
    const short = consecutiveRuns(
      full.map((p) => ({ start: p.start, flagged: isBelowPlan(p.actualArrivals, p.plannedArrivals) })),
      TRUST_RULES.consecutivePeriods,
    );
    for (const run of short) {
      const worst = full.filter((p) => run.includes(p.start)).map((p) => `${p.actualArrivals}/${Math.round(p.plannedArrivals)}`).join(', ');
      reasons.push(`send rate below ${TRUST_RULES.periodShare * 100}% of plan for ${run.length} consecutive periods from ${clock(run[0])} UTC (actual/planned: ${worst})`);
    }
    const busy = consecutiveRuns(
      full.map((p) => ({
        start: p.start,
        flagged: (p.workerUtilization ?? 0) >= TRUST_RULES.workerUtilization || p.cpuPercent >= TRUST_RULES.processCpuShare * 100 * input.cpus,
      })),
      TRUST_RULES.consecutivePeriods,
    );
    for (const run of busy) {
      const flagged = full.filter((p) => run.includes(p.start));
      const detail = flagged.map((p) => `${Math.round(100 * (p.workerUtilization ?? 0))}%`).join(', ');
      reasons.push(isStarved(flagged)
        ? `the machine starved the load generator of CPU for ${run.length} consecutive periods from ${clock(run[0])} UTC (worker event loop busy: ${detail}, while the generator process used ${flagged.map((p) => `${Math.round(p.cpuPercent)}%`).join(', ')} of a core: other processes held the cores); latencies include time spent waiting for a core`
        : `load generator CPU saturated for ${run.length} consecutive periods from ${clock(run[0])} UTC (worker event loop busy: ${detail}); latencies include client-side queueing`);
    }
    const delay = judgedDelay(input.workerHealth, plan.startedAt, judgedEnd);
    if (delay !== null) {
      generatorDelayMs = delay.p99Ms;
      const limit = delayLimitMs(input.medianLatencyMs ?? null);
      if (delay.samples >= TRUST_RULES.delayMinSamples && delay.p99Ms > limit) {
        const median = input.medianLatencyMs == null ? '' : ` (${TRUST_RULES.delayShare * 100}% of the median latency ${input.medianLatencyMs.toFixed(1)} ms, at least ${TRUST_RULES.delayFloorMs} ms)`;
        reasons.push(
          `the load generator delayed its own measurements: its worker event loop ran late by ${delay.p99Ms} ms at p99 (max ${delay.maxMs} ms), above the limit of ${round2(limit)} ms${median}; latencies include up to that much of the generator's own waiting`,
        );
      }
    }
  }

  return {
    schema: 'rampart.generator/1',
    periods,
    planned: { arrivals: plan === null ? 0 : Math.round(plan.arrivals), durationSeconds: plan === null ? 0 : plan.durationSeconds },
    actual: { arrivals: actualTotal, firstArrivalAt: input.firstArrivalAt, lastArrivalAt: input.lastArrivalAt },
    trust: { trustworthy: reasons.length === 0, reasons, ...(generatorDelayMs === undefined ? {} : { generatorDelayMs }) },
    ...(plan !== null && judgedEnd !== null ? { judged: { start: plan.startedAt, end: judgedEnd } } : {}),
  };
}
