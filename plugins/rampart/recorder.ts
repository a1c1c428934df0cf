// Per-worker recording: one HDR histogram (µs) per endpoint key and per 10 s wall-clock period,
// status codes, transport errors by kind, custom metrics, and arrivals per second.
//
// The hot path (recordResponse) does a Map lookup, a period check and two histogram increments (the
// endpoint's and the all-endpoints `overall` series). When a period ends, its histogram is swapped
// for a fresh one from a pool (no work on the response's path) and queued; the queue is worked off
// one series at a time in setImmediate callbacks, after the event loop has read whatever I/O is
// ready: each closed period is encoded, summarised (stats) and added to the series' run total once,
// then its histogram is reset and returned to the pool. Encoding a period takes a fraction of a
// millisecond (more on a loaded machine), and every request in flight meanwhile waits for it, so it
// must neither happen inside a response's hook nor many series at once. `warmUp` runs the same
// code once before the load: the first encoding (the compressor's set-up and compilation) took
// 20-35 ms here, enough to delay the responses in flight and to make Artillery's own
// http.response_time, which got stamps from Date.now() at the request's 'finish' event, read
// below the server's own service time (docs/measurement.md, "Latency").
// Memory stays two live histograms per series plus the encoded strings, and the file comes out with
// its derived parts (see withDerivedParts in src/core/bundle/histogram-file.ts) without decoding
// anything again.
import { PERIOD_MS } from '../../src/core/bundle/types.ts';
import type { PeriodHistogram } from '../../src/core/bundle/types.ts';
import { encodeHistogram, encodePeriod, latencyStats, newHistogram, recordMicros } from '../../src/core/histogram.ts';
import type { Histogram } from '../../src/core/histogram.ts';

/** The counts of one series in one period, while it is open and until it is encoded. */
interface OpenPart {
  start: number;
  histogram: Histogram;
  codes: Record<string, number>;
  errors: number;
  errorKinds: Record<string, number>;
}

class Series {
  start = -1;
  histogram: Histogram;
  readonly total: Histogram = newHistogram();
  codes: Record<string, number> = {};
  errors = 0;
  errorKinds: Record<string, number> = {};
  readonly closed: PeriodHistogram[] = [];
  private readonly closer: Closer;

  constructor(closer: Closer) {
    this.closer = closer;
    this.histogram = closer.fresh();
  }

  /** Moves to the period of `now`, handing the current one to the closer if it ended. */
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
    this.closer.queue(this, { start: this.start, histogram: this.histogram, codes: this.codes, errors: this.errors, errorKinds: this.errorKinds });
    this.histogram = this.closer.fresh();
    this.codes = {};
    this.errors = 0;
    this.errorKinds = {};
  }
}

/** Encodes closed periods off the response path, one series per setImmediate callback. */
class Closer {
  private readonly pool: Histogram[] = [];
  private readonly queued: { series: Series; part: OpenPart }[] = [];
  private scheduled = false;

  fresh(): Histogram {
    return this.pool.pop() ?? newHistogram();
  }

  queue(series: Series, part: OpenPart): void {
    this.queued.push({ series, part });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.next);
    }
  }

  private readonly next = (): void => {
    this.scheduled = false;
    this.encodeOne();
    if (this.queued.length > 0) {
      this.scheduled = true;
      setImmediate(this.next);
    }
  };

  private encodeOne(): void {
    const item = this.queued.shift();
    if (item === undefined) return;
    const { series, part } = item;
    series.closed.push(encodePeriod(part));
    series.total.add(part.histogram);
    part.histogram.reset();
    this.pool.push(part.histogram);
  }

  /** Encodes everything still queued, now (at the end of the run). */
  drain(): void {
    while (this.queued.length > 0) this.encodeOne();
  }
}

/**
 * Runs the period-closing code once on a throw-away series, so that its first real use during the
 * load does not pay for compiling it and setting up the compressor.
 */
export function warmUp(): void {
  const closer = new Closer();
  const series = new Series(closer);
  series.at(PERIOD_MS);
  for (let micros = 1; micros < 120_000_000; micros *= 1.7) recordMicros(series.histogram, micros);
  series.codes['200'] = 1;
  series.close();
  closer.drain();
  latencyStats(series.total);
  encodeHistogram(series.total);
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
  private readonly closer = new Closer();
  private readonly endpoints = new Map<string, Series>();
  private readonly metrics = new Map<string, Series>();
  private readonly overall = new Series(this.closer);
  private readonly arrivals = new Map<number, number>();
  private firstArrivalAt: number | null = null;
  private lastArrivalAt: number | null = null;

  private series(map: Map<string, Series>, key: string, now: number): Series {
    let series = map.get(key);
    if (series === undefined) {
      series = new Series(this.closer);
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
    for (const series of [...this.endpoints.values(), ...this.metrics.values(), this.overall]) series.close();
    this.closer.drain();
    const collect = (map: Map<string, Series>): { periods: Record<string, PeriodHistogram[]>; totals: Record<string, string> } => {
      const periods: Record<string, PeriodHistogram[]> = {};
      const totals: Record<string, string> = {};
      for (const [key, series] of map) {
        if (series.closed.length === 0) continue;
        periods[key] = series.closed;
        totals[key] = encodeHistogram(series.total);
      }
      return { periods, totals };
    };
    const endpoints = collect(this.endpoints);
    const metrics = collect(this.metrics);
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
