// Failed authentications per client: a budget of `perMinute` failures that refills continuously at
// `perMinute` per minute (a leaky bucket). A client may fail `perMinute` times in a burst, then about
// once every 60/perMinute seconds; while its budget is spent, `retryAfter` says how many whole
// seconds until one more attempt is allowed. In memory, per process; at most MAX_CLIENTS clients are
// remembered (the emptiest buckets, then the oldest, are forgotten first).
// Client keys come from clientKey: an IPv4 address, or the /64 prefix of an IPv6 address (one host
// owns a whole /64 and could otherwise rotate through it).
import net from 'node:net';

const MAX_CLIENTS = 100_000;

type Bucket = { level: number; at: number };

export class FailureBudget {
  readonly perMinute: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(perMinute: number, now: () => number = Date.now) {
    this.perMinute = perMinute;
    this.#now = now;
  }

  /** The bucket's level now (failures not yet drained). */
  #level(bucket: Bucket, now: number): number {
    return Math.max(0, bucket.level - ((now - bucket.at) * this.perMinute) / 60_000);
  }

  /** Undefined while the client may try again; else whole seconds until it may (at least 1). */
  retryAfter(client: string): number | undefined {
    const bucket = this.#buckets.get(client);
    if (bucket === undefined) return undefined;
    const level = this.#level(bucket, this.#now());
    if (level <= this.perMinute - 1) return undefined;
    return Math.max(1, Math.ceil(((level - (this.perMinute - 1)) * 60) / this.perMinute));
  }

  /** Counts one failed authentication of the client. */
  fail(client: string): void {
    const now = this.#now();
    const bucket = this.#buckets.get(client);
    const level = bucket === undefined ? 0 : this.#level(bucket, now);
    this.#buckets.delete(client); // re-inserted last: the Map's order is oldest-failure first
    if (this.#buckets.size >= MAX_CLIENTS) this.#forget(now);
    this.#buckets.set(client, { level: level + 1, at: now });
  }

  /** Clients remembered (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  #forget(now: number): void {
    for (const [client, bucket] of this.#buckets) {
      if (this.#level(bucket, now) === 0) this.#buckets.delete(client);
    }
    for (const client of this.#buckets.keys()) {
      if (this.#buckets.size < MAX_CLIENTS) break;
      this.#buckets.delete(client);
    }
  }
}

/** Expands an IPv6 address to its 8 groups of 4 hex digits. */
function ipv6Groups(address: string): string[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  const groups = tail === undefined ? left : [...left, ...Array<string>(missing).fill('0'), ...right];
  return groups.map((group) => group.padStart(4, '0').toLowerCase());
}

/**
 * The key a client's failures are counted under: its IPv4 address (an IPv4-mapped IPv6 address
 * counts as its IPv4 address), or the first 64 bits of its IPv6 address.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped !== null) return mapped[1];
  if (net.isIPv6(ip) && !ip.includes('.')) return `${ipv6Groups(ip.split('%')[0]).slice(0, 4).join(':')}::/64`;
  return ip;
}
