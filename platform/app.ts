// The platform's Fastify application, in three layers (Fastify demo style):
// Validation: unknown fields are a 400; bodies are not type-coerced (platform/lib/validation.ts).
//   1. external plugins: rate limiting (per principal), OpenAPI generation (@fastify/swagger)
//   2. services: db, metrics, auth (default deny), audit, INJECT_LATENCY, background workers
//   3. route modules, a static list with their prefixes
// Input: a validated TargetConfig and optionally an existing Db (the caller then owns it).
// Output: a FastifyInstance, not listening; `server.ts` listens, tests use `app.inject`.
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TargetConfig } from './config.ts';
import type { Db } from './db/pool.ts';
import { HttpError } from './errors.ts';
import { normaliseTemplate } from './lib/endpoint-key.ts';
import { schemaController } from './lib/validation.ts';
import dbPlugin from './plugins/db.ts';
import metricsPlugin from './plugins/metrics.ts';
import authPlugin, { DEFAULT_ROLES } from './plugins/auth.ts';
import auditPlugin from './plugins/audit.ts';
import injectLatencyPlugin from './plugins/inject-latency.ts';
import { errorHandler } from './plugins/error-handler.ts';
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
import type { Principal } from './types.ts';
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

type RouteModule = (app: FastifyInstance) => Promise<void>;

/** The route modules and their prefixes (target-conventions.md). */
export const ROUTE_MODULES: ReadonlyArray<{ prefix: string; module: RouteModule }> = [
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

function rateLimitKey(request: FastifyRequest): string {
  const principal = request.principal as Principal | null;
  if (principal === null || principal === undefined) return `ip:${request.ip}`;
  return `${principal.kind}:${principal.id}`;
}

type SwaggerRoute = { url: string; config?: { public?: boolean; roles?: readonly string[] } };

export async function buildApp(config: TargetConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance !== undefined ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? { level: config.logLevel } }),
    bodyLimit: config.bodyLimitBytes,
    exposeHeadRoutes: false,
    requestTimeout: 60_000,
    keepAliveTimeout: 72_000,
    schemaController,
  });
  app.decorate('config', config);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'not_found', message: `no operation ${request.method} ${request.url.split('?')[0]}` });
  });

  // 1. External plugins
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Rampart reference security platform', version: '1.0.0', description: 'SIEM-style API used as Rampart\'s load-test target. Endpoint keys: docs/api.md.' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const r = route as unknown as SwaggerRoute;
      const roles = r.config?.roles ?? DEFAULT_ROLES;
      const security: Array<Record<string, string[]>> = [];
      if (r.config?.public !== true) {
        if (roles.includes('sensor')) security.push({ apiKey: [] });
        if (roles.some((role) => role !== 'sensor')) security.push({ bearerAuth: [] });
      }
      // A module's root route ('/' under a prefix) answers both `/x` and `/x/`; Fastify reports it
      // once, as `/x/`. List it under its endpoint key's path, `/x`.
      return { schema: { ...schema, security }, url: normaliseTemplate(url) };
    },
  });
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler', // after authentication, so the key is the principal
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'rate_limited', `rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`),
  });

  // 2. Services
  await app.register(dbPlugin, { db: options.db });
  await app.register(metricsPlugin);
  await app.register(authPlugin);
  await app.register(auditPlugin);
  await app.register(injectLatencyPlugin);
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
