// Builds the report's model from a loaded bundle and an optional gate result. Pure: all figures
// come from src/results/aggregate.ts; this module only arranges them for the renderers.
import { basename } from 'node:path';
import { PERIOD_MS } from '../core/bundle/types.ts';
import type { EndpointComparison, GateResult, LoadedBundle, SloCheck } from '../core/bundle/types.ts';
import { analyzeEndpoints, analyzeRun, customMetrics, DEFAULT_APDEX_T_MS, periodStarts, runDurationSeconds } from '../results/aggregate.ts';
import type { LatencyStats } from '../core/histogram.ts';
import type { CustomMetric, EndpointAnalysis, PeriodPoint } from '../results/aggregate.ts';
import type { ChartSpec, CustomMetricRow, EndpointRow, LatencyFigures, ReportModel, SeriesLine } from './model.ts';
import { formatChange, formatSloValue, sloComparator } from './format.ts';
// The plugin's own trust thresholds, so the report flags exactly what the plugin judges.
import { TRUST_RULES } from '../core/trust.ts';

export interface BuildOptions {
  gate?: GateResult | null;
  /** Apdex threshold T in ms (default: aggregate's DEFAULT_APDEX_T_MS). */
  apdexTMs?: number;
  /** How many of the busiest endpoints get a line in the per-endpoint p95 chart (default 6). */
  chartEndpoints?: number;
}

export const PLAIN_ARTILLERY_NOTE =
  'This bundle holds only Artillery’s own summaries (a plain “artillery run --output” file): latencies are whole '
  + 'milliseconds, so sub-millisecond responses read 0, and percentiles come from a sketch that is unreliable on '
  + 'small samples. Apdex and generator health need the measurement plugin (a “rampart run” bundle).';

function figures(stats: LatencyStats | null, count: number): LatencyFigures {
  return {
    count,
    p50: stats?.p50 ?? null,
    p90: stats?.p90 ?? null,
    p95: stats?.p95 ?? null,
    p99: stats?.p99 ?? null,
    max: stats?.max ?? null,
    mean: stats?.mean ?? null,
  };
}

const errorsOf = (a: EndpointAnalysis): number => a.summary.errors.transport + a.summary.errors.status5xx;

/** One line of an SLO check, for reasons and tooltips. */
export function describeCheck(c: SloCheck): string {
  const scope = c.scope === '*' ? 'whole run' : c.scope;
  return `${scope} ${c.metric} ${formatSloValue(c.actual, c.unit)} (budget ${sloComparator(c.metric, c.unit)} ${formatSloValue(c.threshold, c.unit)})`;
}

function describeComparison(c: EndpointComparison): string {
  return `${c.endpoint} is ${c.verdict} than the baseline (${formatChange(c.ratio)})${c.detail ? `: ${c.detail}` : ''}`;
}

function endpointRow(a: EndpointAnalysis, gate: GateResult | null): EndpointRow {
  const s = a.summary;
  const comparison = gate?.comparisons.find((c) => c.endpoint === s.endpoint) ?? null;
  const errors = errorsOf(a);
  return {
    key: s.endpoint,
    ...figures(s.latencyMs, s.responses),
    requests: s.requests,
    ratePerSecond: s.ratePerSecond > 0 ? s.ratePerSecond : null,
    errors,
    errorRate: s.errorRate,
    apdex: s.apdex?.score ?? null,
    ...sloOf(s.endpoint, gate),
    comparison: comparison === null ? null : { verdict: comparison.verdict, ratio: comparison.ratio, detail: comparison.detail },
  };
}

function line(label: string, x: number[], points: Map<number, number | null>): SeriesLine {
  return { label, values: x.map((start) => points.get(start) ?? null) };
}

function pointsBy(periods: PeriodPoint[], pick: (p: PeriodPoint) => number | null): Map<number, number | null> {
  return new Map(periods.map((p) => [p.start, pick(p)]));
}

const count4xx = (codes: Record<string, number>): number =>
  Object.entries(codes).reduce((n, [code, c]) => (Number(code) >= 400 && Number(code) < 500 ? n + c : n), 0);

function chart(id: string, title: string, unit: string, x: number[], lines: SeriesLine[]): ChartSpec | null {
  if (x.length === 0 || lines.length === 0 || lines.every((l) => l.values.every((v) => v === null))) return null;
  return { id, title, unit, x, lines };
}

