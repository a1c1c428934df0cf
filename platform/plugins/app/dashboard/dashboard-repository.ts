// Domain service: app.dashboardRepository, the dashboard's SQL: alert counts by severity and status,
// alerts per UTC hour over the last 24 h (zero-filled, the current hour last), open incidents and
// events ingested in the last 24 h. Computed from the tables on every call, four queries at once
// (with dashboard-counter, eventsLast24h from the per-minute ingestion counts).
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

/**
 * eventsLast24h from event_ingest_minutes (optimisation dashboard-counter): the whole minutes after
 * the one holding `now - 24 h`, plus that minute's events from `now - 24 h` on, read through its id
 * range (primary key) rather than by scanning ingested_at. The same count as the plain query.
 */
const EVENTS_LAST_24H_COUNTED = `
  WITH since AS (SELECT $1::timestamptz - interval '24 hours' AS t),
       edge AS (SELECT m.minute, m.min_id, m.max_id FROM event_ingest_minutes m, since WHERE m.minute = date_trunc('minute', since.t, 'UTC'))
  SELECT (SELECT COALESCE(sum(m.n), 0) FROM event_ingest_minutes m, since WHERE m.minute > date_trunc('minute', since.t, 'UTC'))
       + (SELECT count(*) FROM events e, edge, since
           WHERE e.id BETWEEN edge.min_id AND edge.max_id AND e.ingested_at >= since.t AND e.ingested_at < edge.minute + interval '1 minute') AS n`;

function createDashboardRepository(app: FastifyInstance) {
  const db = app.db;
  const countMinutes = app.config.optimizations.has('dashboard-counter');
  const cache = app.aggregateCache;
  const alertParts = (now: Date) => Promise.all([
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
  ]);
  return {
    async summary(now: Date): Promise<DashboardSummary> {
      // The alert and incident parts depend on `now` only through its UTC hour: with aggregate-cache
      // they are cached per hour until an alert or incident changes. eventsLast24h slides with every
      // second, so it is always counted.
      const hour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
      const [[breakdown, trend, incidents], events] = await Promise.all([
        cache === null ? alertParts(now) : cache.get(`summary|${hour}`, 'summary', hour, hour + 3_600_000, () => alertParts(now)),
        db.query<{ n: string }>(countMinutes ? EVENTS_LAST_24H_COUNTED : "SELECT count(*) AS n FROM events WHERE ingested_at >= $1::timestamptz - interval '24 hours'", [now]),
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
  { name: 'dashboard-repository', fastify: '5.x', dependencies: ['db', 'aggregate-cache'] },
);
