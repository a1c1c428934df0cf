// Routes under /api/v1/admin/rules (DETECT), admin only; every change is audited (rule.*):
//   GET    /api/v1/admin/rules       rules, by id; cursor
//   POST   /api/v1/admin/rules       create -> 201 (params validated for the kind: docs/detection.md)
//   GET    /api/v1/admin/rules/:id   one rule
//   PATCH  /api/v1/admin/rules/:id   name, description, severity, technique, params, enabled (kind is fixed)
//   DELETE /api/v1/admin/rules/:id   204; 409 while alerts reference it (disable it instead)
// The detection worker reads the enabled rules at every pass, so changes apply to the next pass.
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { errorResponses, idParams, pageQuery, pageSchema, dateTime, severity } from '../../schemas.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import { decodeCursor, isIdCursor, pageOf, DEFAULT_LIMIT } from '../../lib/pagination.ts';
import { parseRuleParams, RULE_KINDS, type RuleKind, type Severity } from '../../detection/params.ts';

const ADMIN = { roles: ['admin'] } as const;

const name = { type: 'string', minLength: 1, maxLength: 200 } as const;
const description = { type: 'string', maxLength: 2000 } as const;
const technique = { type: ['string', 'null'], pattern: '^T[0-9]{4}(\\.[0-9]{3})?$', description: 'MITRE ATT&CK technique id, e.g. T1110' } as const;
const params = { type: 'object', additionalProperties: true, description: 'kind-specific parameters (docs/detection.md)' } as const;