const KNOWN_LABELS: Record<string, string> = {
  'rampart.detection_latency': 'Detection latency',
  'rampart.detection_latency_server': 'Detection latency, server-measured',
  'rampart.correlation_time': 'Correlation time',
  'rampart.report_generation': 'Report generation',
};

function metricLabel(name: string): string {
  if (KNOWN_LABELS[name] !== undefined) return KNOWN_LABELS[name];
  const bare = name.replace(/^rampart\./, '').replace(/[._-]+/g, ' ').trim();
  return bare.length === 0 ? name : bare[0].toUpperCase() + bare.slice(1);
}

const isSecurityMetric = (name: string): boolean => /detection|correlation/i.test(name);

/** SLO status of a scope (an endpoint key or a custom metric name) from the gate's checks. */
function sloOf(scope: string, gate: GateResult | null): { slo: 'pass' | 'fail' | 'none'; sloFailures: string[] } {
  const checks = gate === null ? [] : gate.slo.filter((c) => c.scope === scope);
  const failed = checks.filter((c) => !c.passed);
  return { slo: checks.length === 0 ? 'none' : failed.length === 0 ? 'pass' : 'fail', sloFailures: failed.map(describeCheck) };
}

function metricRow(m: CustomMetric, gate: GateResult | null): CustomMetricRow {
  return { name: m.name, label: metricLabel(m.name), ...figures(m.stats, m.stats?.count ?? 0), ...sloOf(m.name, gate) };
}

