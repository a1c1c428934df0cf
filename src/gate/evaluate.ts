// The gate's judgement of a run: trust, SLO budgets, and the baseline comparison. Pure.
//
// Input:  the candidate run, loaded and analysed once (or several runs of the same build, e.g. from
//         --repeat; the first is the run whose SLOs are checked), the merged SLO config, and a
//         baseline (or null).
// Output: a GateResult (src/core/bundle/types.ts), written by the command as gate.json.
//   outcome 'untrustworthy' when any candidate run cannot be trusted (then nothing is judged);
//   'fail' when an SLO is breached or an endpoint is SLOWER; else 'pass'.
import type { LatencyStats } from '../core/histogram.ts';
import { expectResults } from '../results/index.ts';
import type { BundleAnalysis, EndpointAnalysis, EndpointSummary, EnsureCheck } from '../results/index.ts';
import type { EndpointComparison, GateResult, LoadedBundle, SloCheck } from '../core/bundle/types.ts';
import { baselineRunOf, checkProfile, profileOf, runIdOf, seriesOf } from './baseline.ts';
import type { Baseline, BaselineRun } from './baseline.ts';
import { compareSeries, decide, formatP, ownSpread, seriesLevels, toEndpointComparison } from './compare.ts';
import type { ComparisonEvidence, RunSeries } from './compare.ts';
import { adjustedSeries, referenceLevels } from './drift.ts';
import type { SeriesByEndpoint } from './drift.ts';
import { ENDPOINT_METRICS, RUN_METRICS, endpointBudget } from './slo.ts';
import { ensureSloChecks, metricChecks } from './slo-metrics.ts';
import type { Budget, EndpointMetric, RunMetric, SloConfig } from './slo.ts';

/** Custom metric names behind the run-wide security budgets (recorded by the processors). */
export const SECURITY_METRICS: Record<Exclude<RunMetric, EndpointMetric | 'expectFailedRate'>, { metric: string; percentile: 'p95' | 'p99' }> = {
  detectionLatencyP95: { metric: 'rampart.detection_latency', percentile: 'p95' },
  detectionLatencyP99: { metric: 'rampart.detection_latency', percentile: 'p99' },
  correlationTimeP95: { metric: 'rampart.correlation_time', percentile: 'p95' },
  correlationTimeP99: { metric: 'rampart.correlation_time', percentile: 'p99' },
};

const LOWER_BOUND_METRICS = new Set<string>(['minThroughput']);

export interface Trust {
  trustworthy: boolean;
  reasons: string[];
}

/** The run as a whole from its endpoints' summaries, without decoding any histogram again. */
export interface RunTotals {
  requests: number;
  succeeded: number; // responses with a status below 400
  errorRate: number; // (transport errors + 5xx) / requests, as src/results/endpoints.ts defines it
  ratePerSecond: number;
  failures: Record<string, number>; // error kind -> count
}

export function runTotals(endpoints: readonly EndpointAnalysis[]): RunTotals {
  let requests = 0;
  let succeeded = 0;
  let errors = 0;
  let ratePerSecond = 0;
  const failures: Record<string, number> = {};
  for (const { summary } of endpoints) {
    requests += summary.requests;
    errors += summary.errors.transport + summary.errors.status5xx;
    ratePerSecond += summary.ratePerSecond;
    for (const [code, count] of Object.entries(summary.codes)) if (Number(code) < 400) succeeded += count;
    for (const [kind, count] of Object.entries(summary.errors.byKind)) failures[kind] = (failures[kind] ?? 0) + count;
  }
  return { requests, succeeded, errorRate: requests === 0 ? 0 : errors / requests, ratePerSecond, failures };
}

/** Whether a run can be judged at all: generator health, interruption, zero requests, all failed. */
export function assessTrust(bundle: LoadedBundle, totals: RunTotals): Trust {
  const reasons: string[] = [];
  if (bundle.generator !== null && !bundle.generator.trust.trustworthy) {
    reasons.push(...(bundle.generator.trust.reasons.length > 0 ? bundle.generator.trust.reasons : ['the measurement plugin marked the run untrustworthy']));
  }
  if (bundle.manifest?.interrupted === true) reasons.push('the run was interrupted before the end of its phases');
  if (totals.requests === 0) {
    reasons.push('the run made no requests (is the target up and the profile non-empty?)');
  } else if (totals.succeeded === 0) {
    const kinds = Object.entries(totals.failures).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([kind, count]) => `${kind} x${count}`);
    reasons.push(`every one of the ${totals.requests} requests failed (${kinds.join(', ') || 'no successful response'})`);
  }
  return { trustworthy: reasons.length === 0, reasons };
}

