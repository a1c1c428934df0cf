// INJECT_LATENCY: slows named endpoints by a fraction of their own handling time, to give the
// regression gate a known slowdown to find. `GET /api/v1/alerts=0.2` holds each response of that
// endpoint for 0.2 x the time it took before sending it (so the request takes about 1.2x as long).
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { endpointKey } from '../../lib/endpoint-key.ts';

/** Timers fire no sooner than about 1 ms: sleep for the whole milliseconds, then yield turn by turn. */
const TIMER_SLACK_MS = 1.5;

/**
 * Holds for `ms` with sub-millisecond precision. A plain timer rounds a 0.4 ms hold up to about
 * 1 ms, which turned a nominal +10% on a 4 ms endpoint into +27%. The remainder is waited out by
 * yielding to the event loop (setImmediate) until the deadline, so other requests keep being served.
 */
export async function holdFor(ms: number): Promise<void> {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  if (ms > TIMER_SLACK_MS) await sleep(ms - TIMER_SLACK_MS);
  while (process.hrtime.bigint() < deadline) await nextTurn();
}

function injectLatencyPlugin(app: FastifyInstance): void {
  const slowdowns = app.config.injectLatency;
  if (slowdowns.size === 0) return;
  app.log.warn({ injectLatency: Object.fromEntries(slowdowns) }, 'INJECT_LATENCY is set: these endpoints are slowed on purpose');
  app.addHook('onSend', async (request, reply, payload) => {
    const fraction = slowdowns.get(endpointKey(request));
    if (fraction !== undefined && fraction > 0) await holdFor(reply.elapsedTime * fraction);
    return payload;
  });
}

export default fp(injectLatencyPlugin, { name: 'inject-latency', fastify: '5.x' });
