// The analytics with optimisation aggregate-cache: the same answers as analytics-repository.ts's
// plain queries, with the range cut into its whole UTC hours (the interior, whose counts are cached
// until a write touches them: platform/lib/aggregate-cache.ts) and the partial hours at both ends,
// counted fresh on every call (live events and alerts land there without invalidating anything).
// The pieces are summed per value, bucket or cell; the final order (counts, then the database's own
// ordering of the values) is left to PostgreSQL over the few candidate rows.
import type { Db } from '../../../db/pool.ts';
import type { Bucket, TimeRange } from '../../../domain/time-range.ts';
import { BUCKET_MS } from '../../../domain/time-range.ts';
import { splitHours, type AggregateCache } from '../../../lib/aggregate-cache.ts';
import { SOURCE_SQL, SUBJECT_SQL, type Source, type Subject } from './analytics-sql.ts';

type Span = { from: Date; to: Date };

/** `(t >= $1 AND t < $2) OR ...` over the spans, with their bounds appended to params. */
function spansWhere(column: string, spans: Span[], params: unknown[]): string {
  const parts = spans.map((s) => {
    params.push(s.from, s.to);
    return `(${column} >= $${params.length - 1} AND ${column} < $${params.length})`;
  });
  return `(${parts.join(' OR ')})`;
}

const add = <K>(into: Map<K, number>, key: K, n: number): void => {
  into.set(key, (into.get(key) ?? 0) + n);
};

type Counted = { list: { value: string; count: number }[]; byValue: Map<string, number> };

export async function cachedTopSources(db: Db, cache: AggregateCache, by: Source, of: Subject, range: TimeRange, limit: number): Promise<{ value: string; count: number }[] | null> {
  const { interior, edges } = splitHours(range.from, range.to);
  if (interior === null) return null;
  const s = SUBJECT_SQL[of];
  const c = SOURCE_SQL[by];
  const counts = async (spans: Span[], ordered: boolean): Promise<{ value: string; count: string }[]> => {
    const params: unknown[] = [];
    const where = spansWhere(s.time, spans, params);
    const { rows } = await db.query<{ value: string; count: string }>(
      `SELECT ${c.value} AS value, count(*) AS count FROM ${s.table}
        WHERE ${where} AND ${c.column} IS NOT NULL
        GROUP BY ${c.column}${ordered ? ` ORDER BY count(*) DESC, ${c.column}` : ''}`, params);
    return rows;
  };
  const inner = await cache.get<Counted>(`top|${of}|${by}|${interior.from.getTime()}|${interior.to.getTime()}`, of, interior.from.getTime(), interior.to.getTime(), async () => {
    const list = (await counts([interior], true)).map((r) => ({ value: r.value, count: Number(r.count) }));
    return { list, byValue: new Map(list.map((r) => [r.value, r.count])) };
  });
  const touched = new Map<string, number>();
  if (edges.length > 0) for (const r of await counts(edges, false)) add(touched, r.value, Number(r.count) + (touched.has(r.value) ? 0 : (inner.byValue.get(r.value) ?? 0)));
  // Values no edge touched keep their interior count and order: the first `limit` of them (and any
  // tied with the last) are the only ones that can make the answer beside the touched ones.
  const candidates = new Map(touched);
  let taken = 0;
  let last = Number.POSITIVE_INFINITY;
  for (const r of inner.list) {
    if (touched.has(r.value)) continue;
    if (taken >= limit && r.count < last) break;
    candidates.set(r.value, r.count);
    taken += 1;
    last = r.count;
  }
  const { rows } = await db.query<{ value: string; count: string }>(
    `SELECT v AS value, n AS count FROM unnest($1::text[], $2::bigint[]) AS c(v, n)
      ORDER BY n DESC, ${by === 'src_ip' ? 'v::inet' : 'v'} LIMIT $3`,
    [[...candidates.keys()], [...candidates.values()], limit]);
  return rows.map((r) => ({ value: r.value, count: Number(r.count) }));
}

