// The intended arrival schedule of a run, from its phases as written (pure).
//
// Artillery runs phases one after another; each second of a ramp gets the rate at that second
// (linear from arrivalRate at second 0 to rampTo at the last second) rounded to whole arrivals, half
// up: each of its N workers takes floor(rate / N) and the fraction left over, N * frac(rate / N),
// rounded, goes to that many workers as one more arrival each, which sums to round(rate); a constant phase
// gets arrivalRate per second; an arrivalCount phase spreads its count evenly; a pause gets none.
// The plan is anchored at the moment the first phase started and follows the planned durations:
// a generator that falls behind makes later phases start late, the intended schedule does not.
// Durations are read by src/core/duration.ts, the parser compose uses too.
import { parseDuration } from './duration.ts';

export interface PhaseSpec {
  name?: string;
  duration?: number | string;
  pause?: number | string;
  arrivalRate?: number | string;
  rampTo?: number | string;
  arrivalCount?: number | string;
}

export interface PlannedSecond {
  offsetSeconds: number; // from the first phase's start
  arrivals: number;
}

/** A phase's duration or pause in seconds (absent: 0); a bad one stops the plan with one line. */
function phaseSeconds(value: number | string | undefined): number {
  if (value === undefined) return 0;
  const seconds = parseDuration(value);
  if (seconds === null) throw new Error(`phase duration '${String(value)}' is not a number of seconds or a time like '90s', '2m'`);
  return seconds;
}

const num = (value: number | string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
};

/** Planned arrivals per second of each phase, in order; pauses give zeros. */
export function plannedSeconds(phases: PhaseSpec[]): PlannedSecond[] {
  const out: PlannedSecond[] = [];
  let offset = 0;
  for (const phase of phases) {
    if (phase.pause !== undefined) {
      const pause = phaseSeconds(phase.pause);
      for (let i = 0; i < pause; i++) out.push({ offsetSeconds: offset + i, arrivals: 0 });
      offset += pause;
      continue;
    }
    const duration = phaseSeconds(phase.duration);
    const rate = num(phase.arrivalRate);
    const rampTo = num(phase.rampTo);
    const count = num(phase.arrivalCount);
    const seconds = Math.ceil(duration);
    for (let i = 0; i < seconds; i++) {
      let arrivals = 0;
      if (count !== undefined) arrivals = duration > 0 ? count / duration : 0;
      else if (rate !== undefined && rampTo !== undefined) {
        arrivals = Math.round(seconds <= 1 ? (rate + rampTo) / 2 : ((rampTo - rate) / (seconds - 1)) * i + rate);
      } else if (rate !== undefined) arrivals = rate;
      out.push({ offsetSeconds: offset + i, arrivals });
    }
    offset += duration;
  }
  return out;
}

export interface PlannedRun {
  startedAt: number; // ms since epoch
  durationSeconds: number;
  arrivals: number;
  seconds: PlannedSecond[];
}

export function planRun(phases: PhaseSpec[], startedAt: number): PlannedRun {
  const seconds = plannedSeconds(phases);
  let durationSeconds = 0;
  for (const phase of phases) durationSeconds += phaseSeconds(phase.pause ?? phase.duration);
  return { startedAt, durationSeconds, arrivals: seconds.reduce((n, s) => n + s.arrivals, 0), seconds };
}

/**
 * Planned arrivals that fall into [from, to) (ms since epoch), assuming the arrivals of each
 * planned second are spread evenly over it.
 */
export function plannedBetween(plan: PlannedRun, from: number, to: number): number {
  let total = 0;
  for (const second of plan.seconds) {
    const start = plan.startedAt + second.offsetSeconds * 1000;
    const end = start + 1000;
    const overlap = Math.min(end, to) - Math.max(start, from);
    if (overlap > 0) total += (second.arrivals * overlap) / 1000;
  }
  return total;
}
