// An endpoint's per-period figures held as columns of numbers (about 120 bytes a period, against
// some 600 for the same figures as objects), so a 24-hour run of 40 endpoints (345 600 periods)
// stays within memory. `points()` gives them back as PeriodPoint objects, made afresh on each call.
import type { LatencyStats } from '../core/histogram.ts';
import type { PeriodPoint } from './endpoints.ts';
import type { SeriesFigures } from './source.ts';

const STATS = ['count', 'min', 'mean', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max'] as const;

class Column {
  values: Float64Array;

  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(capacity, 1));
  }

  set(index: number, value: number): void {
    if (index >= this.values.length) {
      const grown = new Float64Array(Math.ceil(this.values.length * 1.5));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[index] = value;
  }

  trim(length: number): void {
    if (this.values.length > length) this.values = this.values.slice(0, length);
  }
}

/** Read-only columns of one series, one entry per period with data, oldest first. */
export interface PeriodColumns {
  readonly length: number;
  readonly start: Float64Array;
  readonly responses: Float64Array;
  /** a latency statistic per period in ms; NaN where the period had no responses */
  stat(name: keyof LatencyStats): Float64Array;
}

export class SeriesColumns implements PeriodColumns {
  length = 0;
  readonly #capacity: number;
  readonly #start: Column;
  readonly #responses: Column;
  readonly #transport: Column;
  readonly #stats: Column[];
  /** status code -> counts per period (NaN where absent) */
  readonly #codes = new Map<string, Column>();

  /** `capacity`: the number of periods expected (the columns grow beyond it if need be) */
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#start = new Column(capacity);
    this.#responses = new Column(capacity);
    this.#transport = new Column(capacity);
    this.#stats = STATS.map(() => new Column(capacity));
  }

  push(start: number, f: SeriesFigures): void {
    const i = this.length++;
    this.#start.set(i, start);
    this.#responses.set(i, f.responses);
    this.#transport.set(i, f.transport);
    for (const [k, name] of STATS.entries()) this.#stats[k].set(i, f.latency === null ? Number.NaN : f.latency[name]);
    for (const [code, count] of Object.entries(f.codes)) {
      let column = this.#codes.get(code);
      if (column === undefined) {
        column = new Column(this.#capacity);
        column.set(i, count);
        column.values.fill(Number.NaN, 0, i); // absent from the periods before it first appeared
        this.#codes.set(code, column);
      }
      column.set(i, count);
    }
    for (const [code, column] of this.#codes) if (!Object.hasOwn(f.codes, code)) column.set(i, Number.NaN);
  }

  get start(): Float64Array {
    return this.#start.values;
  }

  get responses(): Float64Array {
    return this.#responses.values;
  }

  stat(name: keyof LatencyStats): Float64Array {
    return this.#stats[STATS.indexOf(name)].values;
  }

  /** Gives back the spare capacity once every period is in. */
  trim(): void {
    for (const column of [this.#start, this.#responses, this.#transport, ...this.#stats, ...this.#codes.values()]) column.trim(this.length);
  }

  /** The periods as objects, oldest first (a new array each call). */
  points(periodSeconds: number): PeriodPoint[] {
    const out: PeriodPoint[] = new Array<PeriodPoint>(this.length);
    const stats = this.#stats.map((c) => c.values);
    const codes = [...this.#codes].map(([code, column]) => [code, column.values] as const);
    for (let i = 0; i < this.length; i++) {
      const responses = this.#responses.values[i];
      const transport = this.#transport.values[i];
      const pointCodes: Record<string, number> = {};
      let serverErrors = 0;
      for (const [code, values] of codes) {
        const count = values[i];
        if (Number.isNaN(count)) continue;
        pointCodes[code] = count;
        if (Number(code) >= 500) serverErrors += count;
      }
      let latencyMs: LatencyStats | null = null;
      if (!Number.isNaN(stats[0][i])) {
        latencyMs = { count: stats[0][i], min: stats[1][i], mean: stats[2][i], p50: stats[3][i], p75: stats[4][i], p90: stats[5][i], p95: stats[6][i], p99: stats[7][i], p999: stats[8][i], max: stats[9][i] };
      }
      const requests = responses + transport;
      out[i] = { start: this.#start.values[i], requests, responses, errors: transport + serverErrors, codes: pointCodes, ratePerSecond: requests / periodSeconds, latencyMs };
    }
    return out;
  }
}
