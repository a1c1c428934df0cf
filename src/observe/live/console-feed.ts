// The periods Artillery has printed so far, read from its console log as the run goes (pure): each
// "Metrics for period to: HH:MM:SS" block's counters, rates and summaries (min, max, mean, median,
// p95, p99), per-endpoint ones included when metrics-by-endpoint prints them. The live page draws
// them; the bundle's exact figures come later, from the measurement plugin.
import { consolePeriods, type ConsolePeriod, type Readings } from '../../core/artillery-console.ts';

export type { Readings };
export type LivePeriod = ConsolePeriod;

export function livePeriods(log: string, startedAtMs: number): LivePeriod[] {
  return consolePeriods(log, startedAtMs);
}

/** Per-endpoint summaries of a period: metrics-by-endpoint's `plugins.metrics-by-endpoint.response_time.<key>`. */
export function endpointSummaries(period: LivePeriod): Map<string, Readings> {
  const prefix = 'plugins.metrics-by-endpoint.response_time.';
  const out = new Map<string, Readings>();
  for (const [name, s] of Object.entries(period.summaries)) if (s !== undefined && name.startsWith(prefix)) out.set(name.slice(prefix.length), s);
  return out;
}