const ruleItem = {
  type: 'object',
  required: ['id', 'name', 'description', 'kind', 'severity', 'technique', 'params', 'enabled', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    description: { type: 'string' },
    kind: { type: 'string', enum: RULE_KINDS },
    severity,
    technique: { type: ['string', 'null'] },
    params: { type: 'object', additionalProperties: true },
    enabled: { type: 'boolean' },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

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

const COLUMNS = 'id, name, description, kind, severity, technique, params, enabled, created_at, updated_at';

type CreateBody = { name: string; description?: string; kind: RuleKind; severity: Severity; technique?: string | null; params: Record<string, unknown>; enabled?: boolean };
type PatchBody = { name?: string; description?: string; severity?: Severity; technique?: string | null; params?: Record<string, unknown>; enabled?: boolean };

/** Validated, normalised params for the kind, or a 400 naming what is wrong. */
function checkedParams(kind: string, raw: unknown): Record<string, unknown> {
  const parsed = parseRuleParams(kind, raw);
  if (!parsed.ok) throw badRequest(`${parsed.message} (rule kind ${kind}; see docs/detection.md)`);
  return parsed.value.params;
}

const isUniqueViolation = (err: unknown): boolean => err instanceof pg.DatabaseError && err.code === '23505';

export default async function rulesRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/',
    {
      config: ADMIN,
      schema: {
        operationId: 'listRules',
        tags: ['rules'],
        summary: 'Detection rules, by id',
        querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } },
        response: { 200: pageSchema(ruleItem), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_LIMIT;
      const after = request.query.cursor === undefined ? 0 : decodeCursor(request.query.cursor, isIdCursor).id;
      const { rows } = await app.db.query<RuleRow>(`SELECT ${COLUMNS} FROM rules WHERE id > $1 ORDER BY id LIMIT $2`, [after, limit + 1]);
      return pageOf(rows, limit, toRule, (r) => ({ id: Number(r.id) }));
    },
  );

  app.post<{ Body: CreateBody }>(
    '/',
    {
      config: ADMIN,
      schema: {
        operationId: 'createRule',
        tags: ['rules'],
        summary: 'Create a detection rule',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'kind', 'severity', 'params'],
          properties: { name, description, kind: { type: 'string', enum: RULE_KINDS }, severity, technique, params, enabled: { type: 'boolean' } },
        },
        response: { 201: ruleItem, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const normalised = checkedParams(body.kind, body.params);
      try {
        const rule = await app.db.transaction(async (client) => {
          const { rows } = await client.query<RuleRow>(
            `INSERT INTO rules (name, description, kind, severity, technique, params, enabled)
             VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
             RETURNING ${COLUMNS}`,
            [body.name, body.description ?? '', body.kind, body.severity, body.technique ?? null, JSON.stringify(normalised), body.enabled ?? true],
          );
          const created = rows[0];
          await app.audit({ actor: request.principal, action: 'rule.create', targetType: 'rule', targetId: Number(created.id), details: { name: body.name, kind: body.kind } }, client);
          return created;
        });
        return reply.code(201).send(toRule(rule));
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(`a rule named ${JSON.stringify(body.name)} already exists; choose another name`);
        throw err;
      }
    },
  );

  app.get<{ Params: { id: number } }>(
    '/:id',
    {
      config: ADMIN,
      schema: {
        operationId: 'getRule',
        tags: ['rules'],
        summary: 'One detection rule',
        params: idParams,
        response: { 200: ruleItem, ...errorResponses },
      },
    },
    async (request) => {
      const { rows } = await app.db.query<RuleRow>(`SELECT ${COLUMNS} FROM rules WHERE id = $1`, [request.params.id]);
      if (rows.length === 0) throw notFound(`rule ${request.params.id}`);
      return toRule(rows[0]);
    },
  );

  app.patch<{ Params: { id: number }; Body: PatchBody }>(
    '/:id',
    {
      config: ADMIN,
      schema: {
        operationId: 'updateRule',
        tags: ['rules'],
        summary: 'Update a detection rule (its kind cannot change)',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { name, description, severity, technique, params, enabled: { type: 'boolean' } },
        },
        response: { 200: ruleItem, ...errorResponses },
      },
    },
    async (request) => {
      const ruleId = request.params.id;
      const body = request.body;
      try {
        const rule = await app.db.transaction(async (client) => {
          const before = await client.query<RuleRow>(`SELECT ${COLUMNS} FROM rules WHERE id = $1 FOR UPDATE`, [ruleId]);
          if (before.rows.length === 0) throw notFound(`rule ${ruleId}`);
          const prior = before.rows[0];
          const normalised = body.params === undefined ? null : checkedParams(prior.kind, body.params);
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
              body.name ?? null,
              body.description ?? null,
              body.severity ?? null,
              body.technique !== undefined,
              body.technique ?? null,
              normalised === null ? null : JSON.stringify(normalised),
              body.enabled ?? null,
            ],
          );
          await app.audit(
            {
              actor: request.principal,
              action: 'rule.update',
              targetType: 'rule',
              targetId: ruleId,
              details: { before: { name: prior.name, severity: prior.severity, enabled: prior.enabled, params: prior.params }, changes: body },
            },
            client,
          );
          return rows[0];
        });
        return toRule(rule);
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(`a rule named ${JSON.stringify(body.name)} already exists; choose another name`);
        throw err;
      }
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/:id',
    {
      config: ADMIN,
      schema: {
        operationId: 'deleteRule',
        tags: ['rules'],
        summary: 'Delete a detection rule that has raised no alerts',
        params: idParams,
        response: { 204: { type: 'null', description: 'deleted' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const ruleId = request.params.id;
      await app.db.transaction(async (client) => {
        const { rows } = await client.query<{ name: string }>('SELECT name FROM rules WHERE id = $1 FOR UPDATE', [ruleId]);
        if (rows.length === 0) throw notFound(`rule ${ruleId}`);
        const used = await client.query('SELECT 1 FROM alerts WHERE rule_id = $1 LIMIT 1', [ruleId]);
        if (used.rows.length > 0) throw conflict(`rule ${ruleId} has raised alerts and cannot be deleted; disable it with PATCH {"enabled": false}`);
        await client.query('DELETE FROM rules WHERE id = $1', [ruleId]);
        await app.audit({ actor: request.principal, action: 'rule.delete', targetType: 'rule', targetId: ruleId, details: { name: rows[0].name } }, client);
      });
      return reply.code(204).send();
    },
  );
}
