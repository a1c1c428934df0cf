// The platform's Fastify application, in three layers loaded in order (as fastify/demo does):
//   1. platform/plugins/external/  third-party plugins wrapped with fastify-plugin: OpenAPI
//      generation (swagger.ts), per-principal rate limiting (rate-limit.ts). Registered first.
//   2. platform/plugins/app/       the platform's own services, each an `fp()` factory with a `name`
//      and `dependencies`: error-handler, security-headers, input-guard (what no route may receive),
//      db, metrics, aggregate-cache, auth (default deny, failed-authentication budget), audit, inject-latency;
//      then one `<domain>/<domain>-repository.ts` per domain that decorates `app.<domain>Repository`
//      and holds ALL of that domain's SQL (transactions and their audit rows included), listed in
//      plugins/app/repositories.ts; then the background workers (platform/detection/, services/).
//   3. platform/routes/<domain>/   index.ts: the routes and their schemas for every status, declared
//      `as const` so the handlers' types (body, query, params, reply) come from them through
//      `app.withTypeProvider<JsonSchemaToTsProvider>()`. Handlers validate, call repositories and map
//      `undefined` to 404; they never touch `app.db`, and a route never imports another route.
// Shared vocabulary: platform/domain/vocabulary.ts (enumerations), platform/domain/<entity>.ts (an
// entity's schema and derived type, used by routes and repositories), platform/schemas.ts (errors,
// pages, ids), platform/lib/ (pagination, SQL filter builder, tokens). Decorations are declared in
// platform/types.ts or beside each repository. Unknown fields are a 400; bodies are not coerced
// (platform/lib/validation.ts). A plugin or route module with nothing to await is a plain function.
// Input: a validated PlatformConfig and optionally an existing Db (the caller then owns it).
// Output: a FastifyInstance, not listening; `server.ts` listens, tests use `app.inject`.
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { PlatformConfig } from './config.ts';
import type { Db } from './db/pool.ts';
import { schemaController } from './lib/validation.ts';
import swaggerPlugin from './plugins/external/swagger.ts';
import rateLimitPlugin from './plugins/external/rate-limit.ts';
import dbPlugin from './plugins/app/db.ts';
import metricsPlugin from './plugins/app/metrics.ts';
import aggregateCachePlugin from './plugins/app/aggregate-cache.ts';
import authPlugin from './plugins/app/auth.ts';
import auditPlugin from './plugins/app/audit.ts';
import injectLatencyPlugin from './plugins/app/inject-latency.ts';
import errorHandlerPlugin, { clientErrorHandler, frameworkErrors } from './plugins/app/error-handler.ts';
import securityHeadersPlugin from './plugins/app/security-headers.ts';
import inputGuardPlugin from './plugins/app/input-guard.ts';
import { REPOSITORIES } from './plugins/app/repositories.ts';
import detectionPlugin from './detection/index.ts';
import reportsWorkerPlugin from './services/reports.ts';
import opsRoutes from './routes/ops/index.ts';
import authRoutes from './routes/auth/index.ts';
import adminRoutes from './routes/admin/index.ts';
import eventsRoutes from './routes/events/index.ts';
import alertsRoutes from './routes/alerts/index.ts';
import incidentsRoutes from './routes/incidents/index.ts';
import rulesRoutes from './routes/rules/index.ts';
import indicatorsRoutes from './routes/indicators/index.ts';
import dashboardRoutes from './routes/dashboard/index.ts';
import analyticsRoutes from './routes/analytics/index.ts';
import reportsRoutes from './routes/reports/index.ts';
import './types.ts';

export type BuildOptions = {
  /** Use this pool instead of creating one from DATABASE_URL; the caller closes it. */
  db?: Db;
  /** Fastify logger: false (tests), true, or pino options. Default: pino at config.logLevel. */
  logger?: boolean | object;
  /** An existing pino logger to use instead (server.ts shares its own). */
  loggerInstance?: FastifyBaseLogger;
  /** Start background workers (detection, reports). Default true; tests may turn them off. */
  workers?: boolean;
};

/** A route module: sync when it only declares routes, async when it awaits something first. */
type RouteModule = (app: FastifyInstance) => void | Promise<void>;

/** The route modules and their prefixes, registered in this order (docs/api.md lists their endpoint keys). */
const ROUTE_MODULES: ReadonlyArray<{ prefix: string; module: RouteModule }> = [
  { prefix: '', module: opsRoutes },
  { prefix: '/api/v1/auth', module: authRoutes },
  { prefix: '/api/v1/admin', module: adminRoutes },
  { prefix: '/api/v1/events', module: eventsRoutes },
  { prefix: '/api/v1/alerts', module: alertsRoutes },
  { prefix: '/api/v1/incidents', module: incidentsRoutes },
  { prefix: '/api/v1/admin/rules', module: rulesRoutes },
  { prefix: '/api/v1/indicators', module: indicatorsRoutes },
  { prefix: '/api/v1/dashboard', module: dashboardRoutes },
  { prefix: '/api/v1/analytics', module: analyticsRoutes },
  { prefix: '/api/v1/reports', module: reportsRoutes },
];

export async function buildApp(config: PlatformConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance !== undefined ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? { level: config.logLevel } }),
    bodyLimit: config.bodyLimitBytes,
    // request.ip is the TCP peer unless TRUST_PROXY names the proxies allowed to say otherwise.
    trustProxy: config.trustProxy,
    exposeHeadRoutes: false,
    // Requests refused before routing (bad percent-encoding) or by Node's HTTP parser (CR/LF/NUL in
    // a header) get the same error shape and headers as every other error.
    frameworkErrors,
    clientErrorHandler,
    requestTimeout: 60_000,
    keepAliveTimeout: 72_000,
    schemaController,
  });
  app.decorate('config', config);

  // 1. External plugins
  await app.register(swaggerPlugin);
  await app.register(rateLimitPlugin);

  // 2. The platform's services, its repositories, then its background workers
  await app.register(errorHandlerPlugin);
  await app.register(securityHeadersPlugin);
  await app.register(inputGuardPlugin);
  await app.register(dbPlugin, { db: options.db });
  await app.register(metricsPlugin);
  await app.register(aggregateCachePlugin);
  await app.register(authPlugin);
  await app.register(auditPlugin);
  await app.register(injectLatencyPlugin);
  for (const repository of REPOSITORIES) await app.register(repository);
  if (options.workers !== false) {
    // Background workers (DETECT, INSIGHT): each starts on ready and stops in onClose.
    await app.register(detectionPlugin);
    await app.register(reportsWorkerPlugin);
  }

  // 3. Routes
  for (const { prefix, module } of ROUTE_MODULES) {
    await app.register(module, { prefix });
  }
  return app;
}
