// The trust rules: when a run's figures may be believed. The measurement plugin applies them to
// write generator.json's verdict; the report and the gate read that verdict and use the same
// definition of a full period, so none of them can disagree about which periods count.
//
//   on time     arrivals created by the planned end of the run (+1 s) must be >= 99% of planned;
//               Artillery does not drop late arrivals, it stretches the phases, so a total that
//               matches in the end proves nothing
//   sustained   no 2 consecutive full periods with actual < 99% of planned - 2 arrivals
//   saturated   no 2 consecutive full periods with a worker's event loop >= 95% busy, or the
//               process using >= 95% of every core (a busy worker whose process used < 90% of a
//               core was starved of CPU by other processes: the reason says so)
//   complete    every worker delivered its measurements, a phase started, and the run was not
//               interrupted (an interrupted run is judged only up to the interruption)
//   delayed     the generator's own delay (its worker threads' event-loop delay, p99 over the judged
//               window, on at least 500 timer samples) must not exceed the larger of 25 ms and 50% of
//               the run's median latency: up to that, it is the error bar the run states
//               (trust.generatorDelayMs); beyond it, the generator's own waiting is of the order of
//               what it measures (docs/measurement.md, "The generator's error bar")
import { PERIOD_MS } from './bundle/types.ts';

export const TRUST_RULES = {
  onTimeShare: 0.99,
  onTimeGraceMs: 1000,
  periodShare: 0.99,
  periodSlackArrivals: 2,
  consecutivePeriods: 2,
  workerUtilization: 0.95,
  processCpuShare: 0.95,
  /** a saturated worker whose process used less than this share of one core was starved of CPU, not busy */
  starvedCpuShare: 0.9,
  /** the generator's delay p99 may reach this share of the run's median latency ... */
  delayShare: 0.5,
  /** ... or this many ms, whichever is larger (about two of the OS scheduler's periods on a shared 2-core machine) */
  delayFloorMs: 25,
  /** the delay is judged on at least this many timer samples (5 s of the 10 ms timer) */
  delayMinSamples: 500,
} as const;

/** The most event-loop delay (p99, ms) a run's generator may add before the run is untrustworthy. */
export function delayLimitMs(medianLatencyMs: number | null): number {
  return Math.max(TRUST_RULES.delayFloorMs, TRUST_RULES.delayShare * (medianLatencyMs ?? 0));
}

/**
 * A full period lies wholly inside the judged run: it starts at or after the run's start and ends by
 * its end. The partial first and last periods (and a short run's only periods) are not full and are
 * judged by the on-time rule alone.
 */
export function isFullPeriod(periodStart: number, runStart: number, runEnd: number): boolean {
  return periodStart >= runStart && periodStart + PERIOD_MS <= runEnd;
}

/** Whether a full period's actual arrivals fall short of its plan (the "sustained" rule). */
export function isBelowPlan(actualArrivals: number, plannedArrivals: number): boolean {
  return actualArrivals < TRUST_RULES.periodShare * plannedArrivals - TRUST_RULES.periodSlackArrivals;
}
