// What every finding rule reads: the bundle's analysis (src/results), its generator health and its
// platform samples, plus a few figures derived once (request time per endpoint, the run's window).
import type { ArtilleryOutput, GeneratorFile, ResourcesFile, StatementsFile } from '../core/bundle/types.ts';
import type { BundleAnalysis, EndpointSummary } from '../results/index.ts';

export interface RuleInput {
  analysis: BundleAnalysis;
  generator: GeneratorFile | null;
  resources: ResourcesFile | null;
  statements: StatementsFile | null;
  /** Artillery's output, for the errors that are not requests' (a scenario's own, e.g. a probe timing out) */
  artillery?: ArtilleryOutput;
}

export interface EndpointTime {
  endpoint: string;
  requests: number;
  /** responses x mean latency, ms: the time clients spent waiting on this endpoint */
  timeMs: number;
  share: number; // of all endpoints' time
  summary: EndpointSummary;
}

/** Endpoints by the total time clients waited on them, largest first. */
export function endpointTimes(analysis: BundleAnalysis): EndpointTime[] {
  const rows = analysis.endpoints.map((e) => ({ endpoint: e.summary.endpoint, requests: e.summary.requests, timeMs: e.summary.responses * (e.summary.latencyMs?.mean ?? 0), summary: e.summary }));
  const total = rows.reduce((sum, r) => sum + r.timeMs, 0);
  return rows.map((r) => ({ ...r, share: total > 0 ? r.timeMs / total : 0 })).sort((a, b) => b.timeMs - a.timeMs);
}

/** Requests in flight on average (Little's law: total request time / run length), or null without figures. */
export function meanRequestsInFlight(analysis: BundleAnalysis): number | null {
  const totalMs = endpointTimes(analysis).reduce((sum, r) => sum + r.timeMs, 0);
  return analysis.durationSeconds > 0 && totalMs > 0 ? totalMs / 1000 / analysis.durationSeconds : null;
}

/**
 * When the load ran (ms): from the first phase's start (generator.json's judged window) to the planned
 * end or Artillery's last metric, whichever is later; else Artillery's first to last metric, else the span of the periods with data;
 * null when none is known.
 */
export function runWindow(input: RuleInput): { start: number; end: number } | null {
  const { firstMetricAt, lastMetricAt } = input.artillery?.aggregate ?? {};
  const judged = input.generator?.judged;
  // the last responses (a queue draining after the planned end) are load too
  if (judged !== undefined) return { start: judged.start, end: Math.max(judged.end, typeof lastMetricAt === 'number' ? lastMetricAt : 0) };
  if (typeof firstMetricAt === 'number' && typeof lastMetricAt === 'number' && lastMetricAt > firstMetricAt) return { start: firstMetricAt, end: lastMetricAt };
  const starts = input.analysis.periodStarts;
  if (starts.length === 0) return null;
  return { start: starts[0], end: starts[starts.length - 1] + 10_000 };
}

export const percent = (share: number): number => Math.round(share * 1000) / 10;
export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** A statement's text on one line, cut to `max` characters. */
export function statementText(query: string, max = 200): string {
  const line = query.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
