// Time ranges of the analytics queries and of report jobs: `from`/`to` ISO-8601 strings with defaults, checked
// to be ordered and bounded. Pure; throws the platform's 400 `validation` error.
import { badRequest } from '../errors.ts';

export type TimeRange = { from: Date; to: Date };

export const MAX_RANGE_DAYS = 366;

/**
 * Resolves `from`/`to` (either may be missing): `to` defaults to `now`, `from` to `to - defaultSpanMs`.
 * Rejects from >= to and ranges longer than `maxDays`.
 */
export function resolveRange(
  query: { from?: string; to?: string },
  defaultSpanMs: number,
  now: Date = new Date(),
  maxDays: number = MAX_RANGE_DAYS,
): TimeRange {
  const to = query.to === undefined ? now : new Date(query.to);
  const from = query.from === undefined ? new Date(to.getTime() - defaultSpanMs) : new Date(query.from);
  if (Number.isNaN(to.getTime())) throw badRequest('to is not a valid ISO-8601 date-time');
  if (Number.isNaN(from.getTime())) throw badRequest('from is not a valid ISO-8601 date-time');
  if (from.getTime() >= to.getTime()) throw badRequest('from must be earlier than to');
  if (to.getTime() - from.getTime() > maxDays * 86_400_000) throw badRequest(`the range from..to must not exceed ${maxDays} days`);
  return { from, to };
}

export const BUCKETS = ['minute', 'hour', 'day'] as const;
export type Bucket = (typeof BUCKETS)[number];
export const BUCKET_MS: Record<Bucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
export const MAX_BUCKETS = 10_000;

/** Number of buckets a timeline over `range` has (partial buckets at both ends included). */
export function bucketCount(range: TimeRange, bucket: Bucket): number {
  const size = BUCKET_MS[bucket];
  return Math.floor((range.to.getTime() - 1) / size) - Math.floor(range.from.getTime() / size) + 1;
}
