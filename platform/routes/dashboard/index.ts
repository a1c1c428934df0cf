// Dashboard (INSIGHT), prefix /api/v1/dashboard:
//   GET /summary  alert counts by severity and by status (all alerts), alerts per hour over the last
//                 24 h (zero-filled, UTC hours, the current hour last), open incidents, events ingested
//                 in the last 24 h. Computed from the tables on every request.
import type { FastifyInstance } from 'fastify';
import { errorResponses, dateTime } from '../../schemas.ts';

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const STATUSES = ['new', 'acknowledged', 'in_progress', 'resolved', 'false_positive'] as const;

function countsSchema(keys: readonly string[]) {
  return {
    type: 'object',
    required: keys,
    properties: Object.fromEntries(keys.map((k) => [k, { type: 'integer' }])),
  } as const;
}

export default async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  app.get('/summary', {
    schema: {
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
                byStatus: countsSchema(STATUSES),
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
    },
  }, async () => {
    const now = new Date();
    const [breakdown, trend, incidents, events] = await Promise.all([
      app.db.query<{ severity: string; status: string; n: string }>(
        'SELECT severity, status, count(*) AS n FROM alerts GROUP BY severity, status'),
      app.db.query<{ hour: Date; n: string }>(
        `WITH counts AS (
           SELECT date_trunc('hour', created_at AT TIME ZONE 'UTC') AS h, count(*) AS n FROM alerts
            WHERE created_at >= (date_trunc('hour', $1::timestamptz AT TIME ZONE 'UTC') - interval '23 hours') AT TIME ZONE 'UTC'
            GROUP BY 1
         )
         SELECT (g.h AT TIME ZONE 'UTC') AS hour, COALESCE(counts.n, 0) AS n
           FROM generate_series(date_trunc('hour', $1::timestamptz AT TIME ZONE 'UTC') - interval '23 hours',
                                date_trunc('hour', $1::timestamptz AT TIME ZONE 'UTC'), interval '1 hour') AS g(h)
           LEFT JOIN counts ON counts.h = g.h
          ORDER BY g.h`, [now]),
      app.db.query<{ n: string }>("SELECT count(*) AS n FROM incidents WHERE status <> 'closed'"),
      app.db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE ingested_at >= $1::timestamptz - interval '24 hours'", [now]),
    ]);
    const bySeverity: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
    const byStatus: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    let total = 0;
    for (const r of breakdown.rows) {
      const n = Number(r.n);
      bySeverity[r.severity] = (bySeverity[r.severity] ?? 0) + n;
      byStatus[r.status] = (byStatus[r.status] ?? 0) + n;
      total += n;
    }
    return {
      generatedAt: now.toISOString(),
      alerts: { total, open: byStatus.new + byStatus.acknowledged + byStatus.in_progress, bySeverity, byStatus },
      trend: trend.rows.map((r) => ({ hour: r.hour.toISOString(), count: Number(r.n) })),
      openIncidents: Number(incidents.rows[0].n),
      eventsLast24h: Number(events.rows[0].n),
    };
  });
}
