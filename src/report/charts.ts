// The report's charts: lines over the run's periods, from an analysed bundle and its generator
// health. Pure; html.ts draws them with uPlot.
import { PERIOD_MS } from '../core/bundle/types.ts';
import type { ArtilleryPeriod, GeneratorFile } from '../core/bundle/types.ts';
import type { BundleAnalysis, EndpointAnalysis, PeriodPoint } from '../results/index.ts';
import { artilleryPeriodStart } from '../results/artillery-source.ts';
import type { ChartSpec, ReportModel, SeriesLine } from './model.ts';

function line(label: string, x: readonly number[], periods: readonly PeriodPoint[], pick: (p: PeriodPoint) => number | null): SeriesLine {
  const points = new Map(periods.map((p) => [p.start, pick(p)]));
  return { label, values: x.map((start) => points.get(start) ?? null) };
}

/** An endpoint's p95 per period on the axis x, read from its columns when the analysis keeps them. */
function p95Line(analysis: EndpointAnalysis, x: readonly number[]): SeriesLine {
  const c = analysis.columns;
  if (c === undefined) return line(analysis.summary.endpoint, x, analysis.periods, (p) => p.latencyMs?.p95 ?? null);
  const p95 = c.stat('p95');
  const values: (number | null)[] = [];
  let i = 0;
  for (const start of x) {
    while (i < c.length && c.start[i] < start) i++;
    values.push(i < c.length && c.start[i] === start && !Number.isNaN(p95[i]) ? p95[i] : null);
  }
  return { label: analysis.summary.endpoint, values };
}

const count4xx = (codes: Record<string, number>): number =>
  Object.entries(codes).reduce((n, [code, c]) => (Number(code) >= 400 && Number(code) < 500 ? n + c : n), 0);

function chart(id: string, title: string, unit: string, x: number[], lines: SeriesLine[]): ChartSpec | null {
  if (x.length === 0 || lines.length === 0 || lines.every((l) => l.values.every((v) => v === null))) return null;
  return { id, title, unit, x, lines };
}

export interface ChartInputs {
  analysis: BundleAnalysis;
  intermediate: readonly ArtilleryPeriod[];
  generator: GeneratorFile | null;
  /** how many of the busiest endpoints get a line in the per-endpoint p95 chart */
  chartEndpoints: number;
}

export function buildCharts({ analysis, intermediate, generator: g, chartEndpoints }: ChartInputs): ReportModel['charts'] {
  const x = analysis.periodStarts;
  const run = analysis.run.periods;
  const latency = chart('chart-latency', 'Latency percentiles, all endpoints', 'ms', x, (['p50', 'p90', 'p95', 'p99'] as const).map((p) => line(p, x, run, (point) => point.latencyMs?.[p] ?? null)));
  const throughput = chart('chart-throughput', 'Throughput', 'req/s', x, [
    line('requests/s', x, run, (p) => p.ratePerSecond),
    line('responses/s', x, run, (p) => p.responses / (PERIOD_MS / 1000)),
  ]);
  const errors = chart('chart-errors', 'Errors per period', 'count', x, [
    line('errors (transport + 5xx)', x, run, (p) => p.errors),
    line('4xx responses', x, run, (p) => count4xx(p.codes)),
  ]);
  const analyses = analysis.endpoints;
  const busiest = [...analyses].sort((a, b) => b.summary.requests - a.summary.requests || a.summary.endpoint.localeCompare(b.summary.endpoint)).slice(0, chartEndpoints);
  const endpointP95 = analyses.length < 2 ? null : chart('chart-endpoint-p95', `p95 latency of the ${busiest.length} busiest endpoints`, 'ms', x,
    busiest.map((a) => p95Line(a, x)));

  const artilleryPeriods = intermediate
    .map((p) => ({ start: artilleryPeriodStart(p), counters: p.counters }))
    .filter((p): p is { start: number; counters: Record<string, number> } => p.start !== null)
    .sort((a, b) => a.start - b.start);
  const vx = artilleryPeriods.map((p) => p.start);
  const vusers = chart('chart-vusers', 'Virtual users per period', 'count', vx, ['created', 'completed', 'failed'].map((k) => ({
    label: k,
    values: artilleryPeriods.map((p) => p.counters[`vusers.${k}`] ?? 0),
  })));

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
  return { latency, endpointP95, throughput, errors, vusers, arrivals, generatorCpu, eventLoopDelay };
}
