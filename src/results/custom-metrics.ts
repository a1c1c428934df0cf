// Custom latency metrics recorded by the processors (detection latency, correlation time, ...):
// their per-period statistics and their figures over the run, from either source. Pure.
import type { LatencyStats } from '../core/histogram.ts';
import type { FigureSource } from './source.ts';

export interface MetricPeriod {
  start: number;
  stats: LatencyStats; // values in ms
}

export interface CustomMetric {
  name: string; // e.g. 'rampart.detection_latency'
  source: FigureSource;
  stats: LatencyStats | null; // in ms
  periods: MetricPeriod[]; // oldest first, periods with values only
}

/** Collects the named metrics' periods as a source streams them. */
export class MetricSeries {
  readonly #periods = new Map<string, MetricPeriod[]>();

  constructor(names: readonly string[]) {
    for (const name of names) this.#periods.set(name, []);
  }

  add(start: number, metrics: ReadonlyMap<string, LatencyStats>): void {
    for (const [name, stats] of metrics) this.#periods.get(name)?.push({ start, stats });
  }

  /** The metrics, sorted by name, with their run figures. */
  result(source: FigureSource, totals: ReadonlyMap<string, LatencyStats | null>): CustomMetric[] {
    return [...this.#periods.keys()].sort().map((name) => ({ name, source, stats: totals.get(name) ?? null, periods: this.#periods.get(name) ?? [] }));
  }
}
