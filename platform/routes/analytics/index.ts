// Analytics (INSIGHT), prefix /api/v1/analytics. Plain SQL aggregations over the big tables,
// computed on every request (no pre-aggregation, no cache): the platform's natural heavy queries.
//   GET /top-sources  top src_ip / host / username by events or alerts over from..to
//   GET /timeline     event or alert counts per minute / hour / day over from..to (UTC buckets, zero-filled)
//   GET /heatmap      alerts per rule technique x day over from..to
import type { FastifyInstance } from 'fastify';
import { errorResponses, dateTime } from '../../schemas.ts';
import { badRequest } from '../../errors.ts';
import { BUCKETS, MAX_BUCKETS, bucketCount, resolveRange } from './range.ts';
import type { Bucket } from './range.ts';

const DAY_MS = 86_400_000;
const SOURCES = ['src_ip', 'host', 'username'] as const;
type Source = (typeof SOURCES)[number];
const SUBJECTS = ['events', 'alerts'] as const;
type Subject = (typeof SUBJECTS)[number];

/** Table and time column of each subject; the only identifiers interpolated into SQL. */
const SUBJECT_SQL: Record<Subject, { table: string; time: string }> = {
  events: { table: 'events', time: 'occurred_at' },
  alerts: { table: 'alerts', time: 'created_at' },
};
const SOURCE_SQL: Record<Source, { column: string; value: string }> = {
  src_ip: { column: 'src_ip', value: 'host(src_ip)' },
  host: { column: 'host', value: 'host' },
  username: { column: 'username', value: 'username' },
};

const rangeQuery = {
  from: { ...dateTime, description: 'start (inclusive), ISO-8601 with offset' },
  to: { ...dateTime, description: 'end (exclusive), ISO-8601 with offset; default now' },
} as const;

export default async function analyticsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { by?: Source; of?: Subject; from?: string; to?: string; limit?: number } }>('/top-sources', {
    schema: {
      operationId: 'analyticsTopSources',
      tags: ['analytics'],
      summary: 'Top source IPs, hosts or users by event or alert count over a range (default: last 24 h)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          by: { type: 'string', enum: SOURCES, default: 'src_ip' },
          of: { type: 'string', enum: SUBJECTS, default: 'events' },
          ...rangeQuery,
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['by', 'of', 'from', 'to', 'items'],
          properties: {
            by: { type: 'string' }, of: { type: 'string' }, from: dateTime, to: dateTime,
            items: {
              type: 'array',
              items: { type: 'object', required: ['value', 'count'], properties: { value: { type: 'string' }, count: { type: 'integer' } } },
            },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const by = request.query.by ?? 'src_ip';
    const of = request.query.of ?? 'events';
    const limit = request.query.limit ?? 10;
    const range = resolveRange(request.query, DAY_MS);
    const s = SUBJECT_SQL[of];
    const c = SOURCE_SQL[by];
    const { rows } = await app.db.query<{ value: string; count: string }>(
      `SELECT ${c.value} AS value, count(*) AS count FROM ${s.table}
        WHERE ${s.time} >= $1 AND ${s.time} < $2 AND ${c.column} IS NOT NULL
        GROUP BY ${c.column} ORDER BY count(*) DESC, ${c.column} LIMIT $3`,
      [range.from, range.to, limit]);
    return {
      by, of, from: range.from.toISOString(), to: range.to.toISOString(),
      items: rows.map((r) => ({ value: r.value, count: Number(r.count) })),
    };
  });

  app.get<{ Querystring: { of?: Subject; bucket?: Bucket; from?: string; to?: string } }>('/timeline', {
    schema: {
      operationId: 'analyticsTimeline',
      tags: ['analytics'],
      summary: `Event or alert counts per UTC minute, hour or day over a range (default: last 24 h; at most ${MAX_BUCKETS} buckets)`,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          of: { type: 'string', enum: SUBJECTS, default: 'events' },
          bucket: { type: 'string', enum: BUCKETS, default: 'hour' },
          ...rangeQuery,
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['of', 'bucket', 'from', 'to', 'points'],
          properties: {
            of: { type: 'string' }, bucket: { type: 'string' }, from: dateTime, to: dateTime,
            points: {
              type: 'array',
              items: { type: 'object', required: ['t', 'count'], properties: { t: dateTime, count: { type: 'integer' } } },
            },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const of = request.query.of ?? 'events';
    const bucket = request.query.bucket ?? 'hour';
    const range = resolveRange(request.query, DAY_MS);
    if (bucketCount(range, bucket) > MAX_BUCKETS) {
      throw badRequest(`from..to spans more than ${MAX_BUCKETS} ${bucket} buckets; use a larger bucket or a shorter range`);
    }
    const s = SUBJECT_SQL[of];
    // Buckets are computed on UTC wall time (timestamp without time zone), so days never shift with DST.
    const { rows } = await app.db.query<{ t: Date; count: string }>(
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
    return {
      of, bucket, from: range.from.toISOString(), to: range.to.toISOString(),
      points: rows.map((r) => ({ t: r.t.toISOString(), count: Number(r.count) })),
    };
  });

  app.get<{ Querystring: { from?: string; to?: string } }>('/heatmap', {
    schema: {
      operationId: 'analyticsHeatmap',
      tags: ['analytics'],
      summary: 'Alert counts per rule technique (MITRE ATT&CK id, "unmapped" when none) and UTC day (default: last 7 days, at most 90)',
      querystring: { type: 'object', additionalProperties: false, properties: { ...rangeQuery } },
      response: {
        200: {
          type: 'object',
          required: ['from', 'to', 'days', 'techniques', 'cells'],
          properties: {
            from: dateTime, to: dateTime,
            days: { type: 'array', items: { type: 'string', format: 'date' } },
            techniques: { type: 'array', items: { type: 'string' } },
            cells: {
              type: 'array',
              items: {
                type: 'object',
                required: ['technique', 'day', 'count'],
                properties: { technique: { type: 'string' }, day: { type: 'string', format: 'date' }, count: { type: 'integer' } },
              },
            },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const range = resolveRange(request.query, 7 * DAY_MS, new Date(), 90);
    const { rows } = await app.db.query<{ technique: string; day: string; count: string }>(
      `SELECT COALESCE(r.technique, 'unmapped') AS technique,
              to_char(date_trunc('day', a.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, count(*) AS count
         FROM alerts a JOIN rules r ON r.id = a.rule_id
        WHERE a.created_at >= $1 AND a.created_at < $2
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [range.from, range.to]);
    const days: string[] = [];
    for (let t = Math.floor(range.from.getTime() / DAY_MS) * DAY_MS; t < range.to.getTime(); t += DAY_MS) {
      days.push(new Date(t).toISOString().slice(0, 10));
    }
    return {
      from: range.from.toISOString(), to: range.to.toISOString(), days,
      techniques: [...new Set(rows.map((r) => r.technique))],
      cells: rows.map((r) => ({ technique: r.technique, day: r.day, count: Number(r.count) })),
    };
  });
}
