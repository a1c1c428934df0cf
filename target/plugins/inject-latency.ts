// INJECT_LATENCY: slows named endpoints by a fraction of their own handling time, to give the
// regression gate a known slowdown to find. `GET /api/v1/alerts=0.2` holds each response of that
// endpoint for 0.2 x the time it took before sending it (so the request takes about 1.2x as long).
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { endpointKey } from '../lib/endpoint-key.ts';

async function injectLatencyPlugin(app: FastifyInstance): Promise<void> {
  const slowdowns = app.config.injectLatency;
  if (slowdowns.size === 0) return;
  app.log.warn({ injectLatency: Object.fromEntries(slowdowns) }, 'INJECT_LATENCY is set: these endpoints are slowed on purpose');
  app.addHook('onSend', async (request, reply, payload) => {
    const fraction = slowdowns.get(endpointKey(request));
    if (fraction !== undefined && fraction > 0) await sleep(reply.elapsedTime * fraction);
    return payload;
  });
}

export default fp(injectLatencyPlugin, { name: 'inject-latency', fastify: '5.x' });