function latencyOf(stats: LatencyStats | null, metric: 'p50' | 'p90' | 'p95' | 'p99' | 'max'): number | null {
  return stats === null ? null : stats[metric];
}

function endpointActual(summary: EndpointSummary | null, metric: EndpointMetric): number | null {
  if (summary === null) return null;
  switch (metric) {
    case 'errorRate': return summary.requests > 0 ? summary.errorRate : null;
    case 'minThroughput': return summary.ratePerSecond;
    default: return latencyOf(summary.latencyMs, metric);
  }
}

function check(scope: string, metric: string, threshold: number, actual: number | null, unit: SloCheck['unit']): SloCheck {
  // No data is not a breach: an endpoint that never answered breaches its error-rate budget instead.
  const passed = actual === null ? true : LOWER_BOUND_METRICS.has(metric) ? actual >= threshold : actual <= threshold;
  return { scope, metric, threshold, actual, unit, passed };
}

function budgetChecks<M extends string>(scope: string, budget: Budget<M>, units: Record<M, SloCheck['unit']>, actual: (metric: M) => number | null): SloCheck[] {
  const checks: SloCheck[] = [];
  for (const metric of Object.keys(units) as M[]) {
    const threshold = budget[metric];
    if (threshold == null) continue;
    checks.push(check(scope, metric, threshold, actual(metric), units[metric]));
  }
  return checks;
}

const RUN_LATENCY_METRICS = new Set<string>(['p50', 'p90', 'p95', 'p99', 'max']);

/** Artillery's aggregate counters and rates of a run (custom ones included). */
interface Aggregate { counters: Readonly<Record<string, number>>; rates: Readonly<Record<string, number>> }

/** SLO checks of one run: every endpoint of the run, endpoint overrides without data, the run, and its custom metrics. */
export function checkSlos(slo: SloConfig, analysis: BundleAnalysis, aggregate: Aggregate = { counters: {}, rates: {} }): SloCheck[] {
  const { counters } = aggregate;
  const { endpoints, run, metrics } = analysis;
  const checks: SloCheck[] = [];
  const seen = new Set<string>();
  for (const analysis of endpoints) {
    const key = analysis.summary.endpoint;
    seen.add(key);
    checks.push(...budgetChecks(key, endpointBudget(slo, key), ENDPOINT_METRICS, (m) => endpointActual(analysis.summary, m)));
  }
  for (const key of Object.keys(slo.endpoints).sort()) {
    if (!seen.has(key)) checks.push(...budgetChecks(key, endpointBudget(slo, key), ENDPOINT_METRICS, () => null));
  }
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const totals = runTotals(endpoints);
  const expected = expectResults(counters);
  // The expect plugin's assertions are checks the user wrote: none may fail unless a budget says so.
  const runBudget: Budget<RunMetric> = expected === null ? slo.run : { expectFailedRate: 0, ...slo.run };
  checks.push(...budgetChecks('*', runBudget, RUN_METRICS, (metric) => {
    if (metric === 'expectFailedRate') return expected?.failedRate ?? null;
    if (Object.hasOwn(SECURITY_METRICS, metric)) {
      const source = SECURITY_METRICS[metric as keyof typeof SECURITY_METRICS];
      return byName.get(source.metric)?.stats?.[source.percentile] ?? null;
    }
    if (metric === 'errorRate') return totals.requests > 0 ? totals.errorRate : null;
    if (metric === 'minThroughput') return totals.ratePerSecond;
    if (RUN_LATENCY_METRICS.has(metric)) return endpointActual(run.summary, metric as EndpointMetric);
    return null;
  }));
  checks.push(...metricChecks(slo.metrics, { ...aggregate, histograms: metrics }, slo.locations));
  // Security budgets are about a custom metric, not about the endpoints: scope them by its name.
  return checks.map((c) => (c.scope === '*' && Object.hasOwn(SECURITY_METRICS, c.metric) ? { ...c, scope: SECURITY_METRICS[c.metric as keyof typeof SECURITY_METRICS].metric } : c));
}

