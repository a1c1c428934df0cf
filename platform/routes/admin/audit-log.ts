// Admin route on the audit log (/api/v1/admin/audit-log): entries newest first, with filters and a
// microsecond-exact cursor. SQL: app.auditLogRepository.
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { ACTOR_KINDS } from '../../domain/vocabulary.ts';
import { decodeCursor, isIdCursor } from '../../lib/pagination.ts';
import { dateTime, errorResponses, pageQuery, pageSchema } from '../../schemas.ts';

const ADMIN_ONLY = { roles: ['admin'] } as const;

const actorKind = { type: 'string', enum: ACTOR_KINDS } as const;

const auditSchema = {
  type: 'object',
  required: ['id', 'actorKind', 'actorId', 'action', 'targetType', 'targetId', 'details', 'createdAt'],
  properties: {
    id: { type: 'integer' },
    actorKind,
    actorId: { type: ['integer', 'null'] },
    action: { type: 'string' },
    targetType: { type: 'string' },
    targetId: { type: ['string', 'null'] },
    details: { type: 'object', additionalProperties: true },
    createdAt: dateTime,
  },
} as const;

const listAuditLog = {
  operationId: 'listAuditLog',
  tags: ['admin'],
  summary: 'Audit entries, newest first; filters action, actorKind, actorId, targetType, from, to',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...pageQuery,
      action: { type: 'string', minLength: 1, maxLength: 100 },
      actorKind,
      actorId: { type: 'integer', minimum: 1 },
      targetType: { type: 'string', minLength: 1, maxLength: 100 },
      from: dateTime,
      to: dateTime,
    },
  },
  response: { 200: pageSchema(auditSchema), ...errorResponses },
} as const;

/** The audit cursor: an id and the entry's created_at as PostgreSQL text (microseconds kept). */
function isAuditCursor(value: unknown): value is { t: string; id: number } {
  if (!isIdCursor(value)) return false;
  const t: unknown = (value as { t?: unknown }).t;
  return typeof t === 'string' && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)$/.test(t);
}

export default function auditLogRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const auditLog = app.auditLogRepository;

  app.get('/audit-log', { config: ADMIN_ONLY, schema: listAuditLog }, async (request) => {
    const { limit, cursor, ...filters } = request.query;
    return auditLog.list({ ...filters, limit, cursor: cursor === undefined ? undefined : decodeCursor(cursor, isAuditCursor) });
  });
}
