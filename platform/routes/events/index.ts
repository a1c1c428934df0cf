// Routes under /api/v1/events (DETECT): batch ingestion by sensors, search and detail for users.
//   POST /api/v1/events/batch  sensor  {batchId, events[]} -> 202 {batchId, accepted, duplicate}
//   GET  /api/v1/events        analyst, admin  search, keyset cursor over (occurred_at desc, id desc)
//   GET  /api/v1/events/:id    analyst, admin  one event
// A batch is stored in one transaction together with its event_batches row, which makes it
// idempotent per (sensor, batchId); the answer is sent only after COMMIT, and the detection worker
// is woken then.
import type { FastifyInstance } from 'fastify';
import { errorResponses, idParams, pageQuery, pageSchema, dateTime } from '../../schemas.ts';
import { badRequest, notFound } from '../../errors.ts';
import { decodeCursor, isTimeIdCursor, pageOf, DEFAULT_LIMIT } from '../../lib/pagination.ts';
import { cursorTime, EVENT_COLUMNS, EVENT_TYPES, eventInput, eventItem, toEventItem, type EventInput, type EventRow } from './schemas.ts';

const COLUMNS_PER_EVENT = 16;
const DEFAULT_SEARCH_HOURS = 24;

/** Escapes LIKE metacharacters so free text matches literally. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

type BatchBody = { batchId: string; events: EventInput[] };
type SearchQuery = {
  from?: string;
  to?: string;
  host?: string;
  username?: string;
  type?: (typeof EVENT_TYPES)[number];
  srcIp?: string;
  q?: string;
  limit?: number;
  cursor?: string;
};

export default async function eventsRoutes(app: FastifyInstance): Promise<void> {
  const maxBatchEvents = app.config.maxBatchEvents;

  app.post<{ Body: BatchBody }>(
    '/batch',
    {
      config: { roles: ['sensor'] },
      schema: {
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
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal.kind !== 'sensor') throw badRequest('only sensors ingest events');
      const { batchId, events } = request.body;
      const stored = await app.db.transaction(async (client) => {
        const claimed = await client.query(
          `INSERT INTO event_batches (sensor_id, batch_id, event_count) VALUES ($1, $2, $3)
           ON CONFLICT (sensor_id, batch_id) DO NOTHING`,
          [principal.id, batchId, events.length],
        );
        if (claimed.rowCount === 0) return 0; // a replay: the first delivery is already stored
        const params: unknown[] = [];
        const rows: string[] = [];
        for (const e of events) {
          const base = params.length;
          params.push(
            principal.id,
            batchId,
            e.occurredAt,
            e.type,
            e.host,
            e.username ?? null,
            e.srcIp ?? null,
            e.dstIp ?? null,
            e.dstPort ?? null,
            e.outcome ?? null,
            e.country ?? null,
            e.domain ?? null,
            e.process ?? null,
            e.fileHash ?? null,
            e.message ?? '',
            JSON.stringify(e.attributes ?? {}),
          );
          const p = Array.from({ length: COLUMNS_PER_EVENT }, (_, i) => `$${base + i + 1}`);
          rows.push(`(${p[0]}, ${p[1]}, ${p[2]}, ${p[3]}, ${p[4]}, ${p[5]}, ${p[6]}::inet, ${p[7]}::inet, ${p[8]}, ${p[9]}, ${p[10]}, ${p[11]}, ${p[12]}, ${p[13]}, ${p[14]}, ${p[15]}::jsonb)`);
        }
        const inserted = await client.query(
          `INSERT INTO events (sensor_id, batch_id, occurred_at, type, host, username, src_ip, dst_ip, dst_port,
                               outcome, country, domain, process, file_hash, message, attributes)
           VALUES ${rows.join(',\n')}`,
          params,
        );
        return inserted.rowCount ?? events.length;
      });
      // Committed: count it, then let detection look at it.
      if (stored > 0) {
        app.metrics.eventsIngested.inc({ sensor: principal.name }, stored);
        if (app.hasDecorator('detection')) app.detection.wake(); // absent when the app runs without workers
      }
      return reply.code(202).send({ batchId, accepted: stored, duplicate: stored === 0 });
    },
  );

  app.get<{ Querystring: SearchQuery }>(
    '/',
    {
      schema: {
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
            type: { type: 'string', enum: EVENT_TYPES },
            srcIp: { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] },
            q: { type: 'string', minLength: 1, maxLength: 200, description: 'free text, matched literally (case-insensitive) in the message' },
            ...pageQuery,
          },
        },
        response: { 200: pageSchema(eventItem), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? DEFAULT_LIMIT;
      const to = q.to === undefined ? new Date() : new Date(q.to);
      const from = q.from === undefined ? new Date(to.getTime() - DEFAULT_SEARCH_HOURS * 3600_000) : new Date(q.from);
      if (from > to) throw badRequest('from is after to; pass a range with from <= to');
      const params: unknown[] = [from.toISOString(), to.toISOString()];
      const where = ['e.occurred_at >= $1', 'e.occurred_at <= $2'];
      const add = (sql: (n: string) => string, value: unknown): void => {
        params.push(value);
        where.push(sql(`$${params.length}`));
      };
      if (q.host !== undefined) add((n) => `e.host = ${n}`, q.host);
      if (q.username !== undefined) add((n) => `e.username = ${n}`, q.username);
      if (q.type !== undefined) add((n) => `e.type = ${n}`, q.type);
      if (q.srcIp !== undefined) add((n) => `e.src_ip = ${n}::inet`, q.srcIp);
      if (q.q !== undefined) add((n) => `e.message ILIKE ${n}`, `%${escapeLike(q.q)}%`);
      if (q.cursor !== undefined) {
        const c = decodeCursor(q.cursor, isTimeIdCursor);
        params.push(c.t, c.id);
        where.push(`(e.occurred_at, e.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
      }
      params.push(limit + 1);
      const { rows } = await app.db.query<EventRow & { cursor_t: string }>(
        `SELECT ${EVENT_COLUMNS}, ${cursorTime('e.occurred_at')} AS cursor_t
           FROM events e
          WHERE ${where.join(' AND ')}
          ORDER BY e.occurred_at DESC, e.id DESC
          LIMIT $${params.length}`,
        params,
      );
      return pageOf(rows, limit, toEventItem, (r) => ({ t: r.cursor_t, id: Number(r.id) }));
    },
  );

  app.get<{ Params: { id: number } }>(
    '/:id',
    {
      schema: {
        operationId: 'getEvent',
        tags: ['events'],
        summary: 'One event',
        params: idParams,
        response: { 200: eventItem, ...errorResponses },
      },
    },
    async (request) => {
      const { rows } = await app.db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.id = $1`, [request.params.id]);
      if (rows.length === 0) throw notFound(`event ${request.params.id}`);
      return toEventItem(rows[0]);
    },
  );
}
