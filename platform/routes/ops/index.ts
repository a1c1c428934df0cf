// Operations routes (no prefix, public, not rate limited):
//   GET /health               liveness: the process answers
//   GET /ready                readiness: 200 when the database answers within 2 s, else 503
//   GET /metrics              Prometheus exposition of app.metrics.registry
//   GET /api/v1/openapi.json  the OpenAPI 3 document generated from the routes' schemas
// The readiness probe is app.opsRepository's (platform/plugins/app/ops/ops-repository.ts).
import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../../schemas.ts';

const READY_TIMEOUT_MS = 2000;

export default function opsRoutes(app: FastifyInstance): void {
  const open = { public: true, rateLimit: false } as const;

  app.get('/health', {
    config: open,
    schema: {
      operationId: 'health',
      tags: ['ops'],
      summary: 'Liveness: the process is up',
      response: { 200: { type: 'object', required: ['status', 'uptimeSeconds'], properties: { status: { type: 'string', enum: ['ok'] }, uptimeSeconds: { type: 'number' } } } },
    },
  }, () => ({ status: 'ok' as const, uptimeSeconds: process.uptime() }));

  app.get('/ready', {
    config: open,
    schema: {
      operationId: 'ready',
      tags: ['ops'],
      summary: 'Readiness: the database answers',
      response: {
        200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ready'] } } },
        503: errorSchema,
      },
    },
  }, async (_request, reply) => {
    if (await app.opsRepository.databaseAnswers(READY_TIMEOUT_MS)) return { status: 'ready' as const };
    return reply.code(503).send({ error: 'unavailable', message: 'the database does not answer' });
  });

  app.get('/metrics', {
    config: open,
    schema: {
      operationId: 'metrics',
      tags: ['ops'],
      summary: 'Prometheus metrics (text exposition format)',
      produces: ['text/plain'],
      response: { 200: { type: 'string', description: 'Prometheus text format 0.0.4' } },
    },
  }, async (_request, reply) => {
    const body = await app.metrics.registry.metrics();
    return reply.type(app.metrics.registry.contentType).send(body);
  });

  app.get('/api/v1/openapi.json', {
    config: open,
    schema: {
      operationId: 'openapi',
      tags: ['ops'],
      summary: 'This API as an OpenAPI 3 document',
      response: { 200: { type: 'object', additionalProperties: true } },
    },
  }, () => app.swagger());
}
