// Routes under /api/v1/admin/rules (DETECT), admin only; every change is audited (rule.*):
//   GET    /api/v1/admin/rules       rules, by id; cursor
//   POST   /api/v1/admin/rules       create -> 201 (params validated for the kind: docs/detection.md)
//   GET    /api/v1/admin/rules/:id   one rule
//   PATCH  /api/v1/admin/rules/:id   name, description, severity, technique, params, enabled (kind is fixed)
//   DELETE /api/v1/admin/rules/:id   204; 409 while alerts reference it (disable it instead)
// Handlers validate the params for the rule's kind, call app.rulesRepository
// (platform/plugins/app/rules/rules-repository.ts) and map "not there" to 404; their types come
// from the schemas below (JSON-schema type provider).
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { parseRuleParams } from '../../detection/params.ts';
import { RULE_KINDS } from '../../domain/vocabulary.ts';
import { badRequest, notFound } from '../../errors.ts';
import { decodeCursor, isIdCursor } from '../../lib/pagination.ts';
import { errorResponses, idParams, pageQuery, pageSchema, dateTime, severity } from '../../schemas.ts';

const ADMIN = { roles: ['admin'] } as const;

const name = { type: 'string', minLength: 1, maxLength: 200 } as const;
const description = { type: 'string', maxLength: 2000 } as const;
const technique = { type: ['string', 'null'], pattern: '^T[0-9]{4}(\\.[0-9]{3})?$', description: 'MITRE ATT&CK technique id, e.g. T1110' } as const;
const params = { type: 'object', additionalProperties: true, description: 'kind-specific parameters (docs/detection.md)' } as const;
const kind = { type: 'string', enum: RULE_KINDS } as const;

const ruleItem = {
  type: 'object',
  required: ['id', 'name', 'description', 'kind', 'severity', 'technique', 'params', 'enabled', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    description: { type: 'string' },
    kind,
    severity,
    technique: { type: ['string', 'null'] },
    params: { type: 'object', additionalProperties: true },
    enabled: { type: 'boolean' },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

const listRules = {
  operationId: 'listRules',
  tags: ['rules'],
  summary: 'Detection rules, by id',
  querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } },
  response: { 200: pageSchema(ruleItem), ...errorResponses },
} as const;

const createRule = {
  operationId: 'createRule',
  tags: ['rules'],
  summary: 'Create a detection rule',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'kind', 'severity', 'params'],
    properties: { name, description, kind, severity, technique, params, enabled: { type: 'boolean' } },
  },
  response: { 201: ruleItem, ...errorResponses },
} as const;

const getRule = {
  operationId: 'getRule',
  tags: ['rules'],
  summary: 'One detection rule',
  params: idParams,
  response: { 200: ruleItem, ...errorResponses },
} as const;

const updateRule = {
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
} as const;

const deleteRule = {
  operationId: 'deleteRule',
  tags: ['rules'],
  summary: 'Delete a detection rule that has raised no alerts',
  params: idParams,
  response: { 204: { type: 'null', description: 'deleted' }, ...errorResponses },
} as const;

/** Validated, normalised params for the kind, or a 400 naming what is wrong. */
function checkedParams(ruleKind: string, raw: unknown): Record<string, unknown> {
  const parsed = parseRuleParams(ruleKind, raw);
  if (!parsed.ok) throw badRequest(`${parsed.message} (rule kind ${ruleKind}; see docs/detection.md)`);
  return parsed.value.params;
}

export default function rulesRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const rules = app.rulesRepository;

  app.get('/', { config: ADMIN, schema: listRules }, async (request) => {
    const { cursor, limit } = request.query;
    return rules.list(limit, cursor === undefined ? 0 : decodeCursor(cursor, isIdCursor).id);
  });

  app.post('/', { config: ADMIN, schema: createRule }, async (request, reply) => {
    const body = request.body;
    const created = await rules.create({ ...body, params: checkedParams(body.kind, body.params) }, request.principal);
    return reply.code(201).send(created);
  });

  app.get('/:id', { config: ADMIN, schema: getRule }, async (request) => {
    const rule = await rules.byId(request.params.id);
    if (rule === undefined) throw notFound(`rule ${request.params.id}`);
    return rule;
  });

  app.patch('/:id', { config: ADMIN, schema: updateRule }, async (request) => {
    const updated = await rules.update(request.params.id, request.body, checkedParams, request.principal);
    if (updated === undefined) throw notFound(`rule ${request.params.id}`);
    return updated;
  });

  app.delete('/:id', { config: ADMIN, schema: deleteRule }, async (request, reply) => {
    if (!(await rules.delete(request.params.id, request.principal))) throw notFound(`rule ${request.params.id}`);
    return reply.code(204).send(null);
  });
}
