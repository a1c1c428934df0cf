// Shared platform types and Fastify declaration merging for the decorations every part relies on:
// app.db, app.config, app.metrics, app.audit(), request.principal, and the route options
// `config: { public?: true, roles?: [...], secret?: true }` read by the auth and security-headers
// hooks. Each domain repository declares its own decoration beside its factory
// (platform/plugins/app/<domain>/<domain>-repository.ts).
import type pg from 'pg';
import type { Counter, Histogram, Registry } from 'prom-client';
import type { PlatformConfig } from './config.ts';
import type { Db } from './db/pool.ts';
import type { Role, UserRole } from './domain/vocabulary.ts';

export type { Role, UserRole };

export type UserPrincipal = { kind: 'user'; id: number; username: string; role: UserRole };
export type SensorPrincipal = { kind: 'sensor'; id: number; name: string };
export type Principal = UserPrincipal | SensorPrincipal;

export type PlatformMetrics = {
  registry: Registry;
  /** http_request_duration_seconds{route, status_code}; route is the endpoint key. */
  httpDuration: Histogram<'route' | 'status_code'>;
  /** rampart_detection_latency_seconds{rule, severity}: event ingestion -> alert creation. */
  detectionLatency: Histogram<'rule' | 'severity'>;
  /** rampart_alert_correlation_seconds: alert creation -> joined an incident. */
  correlationTime: Histogram;
  /** rampart_events_ingested_total{sensor}. */
  eventsIngested: Counter<'sensor'>;
};

export type AuditEntry = {
  actor: Principal | null;
  action: string;
  targetType: string;
  targetId?: string | number;
  details?: Record<string, unknown>;
};

export type AuditFn = (entry: AuditEntry, client?: pg.PoolClient) => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: PlatformConfig;
    metrics: PlatformMetrics;
    audit: AuditFn;
  }
  interface FastifyRequest {
    /** Set by the auth hook on every non-public route; absent on public ones. */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** The route needs no credentials (health, ready, metrics, openapi, login, refresh). */
    public?: boolean;
    /** Who may call it; default ['analyst', 'admin']. */
    roles?: readonly Role[];
    /** Its responses carry a secret (tokens, an API key): sent with Cache-Control: no-store. */
    secret?: boolean;
  }
}
