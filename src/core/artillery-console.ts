// Artillery 2's console report, read back (pure): each "Metrics for period to: HH:MM:SS(+ZZZZ)" block's
// counters, rates and summaries (min, max, mean, median, p95, p99 as printed, per-endpoint ones
// included when metrics-by-endpoint prints them), up to the final "Summary report". Used for an
// interrupted run's counts (src/run) and for the live page (src/observe).
const PERIOD_HEADER = /^Metrics for period to: (\d{2}):(\d{2}):(\d{2})\(([+-])(\d{2})(\d{2})\)/;
const VALUE_LINE = /^(\S.*?):\s+\.*\s*(-?\d+(?:\.\d+)?)(\/sec)?$/;
const SUMMARY_HEAD = /^(\S.*):$/;
const SUMMARY_LINE = /^\s+(min|max|mean|median|p95|p99):\s+\.*\s*(-?\d+(?:\.\d+)?)$/;

/** A summary's readings: min, max, mean, median, p95, p99 (those printed). */
export type Readings = Partial<Record<string, number>>;

export interface ConsolePeriod {
  /** end of the 10 s period, ms since the epoch */
  end: number;
  counters: Record<string, number>;
  rates: Record<string, number>;
  summaries: Partial<Record<string, Readings>>;
}

/** Wall-clock ms of a printed time of day, on the day of `nearMs` (or the next one after midnight). */
function timeOfDay(nearMs: number, h: number, m: number, s: number, offsetMinutes: number): number {
  const day = new Date(nearMs);
  let t = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, m, s) - offsetMinutes * 60_000;
  if (t < nearMs - 12 * 3_600_000) t += 86_400_000;
  return t;
}

export function consolePeriods(log: string, startedAtMs: number): ConsolePeriod[] {
  const periods: ConsolePeriod[] = [];
  let current: ConsolePeriod | null = null;
  let summary: Readings | null = null;
  for (const raw of log.split('\n')) {
    if (raw.startsWith('Summary report @')) break;
    const header = PERIOD_HEADER.exec(raw);
    if (header !== null) {
      const [, h, m, s, sign, oh, om] = header;
      const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
      current = { end: timeOfDay(startedAtMs, Number(h), Number(m), Number(s), offset), counters: {}, rates: {}, summaries: {} };
      periods.push(current);
      summary = null;
      continue;
    }
    if (current === null) continue;
    const reading = SUMMARY_LINE.exec(raw);
    if (reading !== null) {
      if (summary !== null) summary[reading[1]] = Number(reading[2]);
      continue;
    }
    const value = VALUE_LINE.exec(raw.trim());
    if (value !== null && !raw.startsWith(' ')) {
      const [, name, n, unit] = value;
      if (unit === '/sec') current.rates[name] = Number(n);
      else current.counters[name] = Number(n);
      summary = null;
      continue;
    }
    const head = SUMMARY_HEAD.exec(raw);
    if (head !== null && !raw.startsWith(' ')) {
      summary = {};
      current.summaries[head[1]] = summary;
    }
  }
  return periods;
}
