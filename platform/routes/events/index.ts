// Routes under /api/v1/events (DETECT):
//   POST /api/v1/events/batch   sensors only: {batchId, events[]} -> 202 {batchId, accepted, duplicate}
//                               (idempotent per sensor and batchId; wakes the detection worker)
//   GET  /api/v1/events         search by time range (default the last 24 h), host, user, type,
//                               source IP and free text; cursor over (occurred_at desc, id desc)
//   GET  /api/v1/events/:id     one event
// Handlers call app.eventsRepository (platform/plugins/app/events/events-repository.ts).
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { eventInput, eventItem, eventType } from '../../domain/event.ts';
import { badRequest, notFound } from '../../errors.ts';
import { decodeCursor, isTimeIdCursor } from '../../lib/pagination.ts';
import { dateTime, errorResponses, idParams, pageQuery, pageSchema } from '../../schemas.ts';

const DEFAULT_SEARCH_HOURS = 24;

const ingestEventBatch = (maxBatchEvents: number) => ({
  operationId: 'ingestEventBatch',
  tags: ['events'],
  summary: 'Ingest a batch of events (idempotent per sensor and batchId)',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['batchId', 'events'],
    properties: {
      batchId: { type: 'string', minLength: 1, maxLength: 128, description: 'unique per sensor; a replay is acknowledged without storing anything' },
      events: { type: 'array', minItems: 1, maxItems: maxBatchEvents, items: eventInput },
    },
  },
  response: {
    202: {
      type: 'object',
      required: ['batchId', 'accepted', 'duplicate'],
      properties: {
        batchId: { type: 'string' },
        accepted: { type: 'integer', description: 'events stored by this request (0 for a duplicate)' },
        duplicate: { type: 'boolean', description: 'the batch was already stored; nothing new was stored' },
      },
    },
    ...errorResponses,
  },
} as const);

const searchEvents = {
  operationId: 'searchEvents',
  tags: ['events'],
  summary: 'Search events by time range, host, user, type, source IP and free text',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { ...dateTime, description: `start of the range (default: ${DEFAULT_SEARCH_HOURS} h before \`to\`)` },
      to: { ...dateTime, description: 'end of the range (default: now)' },
      host: { type: 'string', minLength: 1, maxLength: 255 },
      username: { type: 'string', minLength: 1, maxLength: 255 },
      type: eventType,
      srcIp: { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] },
      q: { type: 'string', minLength: 1, maxLength: 200, description: 'free text, matched literally (case-insensitive) in the message' },
      ...pageQuery,
    },
  },
  response: { 200: pageSchema(eventItem), ...errorResponses },
} as const;

const getEvent = {
  operationId: 'getEvent',
  tags: ['events'],
  summary: 'One event',
  params: idParams,
  response: { 200: eventItem, ...errorResponses },
} as const;

export default function eventsRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const events = app.eventsRepository;

  app.post('/batch', { config: { roles: ['sensor'] }, schema: ingestEventBatch(app.config.maxBatchEvents) }, async (request, reply) => {
    const principal = request.principal;
    if (principal.kind !== 'sensor') throw badRequest('only sensors ingest events');
    const { batchId } = request.body;
    const stored = await events.ingestBatch(principal.id, batchId, request.body.events);
    // Committed: count it, then let detection look at it.
    if (stored > 0) {
      app.metrics.eventsIngested.inc({ sensor: principal.name }, stored);
      if (app.hasDecorator('detection')) app.detection.wake(); // absent when the app runs without workers
      if (app.aggregateCache !== null) {
        const times = request.body.events.map((e) => Date.parse(e.occurredAt));
        app.aggregateCache.changed('events', Math.min(...times), Math.max(...times));
        app.aggregateCache.changed('summary');
      }
    }
    return reply.code(202).send({ batchId, accepted: stored, duplicate: stored === 0 });
  });

  app.get('/', { schema: searchEvents }, async (request) => {
    const { from, to, q, cursor, ...filters } = request.query;
    const end = to === undefined ? new Date() : new Date(to);
    const start = from === undefined ? new Date(end.getTime() - DEFAULT_SEARCH_HOURS * 3600_000) : new Date(from);
    if (start > end) throw badRequest('from is after to; pass a range with from <= to');
    return events.search({
      ...filters,
      from: start,
      to: end,
      text: q,
      cursor: cursor === undefined ? undefined : decodeCursor(cursor, isTimeIdCursor),
    });
  });

  app.get('/:id', { schema: getEvent }, async (request) => {
    const event = await events.byId(request.params.id);
    if (event === undefined) throw notFound(`event ${request.params.id}`);
    return event;
  });
}
