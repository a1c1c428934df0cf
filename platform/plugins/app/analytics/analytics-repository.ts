// Domain service: app.analyticsRepository, the analytics' SQL: plain aggregations over the big
// tables, computed on every call (no pre-aggregation, no cache): the platform's natural heavy queries.
// With optimisation aggregate-cache, ranges spanning a whole UTC hour go through cached-analytics.ts
// (the same answers; the whole hours cached until a write touches them).
// Only the identifiers of SUBJECT_SQL and SOURCE_SQL are written into the SQL text; values are parameters.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Bucket, TimeRange } from '../../../domain/time-range.ts';
import { SOURCE_SQL, SUBJECT_SQL, type Source, type Subject } from './analytics-sql.ts';
import { cachedHeatmap, cachedTimeline, cachedTopSources } from './cached-analytics.ts';

export { SOURCES, SUBJECTS } from './analytics-sql.ts';

function createAnalyticsRepository(app: FastifyInstance) {
  const db = app.db;
  const cache = app.aggregateCache;
  return {
    /** The `limit` most frequent values of `by` among `of` in the range, most frequent first. */
    async topSources(by: Source, of: Subject, range: TimeRange, limit: number): Promise<{ value: string; count: number }[]> {
      const cached = cache === null ? null : await cachedTopSources(db, cache, by, of, range, limit);
      if (cached !== null) return cached;
      const s = SUBJECT_SQL[of];
      const c = SOURCE_SQL[by];
      const { rows } = await db.query<{ value: string; count: string }>(
        `SELECT ${c.value} AS value, count(*) AS count FROM ${s.table}
          WHERE ${s.time} >= $1 AND ${s.time} < $2 AND ${c.column} IS NOT NULL
          GROUP BY ${c.column} ORDER BY count(*) DESC, ${c.column} LIMIT $3`,
        [range.from, range.to, limit]);
      return rows.map((r) => ({ value: r.value, count: Number(r.count) }));
    },

    /** Counts of `of` per UTC bucket over the range, zero-filled, oldest first. */
    async timeline(of: Subject, bucket: Bucket, range: TimeRange): Promise<{ t: string; count: number }[]> {
      const cached = cache === null ? null : await cachedTimeline(db, cache, of, bucket, range);
      if (cached !== null) return cached;
      const s = SUBJECT_SQL[of];
      // Buckets are computed on UTC wall time (timestamp without time zone), so days never shift with DST.
      const { rows } = await db.query<{ t: Date; count: string }>(
        `WITH counts AS (
           SELECT date_trunc($3, ${s.time} AT TIME ZONE 'UTC') AS b, count(*) AS n FROM ${s.table}
            WHERE ${s.time} >= $1 AND ${s.time} < $2 GROUP BY 1
         )
         SELECT (g.b AT TIME ZONE 'UTC') AS t, COALESCE(counts.n, 0) AS count
           FROM generate_series(date_trunc($3, $1::timestamptz AT TIME ZONE 'UTC'),
                                ($2::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC',
                                ('1 ' || $3)::interval) AS g(b)
           LEFT JOIN counts ON counts.b = g.b
          ORDER BY g.b`,
        [range.from, range.to, bucket]);
      return rows.map((r) => ({ t: r.t.toISOString(), count: Number(r.count) }));
    },

    /** Alerts per rule technique ("unmapped" when none) and UTC day over the range, by technique then day. */
    async heatmap(range: TimeRange): Promise<{ technique: string; day: string; count: number }[]> {
      const cached = cache === null ? null : await cachedHeatmap(db, cache, range);
      if (cached !== null) return cached;
      const { rows } = await db.query<{ technique: string; day: string; count: string }>(
        `SELECT COALESCE(r.technique, 'unmapped') AS technique,
                to_char(date_trunc('day', a.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, count(*) AS count
           FROM alerts a JOIN rules r ON r.id = a.rule_id
          WHERE a.created_at >= $1 AND a.created_at < $2
          GROUP BY 1, 2 ORDER BY 1, 2`,
        [range.from, range.to]);
      return rows.map((r) => ({ technique: r.technique, day: r.day, count: Number(r.count) }));
    },
  };
}

export type AnalyticsRepository = ReturnType<typeof createAnalyticsRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    analyticsRepository: AnalyticsRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('analyticsRepository', createAnalyticsRepository(app));
  },
  { name: 'analytics-repository', fastify: '5.x', dependencies: ['db', 'aggregate-cache'] },
);
