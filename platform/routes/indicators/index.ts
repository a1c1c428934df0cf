// Threat-intel indicators (INSIGHT), prefix /api/v1/indicators:
//   GET  /          list, filters type/severity/source, keyset pagination (newest id first)
//   POST /import    bulk upsert on (type, value), <= 5000 per request -> { inserted, updated }
//   GET  /lookup    ?value= -> { match: indicator | null }
//   GET  /:id       one indicator
import type { FastifyInstance } from 'fastify';
import { isIP } from 'node:net';
import { errorResponses, idParams, pageQuery, pageSchema, severity, dateTime } from '../../schemas.ts';
import { badRequest, notFound } from '../../errors.ts';
import { decodeCursor, isIdCursor, pageOf, DEFAULT_LIMIT } from '../../lib/pagination.ts';

export const MAX_IMPORT = 5000;
export const INDICATOR_TYPES = ['ip', 'domain', 'hash'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

const indicatorType = { type: 'string', enum: INDICATOR_TYPES } as const;

const indicatorSchema = {
  type: 'object',
  required: ['id', 'type', 'value', 'severity', 'source', 'description', 'firstSeen', 'lastSeen', 'expiresAt'],
  properties: {
    id: { type: 'integer' },
    type: indicatorType,
    value: { type: 'string' },
    severity,
    source: { type: 'string' },
    description: { type: 'string' },
    firstSeen: dateTime,
    lastSeen: dateTime,
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

type IndicatorRow = {
  id: string; type: IndicatorType; value: string; severity: string; source: string; description: string;
  first_seen: Date; last_seen: Date; expires_at: Date | null;
};

export type Indicator = {
  id: number; type: IndicatorType; value: string; severity: string; source: string; description: string;
  firstSeen: string; lastSeen: string; expiresAt: string | null;
};

const COLUMNS = 'id, type, value, severity, source, description, first_seen, last_seen, expires_at';

function toIndicator(r: IndicatorRow): Indicator {
  return {
    id: Number(r.id), type: r.type, value: r.value, severity: r.severity, source: r.source, description: r.description,
    firstSeen: r.first_seen.toISOString(), lastSeen: r.last_seen.toISOString(),
    expiresAt: r.expires_at === null ? null : r.expires_at.toISOString(),
  };
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const HASH = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The canonical stored form of an indicator value, or null when it is not a valid value of its type:
 * ip = IPv4 or IPv6 (IPv6 lower-cased), domain = a lower-cased host name with at least one dot,
 * hash = MD5, SHA-1 or SHA-256 in hex (lower-cased).
 */
export function normaliseIndicatorValue(type: IndicatorType, raw: string): string | null {
  const value = raw.trim();
  switch (type) {
    case 'ip': {
      const kind = isIP(value);
      return kind === 4 ? value : kind === 6 ? value.toLowerCase() : null;
    }
    case 'domain': {
      const v = value.toLowerCase().replace(/\.$/, '');
      return DOMAIN.test(v) ? v : null;
    }
    case 'hash': {
      const v = value.toLowerCase();
      return HASH.test(v) ? v : null;
    }
  }
}

type ImportItem = { type: IndicatorType; value: string; severity: string; source: string; description?: string };

export default async function indicatorsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { type?: IndicatorType; severity?: string; source?: string; limit?: number; cursor?: string } }>('', {
    schema: {
      operationId: 'listIndicators',
      tags: ['indicators'],
      summary: 'List threat-intel indicators, newest first',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { type: indicatorType, severity, source: { type: 'string', minLength: 1, maxLength: 200 }, ...pageQuery },
      },
      response: { 200: pageSchema(indicatorSchema), ...errorResponses },
    },
  }, async (request) => {
    const q = request.query;
    const limit = q.limit ?? DEFAULT_LIMIT;
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.type !== undefined) { params.push(q.type); where.push(`type = $${params.length}`); }
    if (q.severity !== undefined) { params.push(q.severity); where.push(`severity = $${params.length}`); }
    if (q.source !== undefined) { params.push(q.source); where.push(`source = $${params.length}`); }
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor, isIdCursor);
      params.push(c.id);
      where.push(`id < $${params.length}`);
    }
    params.push(limit + 1);
    const { rows } = await app.db.query<IndicatorRow>(
      `SELECT ${COLUMNS} FROM indicators ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $${params.length}`, params);
    return pageOf(rows, limit, toIndicator, (r) => ({ id: Number(r.id) }));
  });

  app.post<{ Body: { indicators: ImportItem[] } }>('/import', {
    schema: {
      operationId: 'importIndicators',
      tags: ['indicators'],
      summary: `Bulk import (upsert on type + value), at most ${MAX_IMPORT} per request`,
      body: {
        type: 'object',
        required: ['indicators'],
        additionalProperties: false,
        properties: {
          indicators: {
            type: 'array',
            minItems: 1,
            maxItems: MAX_IMPORT,
            items: {
              type: 'object',
              required: ['type', 'value', 'severity', 'source'],
              additionalProperties: false,
              properties: {
                type: indicatorType,
                value: { type: 'string', minLength: 1, maxLength: 512 },
                severity,
                source: { type: 'string', minLength: 1, maxLength: 200 },
                description: { type: 'string', maxLength: 2000 },
              },
            },
          },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['inserted', 'updated'],
          properties: { inserted: { type: 'integer' }, updated: { type: 'integer' } },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    // Validate every value first (nothing is stored when one is wrong); the last duplicate wins.
    const unique = new Map<string, ImportItem>();
    request.body.indicators.forEach((item, index) => {
      const value = normaliseIndicatorValue(item.type, item.value);
      if (value === null) throw badRequest(`indicators[${index}]: "${item.value.slice(0, 80)}" is not a valid ${item.type}`);
      unique.set(`${item.type}\u0000${value}`, { ...item, value });
    });
    const items = [...unique.values()];
    return app.db.transaction(async (client) => {
      const { rows } = await client.query<{ inserted: boolean }>(
        `INSERT INTO indicators (type, value, severity, source, description)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         ON CONFLICT (type, value) DO UPDATE
           SET severity = EXCLUDED.severity, source = EXCLUDED.source,
               description = CASE WHEN EXCLUDED.description = '' THEN indicators.description ELSE EXCLUDED.description END,
               last_seen = now()
         RETURNING (xmax = 0) AS inserted`,
        [items.map((i) => i.type), items.map((i) => i.value), items.map((i) => i.severity), items.map((i) => i.source),
          items.map((i) => i.description ?? '')]);
      const inserted = rows.filter((r) => r.inserted).length;
      const updated = rows.length - inserted;
      await app.audit({ actor: request.principal, action: 'indicator.import', targetType: 'indicator', details: { inserted, updated } }, client);
      return { inserted, updated };
    });
  });

  app.get<{ Querystring: { value: string } }>('/lookup', {
    schema: {
      operationId: 'lookupIndicator',
      tags: ['indicators'],
      summary: 'Find the indicator with this exact value (IP, domain or hash)',
      querystring: {
        type: 'object',
        required: ['value'],
        additionalProperties: false,
        properties: { value: { type: 'string', minLength: 1, maxLength: 512 } },
      },
      response: {
        200: {
          type: 'object',
          required: ['match'],
          properties: { match: { anyOf: [indicatorSchema, { type: 'null' }] } },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const raw = request.query.value.trim();
    const candidates = [...new Set([raw, raw.toLowerCase()])];
    const { rows } = await app.db.query<IndicatorRow>(
      `SELECT ${COLUMNS} FROM indicators WHERE value = ANY($1::text[]) ORDER BY id LIMIT 1`, [candidates]);
    return { match: rows[0] === undefined ? null : toIndicator(rows[0]) };
  });

  app.get<{ Params: { id: number } }>('/:id', {
    schema: {
      operationId: 'getIndicator',
      tags: ['indicators'],
      summary: 'One indicator',
      params: idParams,
      response: { 200: indicatorSchema, ...errorResponses },
    },
  }, async (request) => {
    const { rows } = await app.db.query<IndicatorRow>(`SELECT ${COLUMNS} FROM indicators WHERE id = $1`, [request.params.id]);
    if (rows[0] === undefined) throw notFound(`indicator ${request.params.id}`);
    return toIndicator(rows[0]);
  });
}
