// Domain service: app.rulesRepository, all the SQL on detection rules. Changes run in one
// transaction with their audit row (rule.create, rule.update, rule.delete). Methods answer
// `undefined` when the rule does not exist (the route's 404); a duplicate name is a 409, a rule
// that has raised alerts cannot be deleted (409). Params arrive validated and normalised for the
// rule's kind (platform/detection/params.ts); the detection worker reads enabled rules at every pass.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { RuleKind, Severity } from '../../../domain/vocabulary.ts';
import { conflict } from '../../../errors.ts';
import { pageOf, type Page } from '../../../lib/pagination.ts';
import type { Principal } from '../../../types.ts';

type RuleRow = {
  id: string;
  name: string;
  description: string;
  kind: RuleKind;
  severity: Severity;
  technique: string | null;
  params: Record<string, unknown>;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = 'id, name, description, kind, severity, technique, params, enabled, created_at, updated_at';

const toRule = (r: RuleRow) => ({
  id: Number(r.id),
  name: r.name,
  description: r.description,
  kind: r.kind,
  severity: r.severity,
  technique: r.technique,
  params: r.params,
  enabled: r.enabled,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export type Rule = ReturnType<typeof toRule>;

export type NewRule = { name: string; description?: string; kind: RuleKind; severity: Severity; technique?: string | null; params: Record<string, unknown>; enabled?: boolean };
/** What an update may change (the kind is fixed); `params` is normalised by `normalise` with the stored kind. */
export type RuleChanges = { name?: string; description?: string; severity?: Severity; technique?: string | null; params?: Record<string, unknown>; enabled?: boolean };

const isUniqueViolation = (err: unknown): boolean => err instanceof pg.DatabaseError && err.code === '23505';

/** Runs `fn`; a unique violation (the rule name) becomes a 409 naming the name. */
async function uniqueName<T>(name: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`a rule named ${JSON.stringify(name)} already exists; choose another name`);
    throw err;
  }
}

function createRulesRepository(app: FastifyInstance) {
  const db = app.db;
  return {
    /** Rules after the id `afterId`, by id. */
    async list(limit: number, afterId: number): Promise<Page<Rule>> {
      const { rows } = await db.query<RuleRow>(`SELECT ${COLUMNS} FROM rules WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit + 1]);
      return pageOf(rows, limit, toRule, (r) => ({ id: Number(r.id) }));
    },

    async byId(ruleId: number): Promise<Rule | undefined> {
      const { rows } = await db.query<RuleRow>(`SELECT ${COLUMNS} FROM rules WHERE id = $1`, [ruleId]);
      return rows.length === 0 ? undefined : toRule(rows[0]);
    },

    async create(rule: NewRule, actor: Principal): Promise<Rule> {
      return uniqueName(rule.name, () => db.transaction(async (client) => {
        const { rows } = await client.query<RuleRow>(
          `INSERT INTO rules (name, description, kind, severity, technique, params, enabled)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
           RETURNING ${COLUMNS}`,
          [rule.name, rule.description ?? '', rule.kind, rule.severity, rule.technique ?? null, JSON.stringify(rule.params), rule.enabled ?? true],
        );
        const created = rows[0];
        await app.audit({ actor, action: 'rule.create', targetType: 'rule', targetId: Number(created.id), details: { name: rule.name, kind: rule.kind } }, client);
        return toRule(created);
      }));
    },

    /**
     * Applies `changes`; `normalise(kind, params)` validates new params for the stored kind (it
     * throws the 400). `changes` is recorded as given, beside the rule as it was.
     */
    async update(
      ruleId: number,
      changes: RuleChanges,
      normalise: (kind: RuleKind, params: Record<string, unknown>) => Record<string, unknown>,
      actor: Principal,
    ): Promise<Rule | undefined> {
      return uniqueName(changes.name, () => db.transaction(async (client) => {
        const before = await client.query<RuleRow>(`SELECT ${COLUMNS} FROM rules WHERE id = $1 FOR UPDATE`, [ruleId]);
        if (before.rows.length === 0) return undefined;
        const prior = before.rows[0];
        const params = changes.params === undefined ? null : normalise(prior.kind, changes.params);
        const { rows } = await client.query<RuleRow>(
          `UPDATE rules
              SET name = COALESCE($2, name),
                  description = COALESCE($3, description),
                  severity = COALESCE($4, severity),
                  technique = CASE WHEN $5::boolean THEN $6 ELSE technique END,
                  params = COALESCE($7::jsonb, params),
                  enabled = COALESCE($8, enabled),
                  updated_at = now()
            WHERE id = $1
           RETURNING ${COLUMNS}`,
          [
            ruleId,
            changes.name ?? null,
            changes.description ?? null,
            changes.severity ?? null,
            changes.technique !== undefined,
            changes.technique ?? null,
            params === null ? null : JSON.stringify(params),
            changes.enabled ?? null,
          ],
        );
        await app.audit(
          {
            actor,
            action: 'rule.update',
            targetType: 'rule',
            targetId: ruleId,
            details: { before: { name: prior.name, severity: prior.severity, enabled: prior.enabled, params: prior.params }, changes },
          },
          client,
        );
        return toRule(rows[0]);
      }));
    },

    /** Deletes a rule that has raised no alerts; false when there is no such rule. */
    async delete(ruleId: number, actor: Principal): Promise<boolean> {
      return db.transaction(async (client) => {
        const { rows } = await client.query<{ name: string }>('SELECT name FROM rules WHERE id = $1 FOR UPDATE', [ruleId]);
        if (rows.length === 0) return false;
        const used = await client.query('SELECT 1 FROM alerts WHERE rule_id = $1 LIMIT 1', [ruleId]);
        if (used.rows.length > 0) throw conflict(`rule ${ruleId} has raised alerts and cannot be deleted; disable it with PATCH {"enabled": false}`);
        await client.query('DELETE FROM rules WHERE id = $1', [ruleId]);
        await app.audit({ actor, action: 'rule.delete', targetType: 'rule', targetId: ruleId, details: { name: rows[0].name } }, client);
        return true;
      });
    },
  };
}

export type RulesRepository = ReturnType<typeof createRulesRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    rulesRepository: RulesRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('rulesRepository', createRulesRepository(app));
  },
  { name: 'rules-repository', fastify: '5.x', dependencies: ['db', 'audit'] },
);