export async function cachedTimeline(db: Db, cache: AggregateCache, of: Subject, bucket: Bucket, range: TimeRange): Promise<{ t: string; count: number }[] | null> {
  const { interior, edges } = splitHours(range.from, range.to);
  if (interior === null) return null;
  const s = SUBJECT_SQL[of];
  const unit = bucket === 'minute' ? 'minute' : 'hour';
  const counts = async (spans: Span[]): Promise<Map<number, number>> => {
    const params: unknown[] = [unit];
    const where = spansWhere(s.time, spans, params);
    const { rows } = await db.query<{ u: string; n: string }>(
      `SELECT (extract(epoch FROM date_trunc($1, ${s.time} AT TIME ZONE 'UTC')) * 1000)::bigint AS u, count(*) AS n
         FROM ${s.table} WHERE ${where} GROUP BY 1`, params);
    return new Map(rows.map((r) => [Number(r.u), Number(r.n)]));
  };
  const inner = await cache.get(`timeline|${of}|${unit}|${interior.from.getTime()}|${interior.to.getTime()}`, of, interior.from.getTime(), interior.to.getTime(), () => counts([interior]));
  const size = BUCKET_MS[bucket];
  const perBucket = new Map<number, number>();
  for (const part of [inner, edges.length > 0 ? await counts(edges) : new Map<number, number>()]) {
    for (const [u, n] of part) add(perBucket, Math.floor(u / size) * size, n);
  }
  // One point per UTC bucket from the one holding `from` to the last one starting before `to`.
  const points: { t: string; count: number }[] = [];
  for (let t = Math.floor(range.from.getTime() / size) * size; t < range.to.getTime(); t += size) {
    points.push({ t: new Date(t).toISOString(), count: perBucket.get(t) ?? 0 });
  }
  return points;
}

export async function cachedHeatmap(db: Db, cache: AggregateCache, range: TimeRange): Promise<{ technique: string; day: string; count: number }[] | null> {
  const { interior, edges } = splitHours(range.from, range.to);
  if (interior === null) return null;
  const counts = async (spans: Span[]): Promise<Map<string, number>> => {
    const params: unknown[] = [];
    const where = spansWhere('a.created_at', spans, params);
    const { rows } = await db.query<{ technique: string; day: string; count: string }>(
      `SELECT COALESCE(r.technique, 'unmapped') AS technique,
              to_char(date_trunc('day', a.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, count(*) AS count
         FROM alerts a JOIN rules r ON r.id = a.rule_id
        WHERE ${where} GROUP BY 1, 2`, params);
    return new Map(rows.map((r) => [`${r.technique}\u0000${r.day}`, Number(r.count)]));
  };
  const inner = await cache.get(`heatmap|${interior.from.getTime()}|${interior.to.getTime()}`, 'heatmap', interior.from.getTime(), interior.to.getTime(), () => counts([interior]));
  const cells = new Map(inner);
  if (edges.length > 0) for (const [k, n] of await counts(edges)) add(cells, k, n);
  const keys = [...cells.keys()].map((k) => k.split('\u0000'));
  const { rows } = await db.query<{ technique: string; day: string; count: string }>(
    `SELECT t AS technique, d AS day, n AS count FROM unnest($1::text[], $2::text[], $3::bigint[]) AS c(t, d, n) ORDER BY 1, 2`,
    [keys.map((k) => k[0]), keys.map((k) => k[1]), [...cells.values()]]);
  return rows.map((r) => ({ technique: r.technique, day: r.day, count: Number(r.count) }));
}

/** Events with occurred_at in the range (the executive summary's count), from the cached hourly counts; null without a whole hour. */
export async function cachedEventCount(db: Db, cache: AggregateCache, range: TimeRange): Promise<number | null> {
  const points = await cachedTimeline(db, cache, 'events', 'hour', range);
  return points === null ? null : points.reduce((sum, p) => sum + p.count, 0);
}
