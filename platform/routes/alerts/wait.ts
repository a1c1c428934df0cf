// GET /api/v1/alerts/wait: a long poll for new alerts, the channel a responder (or a SOAR tool) waits
// on instead of polling the alert list. It answers as soon as at least one alert matches the filters
// (ruleId, srcIp, from, after = the last alert id seen, correlated = already in an incident by
// automatic correlation), or with `timedOut: true` once `timeout` seconds have passed. Each answer
// carries the alerts' own server-recorded times (eventIngestedAt, createdAt, detectionLatencyMs,
// correlatedAt, correlationMs).
//
// A long poll rather than server-sent events: one ordinary request per wait, which every HTTP client
// (Artillery included) measures, retries and rate-limits like any other, and no connection held open
// between waits. While waiting, the request holds no database connection: it re-queries when the
// detection worker (app.detection.onAlerts, platform/detection/worker.ts) says a committed pass raised
// alerts from the awaited source IP, and every RECHECK_MS anyway (alerts written by another process's
// worker, or a process without workers). Pending waits answer at once when the app closes.
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { alertItem } from '../../domain/alert.ts';
import type { AlertNotice } from '../../detection/worker.ts';
import { dateTime, errorResponses } from '../../schemas.ts';

export const MAX_WAIT_SECONDS = 25;
const RECHECK_MS = 5000;

const id = { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } as const;

const waitAlerts = {
  operationId: 'waitAlerts',
  tags: ['alerts'],
  summary: 'Long poll: wait until an alert matches the filters, or the timeout passes',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ruleId: id,
      srcIp: { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] },
      from: { ...dateTime, description: 'created at or after' },
      after: { ...id, description: 'only alerts with a greater id (the last id seen: a cursor over new alerts)' },
      correlated: { type: 'boolean', description: 'only alerts automatic correlation put in an incident' },
      timeout: { type: 'number', minimum: 0, maximum: MAX_WAIT_SECONDS, default: 20, description: 'seconds to wait at most' },
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['items', 'timedOut'],
      properties: {
        items: { type: 'array', items: alertItem, description: 'matching alerts, oldest first; empty when timed out' },
        timedOut: { type: 'boolean' },
      },
    },
    ...errorResponses,
  },
} as const;

/** One waiting request: woken by a matching notice, its recheck timer, or the app closing. */
class Waiter {
  readonly srcIp: string | undefined;
  #wake: (() => void) | null = null;
  #pending = false;

  constructor(srcIp: string | undefined) {
    this.srcIp = srcIp;
  }

  concerns(notice: AlertNotice): boolean {
    return this.srcIp === undefined || notice.anyWithoutSrcIp || notice.srcIps.has(this.srcIp);
  }

  notify(): void {
    const wake = this.#wake;
    if (wake === null) this.#pending = true; // arrived while the waiter was querying: query again at once
    else wake();
  }

  /** Resolves on the next notify (or one that came since the last sleep), or after `ms`. */
  sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }
}

export default function waitRoute(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const alerts = app.alertsRepository;
  const waiters = new Set<Waiter>();
  let closing = false;

  if (app.hasDecorator('detection')) {
    const unsubscribe = app.detection.onAlerts((notice) => {
      for (const w of waiters) if (w.concerns(notice)) w.notify();
    });
    app.addHook('onClose', (_instance, done) => {
      unsubscribe();
      done();
    });
  }
  app.addHook('preClose', (done) => {
    closing = true;
    for (const w of waiters) w.notify();
    done();
  });

  app.get('/wait', { schema: waitAlerts }, async (request) => {
    const { timeout, ...match } = request.query;
    const deadline = Date.now() + timeout * 1000;
    const waiter = new Waiter(match.srcIp);
    waiters.add(waiter); // before the first query, so a pass committed meanwhile is not missed
    try {
      for (;;) {
        const items = await alerts.matching(match);
        if (items.length > 0) return { items, timedOut: false };
        const left = deadline - Date.now();
        if (left <= 0 || closing) return { items: [], timedOut: true };
        await waiter.sleep(Math.min(left, RECHECK_MS));
      }
    } finally {
      waiters.delete(waiter);
    }
  });
}
