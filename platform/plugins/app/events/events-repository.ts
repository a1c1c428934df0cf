// Domain service: app.eventsRepository, all the SQL on events and event_batches. Ingestion claims
// the (sensor, batchId) pair first, so a replayed batch stores nothing; search walks a keyset cursor
// over (occurred_at desc, id desc).
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { EventInput, EventItem } from '../../../domain/event.ts';
import type { EventType } from '../../../domain/vocabulary.ts';
import { cursorTime, escapeLike, Filter, type Queryable } from '../../../lib/sql.ts';
import { pageOf, type Page } from '../../../lib/pagination.ts';

/** The SELECT list that `toEventItem` reads (table alias `e`). */
export const EVENT_COLUMNS = `e.id, e.sensor_id, e.batch_id, e.type, e.occurred_at, e.ingested_at, e.detected_at, e.host, e.username,
  host(e.src_ip) AS src_ip, host(e.dst_ip) AS dst_ip, e.dst_port, e.outcome, e.country, e.domain, e.process, e.file_hash,
  e.message, e.attributes`;

export type EventRow = {
  id: string;
  sensor_id: string;
  batch_id: string;
  type: EventType;
  occurred_at: Date;
  ingested_at: Date;
  detected_at: Date | null;
  host: string;
  username: string | null;
  src_ip: string | null;
  dst_ip: string | null;
  dst_port: number | null;
  outcome: string | null;
  country: string | null;
  domain: string | null;
  process: string | null;
  file_hash: string | null;
  message: string;
  attributes: Record<string, unknown>;
};

export const toEventItem = (r: EventRow): EventItem => ({
  id: Number(r.id),
  sensorId: Number(r.sensor_id),
  batchId: r.batch_id,
  type: r.type,
  occurredAt: r.occurred_at.toISOString(),
  ingestedAt: r.ingested_at.toISOString(),
  detectedAt: r.detected_at === null ? null : r.detected_at.toISOString(),
  host: r.host,
  username: r.username,
  srcIp: r.src_ip,
  dstIp: r.dst_ip,
  dstPort: r.dst_port,
  outcome: r.outcome,
  country: r.country,
  domain: r.domain,
  process: r.process,
  fileHash: r.file_hash,
  message: r.message,
  attributes: r.attributes,
});

