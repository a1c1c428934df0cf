// The intended arrival schedule of a run, from its phases as written (pure).
//
// Artillery runs phases one after another; each second of a ramp gets floor(rate at that second)
// arrivals (rate linear from arrivalRate at second 0 to rampTo at the last second); a constant phase
// gets arrivalRate per second; an arrivalCount phase spreads its count evenly; a pause gets none.
// The plan is anchored at the moment the first phase started and follows the planned durations:
// a generator that falls behind makes later phases start late, the intended schedule does not.

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

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001, msec: 0.001, msecs: 0.001, millisecond: 0.001, milliseconds: 0.001,
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
};

/** Phase durations as Artillery reads them: a number (or numeric string) of seconds, or '2m', '90s'... */
export function parseDurationSeconds(value: number | string | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^(-?\d*\.?\d+)\s*([a-z]+)$/i.exec(text);
  const unit = match === null ? undefined : UNIT_SECONDS[match[2].toLowerCase()];
  if (match === null || unit === undefined) throw new Error(`phase duration '${value}' is not a number of seconds or a time like '90s', '2m'`);
  return Number(match[1]) * unit;
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
      const pause = parseDurationSeconds(phase.pause);
      for (let i = 0; i < pause; i++) out.push({ offsetSeconds: offset + i, arrivals: 0 });
      offset += pause;
      continue;
    }
    const duration = parseDurationSeconds(phase.duration);
    const rate = num(phase.arrivalRate);
    const rampTo = num(phase.rampTo);
    const count = num(phase.arrivalCount);
    const seconds = Math.ceil(duration);
    for (let i = 0; i < seconds; i++) {
      let arrivals = 0;
      if (count !== undefined) arrivals = duration > 0 ? count / duration : 0;
      else if (rate !== undefined && rampTo !== undefined) {
        arrivals = seconds <= 1 ? Math.floor((rate + rampTo) / 2) : Math.floor(rate + ((rampTo - rate) * i) / (seconds - 1));
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
  for (const phase of phases) durationSeconds += parseDurationSeconds(phase.pause ?? phase.duration);
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
