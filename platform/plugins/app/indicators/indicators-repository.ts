// Domain service: app.indicatorsRepository, all the SQL on indicators. An import is one upsert on
// (type, value) in one transaction with its audit row (indicator.import); a list walks a keyset cursor
// over id desc.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { IndicatorItem } from '../../../domain/indicator.ts';
import type { IndicatorType, Severity } from '../../../domain/vocabulary.ts';
import { pageOf, type Page } from '../../../lib/pagination.ts';
import { Filter } from '../../../lib/sql.ts';
import type { Principal } from '../../../types.ts';

type IndicatorRow = {
  id: string; type: IndicatorType; value: string; severity: Severity; source: string; description: string;
  first_seen: Date; last_seen: Date; expires_at: Date | null;
};

const COLUMNS = 'id, type, value, severity, source, description, first_seen, last_seen, expires_at';

function toIndicator(r: IndicatorRow): IndicatorItem {
  return {
    id: Number(r.id), type: r.type, value: r.value, severity: r.severity, source: r.source, description: r.description,
    firstSeen: r.first_seen.toISOString(), lastSeen: r.last_seen.toISOString(),
    expiresAt: r.expires_at === null ? null : r.expires_at.toISOString(),
  };
}

export type IndicatorFilters = { type?: IndicatorType; severity?: Severity; source?: string; limit: number; cursor?: { id: number } };
/** One indicator to store; `value` already in its canonical form (normaliseIndicatorValue). */
export type IndicatorImport = { type: IndicatorType; value: string; severity: Severity; source: string; description?: string };

function createIndicatorsRepository(app: FastifyInstance) {
  const db = app.db;
  return {
    async list(q: IndicatorFilters): Promise<Page<IndicatorItem>> {
      const f = new Filter()
        .equals('type', q.type)
        .equals('severity', q.severity)
        .equals('source', q.source)
        .add((n) => `id < ${n}`, q.cursor?.id);
      const limit = f.param(q.limit + 1);
      const { rows } = await db.query<IndicatorRow>(`SELECT ${COLUMNS} FROM indicators ${f.where()} ORDER BY id DESC LIMIT ${limit}`, f.params);
      return pageOf(rows, q.limit, toIndicator, (r) => ({ id: Number(r.id) }));
    },

    /** Upserts on (type, value): a known indicator takes the new severity and source (and description, unless empty). */
    async importMany(items: readonly IndicatorImport[], actor: Principal): Promise<{ inserted: number; updated: number }> {
      return db.transaction(async (client) => {
        const { rows } = await client.query<{ inserted: boolean }>(
          `INSERT INTO indicators (type, value, severity, source, description)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
           ON CONFLICT (type, value) DO UPDATE
             SET severity = EXCLUDED.severity, source = EXCLUDED.source,
                 description = CASE WHEN EXCLUDED.description = '' THEN indicators.description ELSE EXCLUDED.description END,
                 last_seen = now()
           RETURNING (xmax = 0) AS inserted`,
          [items.map((i) => i.type), items.map((i) => i.value), items.map((i) => i.severity), items.map((i) => i.source),
            items.map((i) => i.description ?? '')],
        );
        const inserted = rows.filter((r) => r.inserted).length;
        const updated = rows.length - inserted;
        await app.audit({ actor, action: 'indicator.import', targetType: 'indicator', details: { inserted, updated } }, client);
        return { inserted, updated };
      });
    },

    /** The oldest indicator whose value is one of `values`, or null. */
    async lookup(values: readonly string[]): Promise<IndicatorItem | null> {
      const { rows } = await db.query<IndicatorRow>(`SELECT ${COLUMNS} FROM indicators WHERE value = ANY($1::text[]) ORDER BY id LIMIT 1`, [values]);
      return rows.length === 0 ? null : toIndicator(rows[0]);
    },

    async byId(indicatorId: number): Promise<IndicatorItem | undefined> {
      const { rows } = await db.query<IndicatorRow>(`SELECT ${COLUMNS} FROM indicators WHERE id = $1`, [indicatorId]);
      return rows.length === 0 ? undefined : toIndicator(rows[0]);
    },
  };
}

export type IndicatorsRepository = ReturnType<typeof createIndicatorsRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    indicatorsRepository: IndicatorsRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('indicatorsRepository', createIndicatorsRepository(app));
  },
  { name: 'indicators-repository', fastify: '5.x', dependencies: ['db', 'audit'] },
);
