// Service plugin: app.aggregateCache, the dashboard and analytics cache (platform/lib/aggregate-cache.ts),
// or null unless OPTIMIZATIONS has aggregate-cache. Invalidation, always after the write committed:
// ingestion reports the batch's occurred_at span (events routes), the detection worker its committed
// passes that raised alerts (detection/index.ts), and this plugin's onSend hook every successful
// write to alerts, incidents or rules (before its answer leaves, so the client's next read sees it).
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { AggregateCache } from '../../lib/aggregate-cache.ts';

declare module 'fastify' {
  interface FastifyInstance {
    aggregateCache: AggregateCache | null;
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function aggregateCachePlugin(app: FastifyInstance): void {
  const cache = app.config.optimizations.has('aggregate-cache') ? new AggregateCache() : null;
  app.decorate('aggregateCache', cache);
  if (cache === null) return;
  app.addHook('onSend', async (request, reply, payload) => {
    if (!WRITE_METHODS.has(request.method) || reply.statusCode >= 400) return payload;
    const url = request.routeOptions.url ?? '';
    // Alert and incident changes move the dashboard's counts; rule changes the heatmap's techniques.
    if (url.startsWith('/api/v1/alerts') || url.startsWith('/api/v1/incidents')) cache.changed('summary');
    if (url.startsWith('/api/v1/admin/rules')) cache.changed('heatmap');
    return payload;
  });
}

export default fp(aggregateCachePlugin, { name: 'aggregate-cache', fastify: '5.x' });
