// Artillery 2.0.34 writes no --output file when it is stopped early (SIGINT), but its console has
// already printed every completed 10 s period. This turns those printed periods back into an
// Artillery-shaped output (pure), so an interrupted run keeps its counts and the report stage can read
// it: counters and rates are exact as printed; latency summaries are left out (the console prints only
// some percentiles, rounded) — the exact latencies of the run are in the rampart plugin's
// histograms.json.
import type { ArtilleryOutput, ArtilleryPeriod } from '../core/bundle/types.ts';

const PERIOD_HEADER = /^Metrics for period to: (\d{2}):(\d{2}):(\d{2})\(([+-])(\d{2})(\d{2})\)/;
const VALUE_LINE = /^(\S.*):\s+\.*\s*(\d+(?:\.\d+)?)(\/sec)?$/;

export interface Reconstructed extends ArtilleryOutput {
  rampart: { reconstructedFrom: string; note: string };
}

/** Wall-clock ms of a printed time of day, on the day of `nearMs` (or the next one after midnight). */
function timeOfDay(nearMs: number, h: number, m: number, s: number, offsetMinutes: number): number {
  const day = new Date(nearMs);
  let t = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, m, s) - offsetMinutes * 60_000;
  if (t < nearMs - 12 * 3_600_000) t += 86_400_000;
  return t;
}

export function periodsFromConsole(log: string, runStartedAtMs: number): ArtilleryPeriod[] {
  const periods: ArtilleryPeriod[] = [];
  let current: ArtilleryPeriod | null = null;
  for (const raw of log.split('\n')) {
    if (raw.startsWith('Summary report @')) break;
    const header = PERIOD_HEADER.exec(raw);
    if (header !== null) {
      const [, h, m, s, sign, oh, om] = header;
      const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
      const end = timeOfDay(runStartedAtMs, Number(h), Number(m), Number(s), offset);
      current = { counters: {}, rates: {}, summaries: {}, period: end - 10_000, firstMetricAt: end - 10_000, lastMetricAt: end };
      periods.push(current);
      continue;
    }
    if (current === null || raw.startsWith(' ')) continue; // summary lines ("  p95: ...") are left out
    const value = VALUE_LINE.exec(raw.trim());
    if (value === null) continue;
    const [, name, n, unit] = value;
    if (unit === '/sec') current.rates[name] = Number(n);
    else current.counters[name] = Number(n);
  }
  return periods;
}

export function outputFromConsole(log: string, runStartedAtMs: number): Reconstructed | null {
  const intermediate = periodsFromConsole(log, runStartedAtMs);
  if (intermediate.length === 0) return null;
  const counters: Record<string, number> = {};
  for (const p of intermediate) for (const [k, v] of Object.entries(p.counters)) counters[k] = (counters[k] ?? 0) + v;
  return {
    aggregate: {
      counters,
      rates: {},
      summaries: {},
      period: intermediate[0].period,
      firstMetricAt: intermediate[0].firstMetricAt,
      lastMetricAt: intermediate[intermediate.length - 1].lastMetricAt,
    },
    intermediate,
    rampart: {
      reconstructedFrom: 'artillery.log',
      note: 'interrupted run: Artillery wrote no --output; counters and rates of the periods it printed, no summaries (see histograms.json)',
    },
  };
}
