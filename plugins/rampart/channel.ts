// The plugin's counters (names and buckets: src/core/counters.ts), emitted in each worker thread
// through Artillery's scenario event emitter. Artillery adds counters up per 10 s period, from worker
// threads into the main thread and, under run-fargate, from every container into the CLI's
// `--output` file, so these counters carry the worker's exact measurements wherever it runs, with no
// shared disk. A counter lands in the period in which it is emitted: the period of the response,
// which is how the recorder (./recorder.ts) files it too.
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import { arrivalCounterName, bucketOf, counterName, COUNTER_KINDS } from '../../src/core/counters.ts';
import type { CounterKind } from '../../src/core/counters.ts';

/** Artillery's scenario event emitter, as far as counters go. */
export interface CounterEmitter {
  emit(event: string, name: string, value: number): unknown;
}

export const isCounterEmitter = (events: unknown): events is CounterEmitter =>
  events !== null && typeof events === 'object' && typeof (events as { emit?: unknown }).emit === 'function';

/** This load generator (Artillery process) in counter names: host and process id (no dots). */
export function generatorCounterId(): string {
  return `${hostname().replace(/[^A-Za-z0-9-]/g, '-')}-${String(process.pid)}`;
}

export class CounterChannel {
  private emitter: CounterEmitter | null = null;
  private readonly generatorId: string;
  private readonly workerId: string;
  private readonly latency = new Map<string, string>(); // endpoint key -> name prefix, built once
  private readonly codes = new Map<string, string>();

  /** Ids in counter names: the worker thread's is its generator's plus `-<thread>`. */
  constructor(generatorId = generatorCounterId()) {
    this.generatorId = generatorId;
    this.workerId = `${generatorId}-${String(threadId)}`;
  }

  /** Remembers the worker's emitter (from a hook) for the counters sent outside a request: health. */
  attach(events: unknown): void {
    if (this.emitter === null && isCounterEmitter(events)) this.emitter = events;
  }

  private prefix(cache: Map<string, string>, kind: CounterKind, key: string): string {
    let prefix = cache.get(key);
    if (prefix === undefined) {
      prefix = counterName(kind, key, '');
      cache.set(key, prefix);
    }
    return prefix;
  }

  response(events: unknown, key: string, micros: number, status: number): void {
    if (!isCounterEmitter(events)) return;
    events.emit('counter', this.prefix(this.latency, COUNTER_KINDS.latency, key) + String(bucketOf(micros)), 1);
    events.emit('counter', this.prefix(this.codes, COUNTER_KINDS.codes, key) + String(status), 1);
  }

  error(events: unknown, key: string, kind: string): void {
    if (isCounterEmitter(events)) events.emit('counter', counterName(COUNTER_KINDS.errors, key, kind.replace(/\./g, '_')), 1);
  }

  metric(events: unknown, name: string, micros: number): void {
    if (isCounterEmitter(events)) events.emit('counter', counterName(COUNTER_KINDS.metric, name, bucketOf(micros)), 1);
  }

  arrival(events: unknown, now: number): void {
    if (isCounterEmitter(events)) events.emit('counter', arrivalCounterName(this.generatorId, Math.floor(now / 1000)), 1);
  }

  /** The worker's event-loop load over the last sample: busy and sampled µs (whole numbers). */
  health(busyMicros: number, sampledMicros: number): void {
    if (this.emitter === null || sampledMicros <= 0) return;
    this.emitter.emit('counter', counterName(COUNTER_KINDS.worker, this.workerId, 'busy_us'), Math.round(busyMicros));
    this.emitter.emit('counter', counterName(COUNTER_KINDS.worker, this.workerId, 'sampled_us'), Math.round(sampledMicros));
  }
}
