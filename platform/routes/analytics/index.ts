// Analytics (INSIGHT), prefix /api/v1/analytics. Plain SQL aggregations over the big tables,
// computed on every request by app.analyticsRepository (no pre-aggregation, no cache):
//   GET /top-sources  top src_ip / host / username by events or alerts over from..to
//   GET /timeline     event or alert counts per minute / hour / day over from..to (UTC buckets, zero-filled)
//   GET /heatmap      alerts per rule technique x day over from..to
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { badRequest } from '../../errors.ts';
import { SOURCES, SUBJECTS } from '../../plugins/app/analytics/analytics-repository.ts';
import { BUCKETS, MAX_BUCKETS, bucketCount, resolveRange } from '../../domain/time-range.ts';
import { errorResponses, dateTime } from '../../schemas.ts';

const DAY_MS = 86_400_000;

const rangeQuery = {
  from: { ...dateTime, description: 'start (inclusive), ISO-8601 with offset' },
  to: { ...dateTime, description: 'end (exclusive), ISO-8601 with offset; default now' },
} as const;

const topSources = {
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
} as const;

const timeline = {
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
} as const;

const heatmap = {
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
} as const;

export default function analyticsRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const analytics = app.analyticsRepository;

  app.get('/top-sources', { schema: topSources }, async (request) => {
    const { by, of, limit } = request.query;
    const range = resolveRange(request.query, DAY_MS);
    const items = await analytics.topSources(by, of, range, limit);
    return { by, of, from: range.from.toISOString(), to: range.to.toISOString(), items };
  });

  app.get('/timeline', { schema: timeline }, async (request) => {
    const { of, bucket } = request.query;
    const range = resolveRange(request.query, DAY_MS);
    if (bucketCount(range, bucket) > MAX_BUCKETS) {
      throw badRequest(`from..to spans more than ${MAX_BUCKETS} ${bucket} buckets; use a larger bucket or a shorter range`);
    }
    const points = await analytics.timeline(of, bucket, range);
    return { of, bucket, from: range.from.toISOString(), to: range.to.toISOString(), points };
  });

  app.get('/heatmap', { schema: heatmap }, async (request) => {
    const range = resolveRange(request.query, 7 * DAY_MS, new Date(), 90);
    const cells = await analytics.heatmap(range);
    const days: string[] = [];
    for (let t = Math.floor(range.from.getTime() / DAY_MS) * DAY_MS; t < range.to.getTime(); t += DAY_MS) {
      days.push(new Date(t).toISOString().slice(0, 10));
    }
    return { from: range.from.toISOString(), to: range.to.toISOString(), days, techniques: [...new Set(cells.map((c) => c.technique))], cells };
  });
}
