// Results: the figures of a run bundle, read from disk once and analysed once.
//
//   loadBundle(path)            a bundle folder or a plain `artillery run --output` file (./bundle.ts)
//   analyzeBundle(bundle)       endpoints, the run, custom metrics, time axis (./analysis.ts), from
//                               the bundle's one source of figures (./source.ts)
//
// The per-question helpers below each analyse the bundle again: for callers that need one figure
// (the end-of-run summary, tests); a command uses analyzeBundle and passes its result on.
import type { LoadedBundle } from '../core/bundle/types.ts';
import { withDerivedParts } from '../core/bundle/histogram-file.ts';
import { analyzeBundle } from './analysis.ts';
import type { AnalysisOptions } from './analysis.ts';
import type { CustomMetric } from './custom-metrics.ts';
import type { EndpointAnalysis, EndpointSummary } from './endpoints.ts';

export { loadBundle } from './bundle.ts';
export { analyzeBundle } from './analysis.ts';
export type { AnalysisOptions, BundleAnalysis } from './analysis.ts';
export { apdex } from './apdex.ts';
export { endpointKeyOfArtilleryName, isCustomMetricName } from './artillery-source.ts';
export type { CustomMetric } from './custom-metrics.ts';
export { expectResults } from './expect.ts';
export { ensureChecks } from './ensure.ts';
export type { EnsureCheck } from './ensure.ts';
export type { ExpectResults } from './expect.ts';
export type { EndpointAnalysis, EndpointSummary, PeriodPoint } from './endpoints.ts';

/** Adds the derived parts (per-period stats, overall, totals) to a histogram document. */
export const summarizeHistogramFile = withDerivedParts;

/** Per-endpoint summary and per-period series for every endpoint key, sorted by key. */
export function analyzeEndpoints(bundle: LoadedBundle, options: AnalysisOptions = {}): EndpointAnalysis[] {
  return analyzeBundle(bundle, options).endpoints;
}

/** Per-endpoint summaries only. */
export function summarizeEndpoints(bundle: LoadedBundle, options: AnalysisOptions = {}): EndpointSummary[] {
  return analyzeEndpoints(bundle, options).map((analysis) => analysis.summary);
}

/** The run as a whole (endpoint '*'): all endpoints merged, in total and per period. */
export function analyzeRun(bundle: LoadedBundle, options: AnalysisOptions = {}): EndpointAnalysis {
  return analyzeBundle(bundle, options).run;
}

/** Custom latency metrics (detection latency, correlation time, ...), sorted by name. */
export function customMetrics(bundle: LoadedBundle): CustomMetric[] {
  return analyzeBundle(bundle).metrics;
}

/** Total requests of the run (responses + transport errors). */
export function totalRequests(bundle: LoadedBundle): number {
  return analyzeBundle(bundle).run.summary.requests;
}
