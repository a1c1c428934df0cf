// Service plugin: decorates app.metrics (prom-client) and observes every request in
// http_request_duration_seconds{route, status_code}, route being the endpoint key. Also default
// Node metrics (event-loop lag, GC, heap), the pg pool gauges rampart_db_pool_total/idle/waiting and
// rampart_detection_backlog_events (events with detected_at IS NULL, counted through the partial index
// events_undetected_idx at scrape time: it reads only the undetected rows, never the whole table).
// Owners of other parts add their own metrics to app.metrics.registry.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { endpointKey } from '../../lib/endpoint-key.ts';
import type { PlatformMetrics } from '../../types.ts';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): PlatformMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by endpoint key (METHOD /route/template) and status code',
      labelNames: ['route', 'status_code'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    detectionLatency: new Histogram({
      name: 'rampart_detection_latency_seconds',
      help: 'Time from the triggering event\'s ingestion to the alert\'s creation',
      labelNames: ['rule', 'severity'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    correlationTime: new Histogram({
      name: 'rampart_alert_correlation_seconds',
      help: 'Time from an alert\'s creation to its correlation into an incident',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    eventsIngested: new Counter({
      name: 'rampart_events_ingested_total',
      help: 'Events accepted by batch ingestion, by sensor',
      labelNames: ['sensor'] as const,
      registers: [registry],
    }),
  };
}

function metricsPlugin(app: FastifyInstance): void {
  const metrics = createMetrics();
  const pool = app.db.pool;
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.set(read());
      },
    });
  };
  gauge('rampart_db_pool_total', 'Connections open in the database pool', () => pool.totalCount);
  gauge('rampart_db_pool_idle', 'Idle connections in the database pool', () => pool.idleCount);
  gauge('rampart_db_pool_waiting', 'Requests waiting for a database connection', () => pool.waitingCount);
  gauge('rampart_db_pool_in_use', 'Connections checked out of the database pool', () => pool.totalCount - pool.idleCount);
  const db = app.db;
  new Gauge({
    name: 'rampart_detection_backlog_events',
    help: 'Events not yet evaluated by detection (detected_at IS NULL), counted at scrape time through events_undetected_idx',
    registers: [metrics.registry],
    async collect() {
      try {
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE detected_at IS NULL');
        this.set(rows[0].n);
      } catch {
        // Database unavailable: keep the last value; /ready reports the outage.
      }
    },
  });

  app.decorate('metrics', metrics);
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { route: endpointKey(request), status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

export default fp(metricsPlugin, { name: 'metrics', fastify: '5.x', dependencies: ['db'] });
