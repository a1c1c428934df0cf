// Service plugin: headers every response carries. `X-Content-Type-Options: nosniff` on every answer
// (errors and 404s included), so no browser reads a JSON or CSV body as something else; and, on
// routes whose responses carry a secret (`config: { secret: true }`: login, refresh, a new sensor's
// API key), `Cache-Control: no-store` and `Pragma: no-cache`, so no cache keeps a token.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

function securityHeadersPlugin(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    if (request.routeOptions.config.secret === true) void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  });
}

export default fp(securityHeadersPlugin, { name: 'security-headers', fastify: '5.x' });
