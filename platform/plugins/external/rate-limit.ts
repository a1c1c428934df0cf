// External plugin: a per-principal rate limit on every route (@fastify/rate-limit), at
// config.rateLimitPerMinute. It runs in preHandler, after the auth hook, so the key is the signed-in
// user or sensor (the client address on public routes, an IPv6 client by its /64 as in
// platform/lib/failure-budget.ts); a breach is a 429 `rate_limited`.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { HttpError } from '../../errors.ts';
import { clientKey } from '../../lib/failure-budget.ts';
import type { Principal } from '../../types.ts';

function rateLimitKey(request: FastifyRequest): string {
  const principal = request.principal as Principal | null;
  if (principal === null) return `ip:${clientKey(request.ip)}`;
  return `${principal.kind}:${principal.id}`;
}

async function rateLimitPlugin(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler', // after authentication, so the key is the principal
    max: app.config.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'rate_limited', `rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`),
  });
}

export default fp(rateLimitPlugin, { name: 'rate-limit', fastify: '5.x' });
