// Service plugin: app.audit(entry, client?) appends to audit_log. Pass the transaction's client so
// the audit row commits or rolls back with the change it records.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { AuditEntry } from '../../types.ts';

const INSERT = `INSERT INTO audit_log (actor_kind, actor_id, action, target_type, target_id, details)
  VALUES ($1, $2, $3, $4, $5, $6)`;

export function auditParams(entry: AuditEntry): unknown[] {
  const actorKind = entry.actor === null ? 'system' : entry.actor.kind;
  const actorId = entry.actor === null ? null : entry.actor.id;
  return [actorKind, actorId, entry.action, entry.targetType, entry.targetId === undefined ? null : String(entry.targetId), JSON.stringify(entry.details ?? {})];
}

function auditPlugin(app: FastifyInstance): void {
  app.decorate('audit', async (entry: AuditEntry, client?: pg.PoolClient): Promise<void> => {
    if (client !== undefined) await client.query(INSERT, auditParams(entry));
    else await app.db.query(INSERT, auditParams(entry));
  });
}

export default fp(auditPlugin, { name: 'audit', fastify: '5.x', dependencies: ['db'] });