/** Events related to an alert, oldest first (the alert detail). */
export async function eventsOfAlert(db: Queryable, alertId: number, limit: number): Promise<EventItem[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS}
       FROM alert_events ae JOIN events e ON e.id = ae.event_id
      WHERE ae.alert_id = $1
      ORDER BY e.occurred_at, e.id
      LIMIT ${limit}`,
    [alertId],
  );
  return rows.map(toEventItem);
}

export type EventSearch = {
  from: Date;
  to: Date;
  host?: string;
  username?: string;
  type?: EventType;
  srcIp?: string;
  /** Free text, matched literally (case-insensitive) in the message. */
  text?: string;
  limit: number;
  cursor?: { t: string; id: number };
};

const COLUMNS_PER_EVENT = 16;

function eventValues(sensorId: number, batchId: string, events: readonly EventInput[]): { values: string; params: unknown[] } {
  const params: unknown[] = [];
  const rows: string[] = [];
  for (const e of events) {
    const base = params.length;
    params.push(
      sensorId, batchId, e.occurredAt, e.type, e.host, e.username ?? null, e.srcIp ?? null, e.dstIp ?? null, e.dstPort ?? null,
      e.outcome ?? null, e.country ?? null, e.domain ?? null, e.process ?? null, e.fileHash ?? null, e.message ?? '',
      JSON.stringify(e.attributes ?? {}),
    );
    const p = Array.from({ length: COLUMNS_PER_EVENT }, (_, i) => `$${base + i + 1}`);
    rows.push(`(${p[0]}, ${p[1]}, ${p[2]}, ${p[3]}, ${p[4]}, ${p[5]}, ${p[6]}::inet, ${p[7]}::inet, ${p[8]}, ${p[9]}, ${p[10]}, ${p[11]}, ${p[12]}, ${p[13]}, ${p[14]}, ${p[15]}::jsonb)`);
  }
  return { values: rows.join(',\n'), params };
}

function createEventsRepository(app: FastifyInstance) {
  const db = app.db;
  const countMinutes = app.config.optimizations.has('dashboard-counter');
  return {
    /** Stores a sensor's batch once; returns the events stored (0 for a replay of a stored batch). */
    async ingestBatch(sensorId: number, batchId: string, events: readonly EventInput[]): Promise<number> {
      return db.transaction(async (client) => {
        const claimed = await client.query(
          `INSERT INTO event_batches (sensor_id, batch_id, event_count) VALUES ($1, $2, $3)
           ON CONFLICT (sensor_id, batch_id) DO NOTHING`,
          [sensorId, batchId, events.length],
        );
        if (claimed.rowCount === 0) return 0; // a replay: the first delivery is already stored
        const { values, params } = eventValues(sensorId, batchId, events);
        const insert = `INSERT INTO events (sensor_id, batch_id, occurred_at, type, host, username, src_ip, dst_ip, dst_port,
                               outcome, country, domain, process, file_hash, message, attributes)
           VALUES ${values}`;
        if (!countMinutes) {
          const inserted = await client.query(insert, params);
          return inserted.rowCount ?? events.length;
        }
        // dashboard-counter: the same insert, counted per ingestion minute in the same statement
        // (minutes in order, so two batches never lock two minute rows in opposite orders).
        const counted = await client.query<{ n: number }>(
          `WITH ins AS (${insert} RETURNING id, ingested_at),
                roll AS (
                  INSERT INTO event_ingest_minutes AS m (minute, n, min_id, max_id)
                  SELECT date_trunc('minute', ingested_at, 'UTC'), count(*), min(id), max(id) FROM ins GROUP BY 1 ORDER BY 1
                  ON CONFLICT (minute) DO UPDATE
                    SET n = m.n + EXCLUDED.n, min_id = least(m.min_id, EXCLUDED.min_id), max_id = greatest(m.max_id, EXCLUDED.max_id))
           SELECT count(*)::int AS n FROM ins`,
          params,
        );
        return counted.rows[0].n;
      });
    },

    async search(s: EventSearch): Promise<Page<EventItem>> {
      const f = new Filter()
        .add((n) => `e.occurred_at >= ${n}`, s.from.toISOString())
        .add((n) => `e.occurred_at <= ${n}`, s.to.toISOString())
        .equals('e.host', s.host)
        .equals('e.username', s.username)
        .equals('e.type', s.type)
        .add((n) => `e.src_ip = ${n}::inet`, s.srcIp)
        .add((n) => `e.message ILIKE ${n}`, s.text === undefined ? undefined : `%${escapeLike(s.text)}%`)
        .before('e.occurred_at', 'e.id', s.cursor);
      const limit = f.param(s.limit + 1);
      const { rows } = await db.query<EventRow & { cursor_t: string }>(
        `SELECT ${EVENT_COLUMNS}, ${cursorTime('e.occurred_at')} AS cursor_t
           FROM events e
          ${f.where()}
          ORDER BY e.occurred_at DESC, e.id DESC
          LIMIT ${limit}`,
        f.params,
      );
      return pageOf(rows, s.limit, toEventItem, (r) => ({ t: r.cursor_t, id: Number(r.id) }));
    },

    async byId(eventId: number): Promise<EventItem | undefined> {
      const { rows } = await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.id = $1`, [eventId]);
      return rows.length === 0 ? undefined : toEventItem(rows[0]);
    },
  };
}

export type EventsRepository = ReturnType<typeof createEventsRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    eventsRepository: EventsRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('eventsRepository', createEventsRepository(app));
  },
  { name: 'events-repository', fastify: '5.x', dependencies: ['db'] },
);