/** Which evidence decided: the drift-adjusted comparison if it is decisive, else the absolute one. */
export function combineEvidence(absolute: ComparisonEvidence, adjusted: ComparisonEvidence | null): { decided: ComparisonEvidence; basis: 'absolute' | 'relative' } {
  if (adjusted === null) return { decided: absolute, basis: 'absolute' };
  const pick = (verdict: ComparisonEvidence['verdict']): { decided: ComparisonEvidence; basis: 'absolute' | 'relative' } | null => {
    if (adjusted.verdict === verdict) return { decided: adjusted, basis: 'relative' };
    if (absolute.verdict === verdict) return { decided: absolute, basis: 'absolute' };
    return null;
  };
  // A slowdown seen either way fails the gate; then a speed-up; then "no change" relative to the
  // rest of the API (the absolute figures may be too noisy to say); else undecided.
  return pick('SLOWER') ?? pick('FASTER') ?? (adjusted.verdict === 'SAME' ? { decided: adjusted, basis: 'relative' } : null)
    ?? pick('SAME') ?? { decided: adjusted.ratio !== null ? adjusted : absolute, basis: adjusted.ratio !== null ? 'relative' : 'absolute' };
}

/** Per-endpoint verdicts of the candidate runs against the baseline runs. */
export function compareWithBaseline(slo: SloConfig, candidates: BaselineRun[], baseline: BaselineRun[]): EndpointComparison[] {
  const settings = slo.comparison;
  const { statistic, minRequestsPerPeriod } = settings;
  const endpoints = new Set<string>();
  for (const run of candidates) for (const key of Object.keys(run.endpoints)) endpoints.add(key);
  const series = (runs: BaselineRun[], key: string): RunSeries[] =>
    runs.filter((run) => Object.hasOwn(run.endpoints, key)).map((run) => ({ runId: run.runId, values: seriesOf(run, key, statistic, minRequestsPerPeriod) }));

  let adjustedOf: ((runs: BaselineRun[], key: string) => RunSeries[]) | null = null;
  if (settings.adjustForDrift) {
    const reference = referenceLevels(baseline, statistic, minRequestsPerPeriod);
    const adjust = (run: BaselineRun): SeriesByEndpoint => adjustedSeries(run, reference, statistic, minRequestsPerPeriod, settings.minReferenceEndpoints);
    const cache = new Map<BaselineRun, SeriesByEndpoint>();
    const adjusted = (run: BaselineRun): SeriesByEndpoint => {
      let found = cache.get(run);
      if (found === undefined) {
        found = adjust(run);
        cache.set(run, found);
      }
      return found;
    };
    adjustedOf = (runs, key) => runs.filter((run) => Object.hasOwn(run.endpoints, key)).map((run) => ({ runId: run.runId, values: adjusted(run).get(key) ?? [] }));
  }

  const keys = [...endpoints].sort();
  // Relative comparisons: each endpoint's between-run spread is combined with the spread the other
  // endpoints of the same runs show (compare.ts decide), since 2 + 2 runs say little on their own.
  const relativeLevels = keys.map((key) => (adjustedOf === null ? null : seriesLevels(`${key} (relative)`, adjustedOf(candidates, key), adjustedOf(baseline, key), settings)));
  const spreads = relativeLevels.map((levels) => (levels?.levels == null ? null : ownSpread(levels.levels)));
  const adjustedAll = relativeLevels.map((levels, index) => {
    if (levels === null) return null;
    const others = spreads.filter((spread, other): spread is { variance: number; df: number } => other !== index && spread !== null);
    const df = others.reduce((n, o) => n + o.df, 0);
    return decide(levels, settings, df === 0 ? null : { variance: others.reduce((v, o) => v + o.variance * o.df, 0) / df, df });
  });
  // Absolute latencies move with the whole machine: where the relative comparison exists, the
  // absolute one assumes at least absoluteNoiseFloor; where it cannot be made (too few endpoints),
  // the absolute comparison is the only one and uses noiseFloor.
  const absoluteSettings = { ...settings, noiseFloor: Math.max(settings.noiseFloor, settings.absoluteNoiseFloor) };
  const absolutes = keys.map((key, index) => compareSeries(key, series(candidates, key), series(baseline, key), adjustedAll[index]?.ratio != null ? absoluteSettings : settings));
  const ratios = absolutes.map((e) => e.ratio).filter((r): r is number => r !== null).sort((a, b) => a - b);
  const runShift = ratios.length === 0 ? null : ratios[Math.floor(ratios.length / 2)];
  return keys.map((key, index) => {
    const absolute = absolutes[index];
    const adjusted = adjustedAll[index];
    const combined = combineEvidence(absolute, adjusted);
    const { basis } = combined;
    let { decided } = combined;
    // Slower only in absolute terms, not relative to the other endpoints: the whole run moved
    // together, which a slower machine does too. It counts only when repeated: at least two
    // candidate runs, every one of them slower than every baseline run by more than the threshold.
    if (decided.verdict === 'SLOWER' && basis === 'absolute' && adjusted !== null && adjusted.ratio !== null && absolute.ratio !== null) {
      // Every endpoint's absolute comparison carries the same machine drift, so a run-wide shift gets
      // k chances to look significant: the absolute-only verdict is held to alpha / k (Bonferroni).
      const confirmed = absolute.candidateLevels.length >= 2 && (absolute.pValue ?? 1) < settings.alpha / keys.length
        && Math.min(...absolute.candidateLevels) - Math.max(...absolute.baselineLevels) > Math.log(1 + settings.threshold);
      if (!confirmed) {
        decided = {
          ...decided,
          verdict: 'UNKNOWN',
          reason: `${formatRatio(absolute.ratio)} slower together with the other endpoints (the run as a whole ${formatRatio(runShift ?? absolute.ratio)}): a slower machine or a change everywhere; it counts when at least two runs are each more than ${Math.round(settings.threshold * 100)}% slower than every baseline run and p < ${formatP(settings.alpha / keys.length)} (alpha / ${keys.length} endpoints; --repeat)`,
        };
      }
    }
    const comparison = toEndpointComparison(key, statistic, decided);
    const other = basis === 'relative' ? absolute : adjusted;
    const otherText = other === null ? '' : other.ratio === null ? `; ${basis === 'relative' ? 'absolute' : 'relative'}: ${other.verdict}` : `; ${basis === 'relative' ? 'absolute' : 'relative'}: ${other.verdict} ${formatRatio(other.ratio)}`;
    return { ...comparison, detail: `${basis === 'relative' ? 'relative to the other endpoints: ' : ''}${comparison.detail}${otherText}` };
  });
}

