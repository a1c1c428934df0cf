// Domain service: app.auditLogRepository, reading audit_log (the admin's audit search). Writing it
// is app.audit's job (platform/plugins/app/audit.ts), inside each change's own transaction.
// Pages are newest first; the cursor keeps the full microsecond timestamp (a JS Date would round it
// to milliseconds and skip or repeat entries).
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { ActorKind } from '../../../domain/vocabulary.ts';
import { pageOf, type Page } from '../../../lib/pagination.ts';
import { Filter } from '../../../lib/sql.ts';

export type AuditFilters = {
  limit: number;
  cursor?: { t: string; id: number };
  action?: string;
  actorKind?: ActorKind;
  actorId?: number;
  targetType?: string;
  from?: string;
  to?: string;
};

type AuditRow = {
  created_key: string; id: string; actor_kind: ActorKind; actor_id: string | null; action: string; target_type: string;
  target_id: string | null; details: Record<string, unknown>; created_at: Date;
};

const toEntry = (row: AuditRow) => ({
  id: Number(row.id),
  actorKind: row.actor_kind,
  actorId: row.actor_id === null ? null : Number(row.actor_id),
  action: row.action,
  targetType: row.target_type,
  targetId: row.target_id,
  details: row.details,
  createdAt: row.created_at.toISOString(),
});

export type AuditLogEntry = ReturnType<typeof toEntry>;

function createAuditLogRepository(app: FastifyInstance) {
  const db = app.db;
  return {
    async list(q: AuditFilters): Promise<Page<AuditLogEntry>> {
      const f = new Filter()
        .before('created_at', 'id', q.cursor)
        .equals('action', q.action)
        .equals('actor_kind', q.actorKind)
        .equals('actor_id', q.actorId)
        .equals('target_type', q.targetType)
        .add((n) => `created_at >= ${n}`, q.from)
        .add((n) => `created_at < ${n}`, q.to);
      const limit = f.param(q.limit + 1);
      const { rows } = await db.query<AuditRow>(
        `SELECT id, actor_kind, actor_id, action, target_type, target_id, details, created_at, created_at::text AS created_key FROM audit_log
          ${f.where()}
          ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
        f.params,
      );
      return pageOf(rows, q.limit, toEntry, (row) => ({ t: row.created_key, id: Number(row.id) }));
    },
  };
}

export type AuditLogRepository = ReturnType<typeof createAuditLogRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    auditLogRepository: AuditLogRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('auditLogRepository', createAuditLogRepository(app));
  },
  { name: 'audit-log-repository', fastify: '5.x', dependencies: ['db'] },
);
