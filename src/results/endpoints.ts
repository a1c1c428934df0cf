// The per-endpoint analysis: a series' per-period points and its summary over the run, built from a
// source's figures (./source.ts) the same way whichever source gave them. Pure.
//
// Conventions
// - Latency figures are in milliseconds (fractional: histograms hold µs).
// - requests = responses + transport errors (a request that got no response).
// - errorRate = (transport errors + 5xx responses) / requests. 4xx responses are counted in
//   errors.status4xx and errors.byKind but not in errorRate: flows send some 4xx on purpose
//   (bad credentials, missing records). Callers who want them can add errors.status4xx.
// - Periods are Artillery's 10 s wall-clock windows; a period's rate is its requests / 10 s, so the
//   first and last periods of a run (partial) read low. Use `requests` as their weight.
import { PERIOD_MS } from '../core/bundle/types.ts';
import type { LatencyStats } from '../core/histogram.ts';
import { apdex } from './apdex.ts';
import type { ApdexScore } from './apdex.ts';
import type { FigureSource, SeriesFigures, SeriesTotal } from './source.ts';
import type { PeriodColumns } from './columns.ts';

export interface ErrorBreakdown {
  transport: number; // requests that got no response
  status4xx: number;
  status5xx: number;
  /** transport error codes (ETIMEDOUT, ECONNREFUSED, ...) and 'HTTP <status>' for 4xx/5xx */
  byKind: Record<string, number>;
}

export interface PeriodPoint {
  start: number; // ms since epoch, multiple of PERIOD_MS
  requests: number;
  responses: number;
  errors: number; // transport errors + 5xx
  codes: Record<string, number>;
  ratePerSecond: number; // requests / 10 s
  latencyMs: LatencyStats | null;
}

export interface EndpointSummary {
  endpoint: string; // endpoint key, '*' for all endpoints together
  source: FigureSource;
  requests: number;
  responses: number;
  codes: Record<string, number>;
  errors: ErrorBreakdown;
  errorRate: number; // (transport + 5xx) / requests; 0 when there were no requests
  ratePerSecond: number; // requests / run duration
  latencyMs: LatencyStats | null;
  apdex: ApdexScore | null; // null from Artillery summaries (no distribution to score)
}

export interface EndpointAnalysis {
  summary: EndpointSummary;
  periods: PeriodPoint[]; // oldest first; only periods with data
  /** the same periods as columns of numbers, when the analysis keeps them so (not enumerable) */
  readonly columns?: PeriodColumns;
}

const count5xx = (codes: Record<string, number>): number =>
  Object.entries(codes).reduce((n, [code, count]) => (Number(code) >= 500 ? n + count : n), 0);

function breakdown(codes: Record<string, number>, transportKinds: Record<string, number>, transport: number): ErrorBreakdown {
  const byKind: Record<string, number> = {};
  let status4xx = 0;
  let status5xx = 0;
  for (const [code, count] of Object.entries(codes)) {
    const status = Number(code);
    if (status >= 400 && status < 500) status4xx += count;
    if (status >= 500) status5xx += count;
    if (status >= 400) byKind[`HTTP ${code}`] = count;
  }
  let named = 0;
  for (const [kind, count] of Object.entries(transportKinds)) {
    byKind[kind] = (byKind[kind] ?? 0) + count;
    named += count;
  }
  if (transport > named) byKind['transport (unknown)'] = transport - named;
  return { transport: Math.max(transport, named), status4xx, status5xx, byKind };
}

/** One period of a series. */
export function periodPoint(start: number, f: SeriesFigures): PeriodPoint {
  const requests = f.responses + f.transport;
  return { start, requests, responses: f.responses, errors: f.transport + count5xx(f.codes), codes: f.codes, ratePerSecond: requests / (PERIOD_MS / 1000), latencyMs: f.latency };
}

/** A series over the whole run; Apdex only where the exact distribution is known. */
export function seriesSummary(endpoint: string, source: FigureSource, total: SeriesTotal, durationSeconds: number, apdexTMs: number): EndpointSummary {
  const errors = breakdown(total.codes, total.errorKinds, total.transport);
  const requests = total.responses + errors.transport;
  return {
    endpoint,
    source,
    requests,
    responses: total.responses,
    codes: total.codes,
    errors,
    errorRate: requests === 0 ? 0 : (errors.transport + errors.status5xx) / requests,
    ratePerSecond: durationSeconds > 0 ? requests / durationSeconds : 0,
    latencyMs: total.latency,
    apdex: total.histogram === null ? null : apdex(total.histogram, apdexTMs, errors.transport, errors.status5xx),
  };
}
