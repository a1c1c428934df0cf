// Per-worker recording: one HDR histogram (µs) per endpoint key and per 10 s wall-clock period,
// status codes, transport errors by kind, custom metrics, and arrivals per second.
//
// The hot path (recordResponse) does a Map lookup, a period check and two histogram increments (the
// endpoint's and the all-endpoints `overall` series); when a period ends its histogram is encoded,
// summarised (stats) and added to the series' run total once, then reset for reuse, so memory stays
// two live histograms per series plus the encoded strings, and the file comes out with its derived
// parts (see withDerivedParts in src/core/bundle/histogram-file.ts) without decoding anything again.
import { PERIOD_MS } from '../../src/core/bundle/types.ts';
import type { PeriodHistogram } from '../../src/core/bundle/types.ts';
import { encodeHistogram, encodePeriod, newHistogram, recordMicros } from '../../src/core/histogram.ts';
import type { Histogram } from '../../src/core/histogram.ts';

class Series {
  start = -1;
  readonly histogram: Histogram = newHistogram();
  readonly total: Histogram = newHistogram();
  codes: Record<string, number> = {};
  errors = 0;
  errorKinds: Record<string, number> = {};
  readonly closed: PeriodHistogram[] = [];

  /** Moves to the period of `now`, closing the current one if it ended. */
  at(now: number): this {
    const start = now - (now % PERIOD_MS);
    if (start !== this.start) {
      if (start < this.start) return this; // a clock step backwards: keep recording into the open period
      this.close();
      this.start = start;
    }
    return this;
  }

  close(): void {
    if (this.start < 0 || (this.histogram.totalCount === 0 && this.errors === 0)) return;
    this.closed.push(encodePeriod(this));
    this.total.add(this.histogram);
    this.histogram.reset();
    this.codes = {};
    this.errors = 0;
    this.errorKinds = {};
  }
}

export interface RecordedMeasurements {
  endpoints: Record<string, PeriodHistogram[]>;
  metrics: Record<string, PeriodHistogram[]>;
  overall: PeriodHistogram[];
  totals: { overall: string; endpoints: Record<string, string>; metrics: Record<string, string> };
  /** second (ms since epoch / 1000, floored) -> virtual users started in it */
  arrivalsBySecond: Record<string, number>;
  firstArrivalAt: number | null;
  lastArrivalAt: number | null;
}

export class Recorder {
  private readonly endpoints = new Map<string, Series>();
  private readonly metrics = new Map<string, Series>();
  private readonly overall = new Series();
  private readonly arrivals = new Map<number, number>();
  private firstArrivalAt: number | null = null;
  private lastArrivalAt: number | null = null;

  private series(map: Map<string, Series>, key: string, now: number): Series {
    let series = map.get(key);
    if (series === undefined) {
      series = new Series();
      map.set(key, series);
    }
    return series.at(now);
  }

  recordResponse(endpoint: string, micros: number, status: number, now: number): void {
    const code = String(status);
    const series = this.series(this.endpoints, endpoint, now);
    recordMicros(series.histogram, micros);
    series.codes[code] = (series.codes[code] ?? 0) + 1;
    const overall = this.overall.at(now);
    recordMicros(overall.histogram, micros);
    overall.codes[code] = (overall.codes[code] ?? 0) + 1;
  }

  recordError(endpoint: string, kind: string, now: number): void {
    for (const series of [this.series(this.endpoints, endpoint, now), this.overall.at(now)]) {
      series.errors += 1;
      series.errorKinds[kind] = (series.errorKinds[kind] ?? 0) + 1;
    }
  }

  recordMetric(name: string, micros: number, now: number): void {
    recordMicros(this.series(this.metrics, name, now).histogram, micros);
  }

  recordArrival(now: number): void {
    const second = Math.floor(now / 1000);
    this.arrivals.set(second, (this.arrivals.get(second) ?? 0) + 1);
    if (this.firstArrivalAt === null) this.firstArrivalAt = now;
    this.lastArrivalAt = now;
  }

  /** Closes the open periods and returns everything recorded (call once, at the end). */
  finish(): RecordedMeasurements {
    const collect = (map: Map<string, Series>): { periods: Record<string, PeriodHistogram[]>; totals: Record<string, string> } => {
      const periods: Record<string, PeriodHistogram[]> = {};
      const totals: Record<string, string> = {};
      for (const [key, series] of map) {
        series.close();
        if (series.closed.length === 0) continue;
        periods[key] = series.closed;
        totals[key] = encodeHistogram(series.total);
      }
      return { periods, totals };
    };
    const endpoints = collect(this.endpoints);
    const metrics = collect(this.metrics);
    this.overall.close();
    return {
      endpoints: endpoints.periods,
      metrics: metrics.periods,
      overall: this.overall.closed,
      totals: { overall: encodeHistogram(this.overall.total), endpoints: endpoints.totals, metrics: metrics.totals },
      arrivalsBySecond: Object.fromEntries([...this.arrivals].map(([second, count]) => [String(second), count])),
      firstArrivalAt: this.firstArrivalAt,
      lastArrivalAt: this.lastArrivalAt,
    };
  }
}
