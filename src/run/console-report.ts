// Artillery 2.0.34 writes no --output file when it is stopped early (SIGINT), but its console has
// already printed every completed 10 s period. This turns those printed periods back into an
// Artillery-shaped output (pure), so an interrupted run keeps its counts and the report stage can read
// it: counters and rates are exact as printed; latency summaries are left out (the console prints only
// some percentiles, rounded) — the exact latencies of the run are in the rampart plugin's
// histograms.json.
import { consolePeriods } from '../core/artillery-console.ts';
import type { ArtilleryOutput, ArtilleryPeriod } from '../core/bundle/types.ts';

export interface Reconstructed extends ArtilleryOutput {
  rampart: { reconstructedFrom: string; note: string };
}

export function periodsFromConsole(log: string, runStartedAtMs: number): ArtilleryPeriod[] {
  // summaries are left out: the console prints only some percentiles, rounded
  return consolePeriods(log, runStartedAtMs).map(({ end, counters, rates }) => ({ counters, rates, summaries: {}, period: end - 10_000, firstMetricAt: end - 10_000, lastMetricAt: end }));
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