function formatRatio(ratio: number): string {
  const change = (ratio - 1) * 100;
  return `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`;
}

/** A candidate run as the gate judges it: the bundle and its one analysis. */
export interface AnalysedRun {
  bundle: LoadedBundle;
  analysis: BundleAnalysis;
  /** Artillery's ensure checks from the run's console output (src/results/ensure.ts); null or absent when none were found */
  ensure?: EnsureCheck[] | null;
}

export function evaluate(candidates: readonly AnalysedRun[], slo: SloConfig, baseline: Baseline | null): GateResult {
  if (candidates.length === 0) throw new RangeError('evaluate needs at least one candidate run');
  if (baseline !== null) for (const { bundle } of candidates) checkProfile(profileOf(bundle), baseline);

  // A run never serves as its own baseline (e.g. judged again after --update-baseline recorded it):
  // the baseline's count is of the runs actually compared with.
  const own = new Set(candidates.map((a) => runIdOf(a.bundle)));
  const baselineRuns = baseline?.file.runs.filter((run) => !own.has(run.runId)) ?? [];
  const baselineSummary = baseline === null ? null : { source: baseline.source, runs: baselineRuns.length };
  const judged = candidates.map((run) => ({ ...run, trust: assessTrust(run.bundle, runTotals(run.analysis.endpoints)) }));
  const untrusted = judged.filter((a) => !a.trust.trustworthy);
  if (untrusted.length > 0) {
    const reasons = untrusted.flatMap((a) => a.trust.reasons.map((r) => (candidates.length > 1 ? `${runIdOf(a.bundle)}: ${r}` : r)));
    return { schema: 'rampart.gate/1', outcome: 'untrustworthy', trust: { trustworthy: false, reasons }, slo: [], comparisons: [], baseline: baselineSummary };
  }

  const slos = [...checkSlos(slo, candidates[0].analysis, candidates[0].bundle.artillery.aggregate), ...ensureSloChecks(candidates[0].ensure ?? null)];
  let comparisons: EndpointComparison[] = [];
  if (baselineRuns.length > 0) {
    const runs = candidates.map((a) => baselineRunOf(a.bundle, a.analysis.endpoints));
    comparisons = compareWithBaseline(slo, runs, baselineRuns);
  }
  const failed = slos.some((c) => !c.passed) || comparisons.some((c) => c.verdict === 'SLOWER');
  return {
    schema: 'rampart.gate/1',
    outcome: failed ? 'fail' : 'pass',
    trust: { trustworthy: true, reasons: [] },
    slo: slos,
    comparisons,
    baseline: baselineSummary,
  };
}

/** True when some endpoint could not be decided: --repeat gathers another run. */
export function undecided(result: GateResult): boolean {
  return result.comparisons.some((c) => c.verdict === 'UNKNOWN' && c.ratio !== null);
}
