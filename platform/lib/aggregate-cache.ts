// A small in-process cache of dashboard and analytics aggregates (optimisation `aggregate-cache`,
// docs/optimizations.md). Each entry covers a subject (events, alerts, heatmap, summary) over a time
// span [from, to) in ms; writers call `changed(subject, lo, hi)` AFTER their transaction commits, which
// drops every entry of that subject whose span meets [lo, hi] (summary entries: all of them). Entries
// hold the promise of their computation, so concurrent misses share one query (single flight) and an
// entry dropped while it computes is never reused. Bounded: the oldest entries go first.
// Per process: it sees the writes of its own process only (one platform process per database).
export type CacheSubject = 'events' | 'alerts' | 'heatmap' | 'summary';

type Entry = { subject: CacheSubject; from: number; to: number; value: Promise<unknown> };

export class AggregateCache {
  readonly maxEntries: number;
  #entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(maxEntries = 500) {
    this.maxEntries = maxEntries;
  }

  /** The cached value of `key`, or `compute()`'s, cached for the subject over [from, to). */
  get<T>(key: string, subject: CacheSubject, from: number, to: number, compute: () => Promise<T>): Promise<T> {
    const seen = this.#entries.get(key);
    if (seen !== undefined) {
      this.hits += 1;
      return seen.value as Promise<T>;
    }
    this.misses += 1;
    const value = compute();
    const entry: Entry = { subject, from, to, value };
    this.#entries.set(key, entry);
    value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return value;
  }

  /** Rows of `subject` changed at times in [lo, hi] (ms; omit both for any time): drop what they touch. */
  changed(subject: CacheSubject, lo = Number.NEGATIVE_INFINITY, hi = Number.POSITIVE_INFINITY): void {
    for (const [key, entry] of this.#entries) {
      if (entry.subject === subject && (subject === 'summary' || (entry.from <= hi && lo < entry.to))) this.#entries.delete(key);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

const HOUR_MS = 3_600_000;

/**
 * Splits [from, to) into whole UTC hours [a, b) (cacheable: live writes land in the current hour) and
 * the partial hours around them, which are read fresh. No interior when the range spans no whole hour.
 */
export function splitHours(from: Date, to: Date): { interior: { from: Date; to: Date } | null; edges: { from: Date; to: Date }[] } {
  const a = Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS;
  const b = Math.floor(to.getTime() / HOUR_MS) * HOUR_MS;
  if (b <= a) return { interior: null, edges: [{ from, to }] };
  const edges = [{ from, to: new Date(a) }, { from: new Date(b), to }].filter((e) => e.from.getTime() < e.to.getTime());
  return { interior: { from: new Date(a), to: new Date(b) }, edges };
}