function sortedCounts(record: Record<string, number>): { code: string; count: number }[] {
  return Object.entries(record)
    .filter(([, count]) => count > 0)
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

function artilleryPeriodStart(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? Math.floor(n / PERIOD_MS) * PERIOD_MS : null;
}

function verdictOf(model: Pick<ReportModel, 'gate' | 'generator' | 'totals' | 'run'>): ReportModel['verdict'] {
  const gate = model.gate;
  if (gate !== null) {
    if (gate.outcome === 'untrustworthy') {
      return { level: 'untrustworthy', headline: 'The run cannot be trusted, so the gate did not judge it.', reasons: gate.trust.reasons };
    }
    const breached = gate.slo.filter((c) => !c.passed);
    const slower = gate.comparisons.filter((c) => c.verdict === 'SLOWER');
    const reasons = [...breached.map((c) => `SLO breached: ${describeCheck(c)}`), ...slower.map((c) => `Regression: ${describeComparison(c)}`)];
    if (gate.outcome === 'fail') {
      const parts = [
        breached.length > 0 ? `${breached.length} SLO check${breached.length === 1 ? '' : 's'} breached` : null,
        slower.length > 0 ? `${slower.length} endpoint${slower.length === 1 ? '' : 's'} slower than the baseline` : null,
      ].filter((p): p is string => p !== null);
      return { level: 'fail', headline: parts.length > 0 ? `${parts.join('; ')}.` : 'The gate failed this run.', reasons };
    }
    const baseline = gate.baseline === null ? 'no baseline was compared' : `no endpoint slower than the baseline (${gate.comparisons.length} compared)`;
    return { level: 'pass', headline: `All ${gate.slo.length} SLO checks passed; ${baseline}.`, reasons };
  }
  if (model.generator !== null && !model.generator.trust.trustworthy) {
    return { level: 'untrustworthy', headline: 'The load generator did not keep to the planned schedule; the figures understate latency.', reasons: model.generator.trust.reasons };
  }
  const reasons: string[] = [];
  if (model.totals.errors > 0) reasons.push(`${model.totals.errors} of ${model.totals.requests} requests failed (transport errors or 5xx).`);
  if (model.run.interrupted) reasons.push('The run was interrupted before its end.');
  if (model.run.artilleryExitCode !== null && model.run.artilleryExitCode !== 0) {
    reasons.push(`Artillery exited with code ${model.run.artilleryExitCode}${model.run.artilleryExitCode === 1 ? ' (an ensure threshold was breached)' : ''}.`);
  }
  return { level: 'unjudged', headline: 'Not judged: no gate result. Run “rampart gate” on this bundle to check SLO budgets and the baseline.', reasons };
}

function generatorHealth(g: NonNullable<LoadedBundle['generator']>): NonNullable<ReportModel['generator']> {
  // The first and last periods are partial (the plugin judges them by its on-time rule only): count
  // the periods between them.
  const full = g.periods.slice(1, -1);
  const periodsBelowPlan = full.filter((p) => p.actualArrivals < TRUST_RULES.periodShare * p.plannedArrivals - TRUST_RULES.periodSlackArrivals).length;
  const utilizations = g.periods.map((p) => p.workerUtilization).filter((u): u is number => u !== undefined);
  return {
    periods: g.periods,
    planned: g.planned,
    actual: g.actual,
    trust: g.trust,
    periodsBelowPlan,
    peakCpuPercent: g.periods.reduce((m, p) => Math.max(m, p.cpuPercent), 0),
    peakWorkerUtilization: utilizations.length === 0 ? null : Math.max(...utilizations),
    worstEventLoopDelayMs: g.periods.reduce((m, p) => Math.max(m, p.eventLoopDelayMaxMs), 0),
    workerUtilizationLimit: TRUST_RULES.workerUtilization,
  };
}

/** The report's model of a bundle. Throws nothing on a well-formed bundle; check for zero requests first. */
export function buildReportModel(bundle: LoadedBundle, options: BuildOptions = {}): ReportModel {
  const gate = options.gate ?? null;
  const tMs = options.apdexTMs ?? DEFAULT_APDEX_T_MS;
  const analyses = analyzeEndpoints(bundle, { apdexTMs: tMs });
  const run = analyzeRun(bundle, { apdexTMs: tMs });
  const latencySource = bundle.histograms !== null ? 'histograms' : 'artillery';
  const duration = runDurationSeconds(bundle);
  const manifest = bundle.manifest;
  const counters = bundle.artillery.aggregate.counters;

  // ---- charts over the run's periods
  const x = periodStarts(bundle);
  const runPeriods = run.periods;
  const latency = chart('chart-latency', 'Latency percentiles, all endpoints', 'ms', x, [
    line('p50', x, pointsBy(runPeriods, (p) => p.latencyMs?.p50 ?? null)),
    line('p90', x, pointsBy(runPeriods, (p) => p.latencyMs?.p90 ?? null)),
    line('p95', x, pointsBy(runPeriods, (p) => p.latencyMs?.p95 ?? null)),
    line('p99', x, pointsBy(runPeriods, (p) => p.latencyMs?.p99 ?? null)),
  ]);
  const throughput = chart('chart-throughput', 'Throughput', 'req/s', x, [
    line('requests/s', x, pointsBy(runPeriods, (p) => p.ratePerSecond)),
    line('responses/s', x, pointsBy(runPeriods, (p) => p.responses / (PERIOD_MS / 1000))),
  ]);
  const errors = chart('chart-errors', 'Errors per period', 'count', x, [
    line('errors (transport + 5xx)', x, pointsBy(runPeriods, (p) => p.errors)),
    line('4xx responses', x, pointsBy(runPeriods, (p) => count4xx(p.codes))),
  ]);
  const busiest = [...analyses].sort((a, b) => b.summary.requests - a.summary.requests || a.summary.endpoint.localeCompare(b.summary.endpoint))
    .slice(0, options.chartEndpoints ?? 6);
  const endpointP95 = analyses.length < 2 ? null : chart('chart-endpoint-p95', `p95 latency of the ${busiest.length} busiest endpoints`, 'ms', x,
    busiest.map((a) => line(a.summary.endpoint, x, pointsBy(a.periods, (p) => p.latencyMs?.p95 ?? null))));

  const artilleryPeriods = bundle.artillery.intermediate
    .map((p) => ({ start: artilleryPeriodStart(p.period ?? p.firstMetricAt ?? p.firstCounterAt), counters: p.counters }))
    .filter((p): p is { start: number; counters: Record<string, number> } => p.start !== null)
    .sort((a, b) => a.start - b.start);
  const vx = artilleryPeriods.map((p) => p.start);
  const vusersChart = chart('chart-vusers', 'Virtual users per period', 'count', vx, ['created', 'completed', 'failed'].map((k) => ({
    label: k,
    values: artilleryPeriods.map((p) => p.counters[`vusers.${k}`] ?? 0),
  })));

  const g = bundle.generator;
  const gx = g === null ? [] : g.periods.map((p) => p.start);
  const arrivals = g === null ? null : chart('chart-arrivals', 'Arrivals: planned against actual', 'per period', gx, [
    { label: 'planned', values: g.periods.map((p) => p.plannedArrivals) },
    { label: 'actual', values: g.periods.map((p) => p.actualArrivals) },
  ]);
  const hasWorkerData = g !== null && g.periods.some((p) => p.workerUtilization !== undefined);
  const generatorCpu = g === null ? null : chart('chart-generator-cpu', 'Generator CPU and worker event-loop use', '%', gx, [
    { label: 'process CPU (% of a core)', values: g.periods.map((p) => p.cpuPercent) },
    ...(hasWorkerData ? [{ label: 'busiest worker event loop busy (%)', values: g.periods.map((p) => (p.workerUtilization === undefined ? null : 100 * p.workerUtilization)) }] : []),
  ]);
  const eventLoopDelay = g === null ? null : chart('chart-event-loop', 'Generator event-loop delay', 'ms', gx, [
    { label: 'p99', values: g.periods.map((p) => p.eventLoopDelayP99Ms) },
    { label: 'max', values: g.periods.map((p) => p.eventLoopDelayMaxMs) },
  ]);

  // ---- scenarios, virtual users, codes
  const scenarios = Object.entries(counters)
    .filter(([name]) => name.startsWith('vusers.created_by_name.'))
    .map(([name, created]) => ({ name: name.slice('vusers.created_by_name.'.length), created }))
    .sort((a, b) => b.created - a.created || a.name.localeCompare(b.name));
  const transportKinds = Object.fromEntries(Object.entries(run.summary.errors.byKind).filter(([kind]) => !kind.startsWith('HTTP ')));

  const metrics = customMetrics(bundle);
  const notes: string[] = [];
  if (latencySource === 'artillery') notes.push(PLAIN_ARTILLERY_NOTE);
  if (manifest?.interrupted === true) notes.push('The run was interrupted before its end: the last period is partial and the figures cover only what ran.');
  if (latencySource === 'histograms' && analyses.length === 0) notes.push('The measurement plugin recorded no endpoints.');

  const title = `Rampart report: ${manifest?.profile ?? 'Artillery run'} ${manifest?.runId ?? basename(bundle.dir)}`;
  const runInfo: ReportModel['run'] = {
    runId: manifest?.runId ?? null,
    profile: manifest?.profile ?? null,
    target: manifest?.target ?? null,
    startedAt: manifest?.startedAt ?? (typeof bundle.artillery.aggregate.firstMetricAt === 'number' ? new Date(bundle.artillery.aggregate.firstMetricAt).toISOString() : null),
    endedAt: manifest?.endedAt ?? null,
    durationSeconds: duration > 0 ? duration : null,
    gitRevision: manifest?.gitRevision ?? null,
    interrupted: manifest?.interrupted ?? false,
    artilleryExitCode: manifest?.artilleryExitCode ?? null,
    flows: manifest?.flows ?? [],
    versions: manifest?.versions ?? null,
    host: manifest?.host ?? null,
  };
  const totals: ReportModel['totals'] = {
    requests: run.summary.requests,
    errors: errorsOf(run),
    errorRate: run.summary.errorRate,
    ratePerSecond: run.summary.ratePerSecond > 0 ? run.summary.ratePerSecond : null,
    latency: figures(run.summary.latencyMs, run.summary.responses),
    apdex: run.summary.apdex?.score ?? null,
  };
  const generator = g === null ? null : generatorHealth(g);
  const verdict = verdictOf({ gate, generator, totals, run: runInfo });

  return {
    schema: 'rampart.report/1',
    title,
    latencySource,
    run: runInfo,
    verdict,
    notes,
    totals,
    apdexThresholdMs: totals.apdex === null ? null : tMs,
    endpoints: analyses.map((a) => endpointRow(a, gate)),
    gate,
    slo: gate?.slo ?? [],
    comparisons: gate?.comparisons ?? [],
    charts: { latency, endpointP95, throughput, errors, vusers: vusersChart, arrivals, generatorCpu, eventLoopDelay },
    vusers: {
      created: counters['vusers.created'] ?? 0,
      completed: counters['vusers.completed'] ?? 0,
      failed: counters['vusers.failed'] ?? 0,
      skipped: counters['vusers.skipped'] ?? 0,
    },
    scenarios,
    errorsByCode: sortedCounts(transportKinds),
    httpCodes: sortedCounts(run.summary.codes).sort((a, b) => a.code.localeCompare(b.code)),
    security: metrics.filter((m) => isSecurityMetric(m.name)).map((m) => metricRow(m, gate)),
    otherMetrics: metrics.filter((m) => !isSecurityMetric(m.name)).map((m) => metricRow(m, gate)),
    customCounters: Object.entries(counters)
      .filter(([name]) => name.startsWith('rampart.'))
      .map(([name, count]) => ({ name, count }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    generator,
  };
}
