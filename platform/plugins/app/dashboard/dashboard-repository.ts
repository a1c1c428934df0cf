// Domain service: app.dashboardRepository, the dashboard's SQL: alert counts by severity and status,
// alerts per UTC hour over the last 24 h (zero-filled, the current hour last), open incidents and
// events ingested in the last 24 h. Computed from the tables on every call, four queries at once.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ALERT_STATUSES, SEVERITIES, type AlertStatus, type Severity } from '../../../domain/vocabulary.ts';

export type DashboardSummary = {
  generatedAt: string;
  alerts: { total: number; open: number; bySeverity: Record<Severity, number>; byStatus: Record<AlertStatus, number> };
  trend: { hour: string; count: number }[];
  openIncidents: number;
  eventsLast24h: number;
};

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

function createDashboardRepository(app: FastifyInstance) {
  const db = app.db;
  return {
    async summary(now: Date): Promise<DashboardSummary> {
      const [breakdown, trend, incidents, events] = await Promise.all([
        db.query<{ severity: Severity; status: AlertStatus; n: string }>(
          'SELECT severity, status, count(*) AS n FROM alerts GROUP BY severity, status'),
        db.query<{ hour: Date; n: string }>(
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
        db.query<{ n: string }>("SELECT count(*) AS n FROM incidents WHERE status <> 'closed'"),
        db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE ingested_at >= $1::timestamptz - interval '24 hours'", [now]),
      ]);
      const bySeverity = zeros(SEVERITIES);
      const byStatus = zeros(ALERT_STATUSES);
      let total = 0;
      for (const r of breakdown.rows) {
        const n = Number(r.n);
        bySeverity[r.severity] += n;
        byStatus[r.status] += n;
        total += n;
      }
      return {
        generatedAt: now.toISOString(),
        alerts: { total, open: byStatus.new + byStatus.acknowledged + byStatus.in_progress, bySeverity, byStatus },
        trend: trend.rows.map((r) => ({ hour: r.hour.toISOString(), count: Number(r.n) })),
        openIncidents: Number(incidents.rows[0].n),
        eventsLast24h: Number(events.rows[0].n),
      };
    },
  };
}

export type DashboardRepository = ReturnType<typeof createDashboardRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    dashboardRepository: DashboardRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('dashboardRepository', createDashboardRepository(app));
  },
  { name: 'dashboard-repository', fastify: '5.x', dependencies: ['db'] },
);
