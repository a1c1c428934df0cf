// Dashboard (INSIGHT), prefix /api/v1/dashboard:
//   GET /summary  alert counts by severity and by status (all alerts), alerts per hour over the last
//                 24 h (zero-filled, UTC hours, the current hour last), open incidents, events ingested
//                 in the last 24 h. Computed by app.dashboardRepository on every request.
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { ALERT_STATUSES, SEVERITIES } from '../../domain/vocabulary.ts';
import { errorResponses, dateTime } from '../../schemas.ts';

function countsSchema<K extends string>(keys: readonly K[]) {
  return {
    type: 'object',
    required: keys,
    properties: Object.fromEntries(keys.map((k) => [k, { type: 'integer' }])) as Record<K, { type: 'integer' }>,
  } as const;
}

const dashboardSummary = {
  operationId: 'dashboardSummary',
  tags: ['dashboard'],
  summary: 'Alert counts by severity and status, last-24h hourly alert trend, open incidents, events ingested in 24 h',
  response: {
    200: {
      type: 'object',
      required: ['generatedAt', 'alerts', 'trend', 'openIncidents', 'eventsLast24h'],
      properties: {
        generatedAt: dateTime,
        alerts: {
          type: 'object',
          required: ['total', 'open', 'bySeverity', 'byStatus'],
          properties: {
            total: { type: 'integer' },
            open: { type: 'integer', description: 'status new, acknowledged or in_progress' },
            bySeverity: countsSchema(SEVERITIES),
            byStatus: countsSchema(ALERT_STATUSES),
          },
        },
        trend: {
          type: 'array',
          description: '24 UTC hours, oldest first; the last is the current (partial) hour',
          items: { type: 'object', required: ['hour', 'count'], properties: { hour: dateTime, count: { type: 'integer' } } },
        },
        openIncidents: { type: 'integer', description: 'incidents not closed' },
        eventsLast24h: { type: 'integer', description: 'events ingested in the last 24 hours' },
      },
    },
    ...errorResponses,
  },
} as const;

export default function dashboardRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const dashboard = app.dashboardRepository;

  app.get('/summary', { schema: dashboardSummary }, async () => dashboard.summary(new Date()));
}
