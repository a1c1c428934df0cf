// Builds the report's model from an analysed bundle and an optional gate result. Pure: the figures
// come from src/results (analyzeBundle, done once by the command and handed in); this module only
// arranges them for the renderers. Charts: ./charts.ts; the verdict line: ./verdict.ts.
import { basename } from 'node:path';
import type { GateResult, LoadedBundle } from '../core/bundle/types.ts';
import type { LatencyStats } from '../core/histogram.ts';
import { isFullPeriod, isBelowPlan, TRUST_RULES } from '../core/trust.ts';
import { isSecurityMetric, metricLabel } from '../core/metrics.ts';
import { analyzeBundle, expectResults, isCustomMetricName } from '../results/index.ts';
import type { BundleAnalysis, CustomMetric, EndpointAnalysis } from '../results/index.ts';
import type { ChartSpec, CustomMetricRow, EndpointRow, LatencyFigures, ReportModel } from './model.ts';
import { buildCharts } from './charts.ts';
import { findRunFindings } from '../analyze/index.ts';
import { alignCharts, buildPlatformSection } from './platform.ts';
import { describeCheck, verdictOf } from './verdict.ts';

export interface BuildOptions {
  gate?: GateResult | null;
  /** The bundle's analysis when the caller already has it (the gate's); else it is analysed here. */
  analysis?: BundleAnalysis;
  /** Apdex threshold T in ms (default: results' DEFAULT_APDEX_T_MS); ignored with `analysis`. */
  apdexTMs?: number;
  /** How many of the busiest endpoints get a line in the per-endpoint p95 chart (default 6). */
  chartEndpoints?: number;
  /** The plain Artillery file's name, which titles a report that has no run.json (default: the folder's). */
  sourceName?: string;
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

/**
 * The window the plugin judged (generator.json `judged`); for a file without it, an estimate: from
 * the first arrival to the planned end, or to the last arrival when that came earlier.
 */
function judgedWindow(g: NonNullable<LoadedBundle['generator']>): { start: number; end: number } {
  if (g.judged !== undefined) return g.judged;
  const start = g.actual.firstArrivalAt ?? (g.periods.length > 0 ? g.periods[0].start : 0);
  const plannedEnd = start + g.planned.durationSeconds * 1000;
  return { start, end: Math.min(plannedEnd, g.actual.lastArrivalAt ?? plannedEnd) };
}

/**
 * Generator health for the report. Periods below plan are counted by the plugin's own rules
 * (src/core/trust.ts): full periods only, of the window the plugin judged.
 */
function generatorHealth(g: NonNullable<LoadedBundle['generator']>): NonNullable<ReportModel['generator']> {
  const { start: runStart, end: runEnd } = judgedWindow(g);
  const full = g.periods.filter((p) => isFullPeriod(p.start, runStart, runEnd));
  const utilizations = g.periods.map((p) => p.workerUtilization).filter((u): u is number => u !== undefined);
  return {
    periods: g.periods,
    planned: g.planned,
    actual: g.actual,
    trust: g.trust,
    fullPeriods: full.length,
    periodsBelowPlan: full.filter((p) => isBelowPlan(p.actualArrivals, p.plannedArrivals)).length,
    peakCpuPercent: g.periods.reduce((m, p) => Math.max(m, p.cpuPercent), 0),
    peakWorkerUtilization: utilizations.length === 0 ? null : Math.max(...utilizations),
    worstEventLoopDelayMs: g.periods.reduce((m, p) => Math.max(m, p.eventLoopDelayMaxMs), 0),
    workerUtilizationLimit: TRUST_RULES.workerUtilization,
  };
}

/** The report's model of a bundle. Throws nothing on a well-formed bundle; check for zero requests first. */
export function buildReportModel(bundle: LoadedBundle, options: BuildOptions = {}): ReportModel {
  const gate = options.gate ?? null;
  const analysis = options.analysis ?? analyzeBundle(bundle, { apdexTMs: options.apdexTMs });
  const tMs = analysis.apdexTMs;
  const analyses = analysis.endpoints;
  const run = analysis.run;
  const latencySource = analysis.source;
  const duration = analysis.durationSeconds;
  const manifest = bundle.manifest;
  const counters = bundle.artillery.aggregate.counters;
  const g = bundle.generator;
  const charts = buildCharts({ analysis, intermediate: bundle.artillery.intermediate, generator: g, chartEndpoints: options.chartEndpoints ?? 6 });
  const platform = buildPlatformSection(bundle.resources, bundle.statements);
  if (platform !== null && platform.charts.length > 0) {
    alignCharts([...Object.values(charts).filter((c): c is ChartSpec => c !== null), ...platform.charts]);
  }

  // ---- scenarios, virtual users, codes
  const scenarios = Object.entries(counters)
    .filter(([name]) => name.startsWith('vusers.created_by_name.'))
    .map(([name, created]) => ({ name: name.slice('vusers.created_by_name.'.length), created }))
    .sort((a, b) => b.created - a.created || a.name.localeCompare(b.name));
  const transportKinds = Object.fromEntries(Object.entries(run.summary.errors.byKind).filter(([kind]) => !kind.startsWith('HTTP ')));

  const metrics = analysis.metrics;
  const notes: string[] = [];
  if (latencySource === 'artillery') notes.push(PLAIN_ARTILLERY_NOTE);
  const expect = expectResults(counters);
  if (expect !== null && expect.failed > 0) {
    const kinds = expect.failedByKind.map((k) => `${k.kind} ×${k.count}`).join(', ');
    notes.push(`${expect.failed} of ${expect.ok + expect.failed} expect assertions failed (${(expect.failedRate * 100).toFixed(2)}%${kinds === '' ? '' : `: ${kinds}`}); the gate breaches on any failed assertion unless run.expectFailedRate allows it.`);
  }
  if (manifest?.interrupted === true) notes.push('The run was interrupted before its end: the last period is partial and the figures cover only what ran.');
  if (latencySource === 'histograms' && analyses.length === 0) notes.push('The measurement plugin recorded no endpoints.');

  const title = `Rampart report: ${manifest?.profile ?? 'Artillery run'} ${manifest?.runId ?? options.sourceName ?? basename(bundle.dir)}`;
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
    expect,
    run: runInfo,
    verdict,
    notes,
    totals,
    apdexThresholdMs: totals.apdex === null ? null : tMs,
    endpoints: analyses.map((a) => endpointRow(a, gate)),
    gate,
    slo: gate?.slo ?? [],
    comparisons: gate?.comparisons ?? [],
    charts,
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
    // the processors' counters, and their rates (events.emit('rate', name)) as events per second
    customCounters: [...Object.entries(counters), ...Object.entries(bundle.artillery.aggregate.rates).map(([name, rate]): [string, number] => [`${name} (rate, per second)`, rate])]
      .filter(([name]) => isCustomMetricName(name))
      .map(([name, count]) => ({ name, count }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    generator,
    platform,
    findings: findRunFindings({ analysis, generator: g, resources: bundle.resources ?? null, statements: bundle.statements ?? null, artillery: bundle.artillery }),
  };
}
