// Routes under /api/v1/alerts (DETECT), for analysts and admins:
//   GET   /api/v1/alerts                 filters status, severity, assigneeId, ruleId, from, to, incidentId; cursor
//   GET   /api/v1/alerts/:id             alert + rule name/technique + related events + comments count
//   PATCH /api/v1/alerts/:id             {status?, assigneeId?}   (audit: alert.update)
//   POST  /api/v1/alerts/bulk            {ids, status?, assigneeId?} -> {updated}   (audit: alert.bulk_update)
//   GET   /api/v1/alerts/:id/comments    comments, oldest first; cursor
//   POST  /api/v1/alerts/:id/comments    {body} -> 201 comment   (audit: alert.comment)
//   GET   /api/v1/alerts/wait            long poll until an alert matches (wait.ts)
// Handlers validate, call app.alertsRepository (platform/plugins/app/alerts/alerts-repository.ts)
// and map "not there" to 404; their types come from the schemas below (JSON-schema type provider).
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { alertItem, alertStatus, commentItem } from '../../domain/alert.ts';
import { eventItem } from '../../domain/event.ts';
import { badRequest, notFound } from '../../errors.ts';
import { decodeCursor, isIdCursor, isTimeIdCursor } from '../../lib/pagination.ts';
import { dateTime, errorResponses, idParams, pageQuery, pageSchema, severity } from '../../schemas.ts';
import waitRoute from './wait.ts';

/** Related events shown in an alert's detail (the rest stay reachable through the events search). */
const DETAIL_EVENTS = 100;
const MAX_BULK_IDS = 1000;

const id = { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } as const;
const assigneeId = { type: ['integer', 'null'], minimum: 1, description: 'a user id, or null to unassign' } as const;

const listAlerts = {
  operationId: 'listAlerts',
  tags: ['alerts'],
  summary: 'List alerts, newest first, with filters',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      status: alertStatus,
      severity,
      assigneeId: id,
      ruleId: id,
      incidentId: id,
      from: { ...dateTime, description: 'created at or after' },
      to: { ...dateTime, description: 'created at or before' },
      ...pageQuery,
    },
  },
  response: { 200: pageSchema(alertItem), ...errorResponses },
} as const;

const getAlert = {
  operationId: 'getAlert',
  tags: ['alerts'],
  summary: 'One alert with its rule, related events and comment count',
  params: idParams,
  response: {
    200: {
      type: 'object',
      required: [...alertItem.required, 'technique', 'events', 'commentsCount'],
      properties: {
        ...alertItem.properties,
        technique: { type: ['string', 'null'], description: 'MITRE ATT&CK technique of the rule' },
        events: { type: 'array', items: eventItem, description: `related events, oldest first (at most ${DETAIL_EVENTS})` },
        commentsCount: { type: 'integer' },
      },
    },
    ...errorResponses,
  },
} as const;

const updateAlert = {
  operationId: 'updateAlert',
  tags: ['alerts'],
  summary: 'Change an alert\'s status or assignee',
  params: idParams,
  body: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: { status: alertStatus, assigneeId },
  },
  response: { 200: alertItem, ...errorResponses },
} as const;

const bulkUpdateAlerts = {
  operationId: 'bulkUpdateAlerts',
  tags: ['alerts'],
  summary: 'Change the status and/or assignee of many alerts at once',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['ids'],
    anyOf: [{ required: ['status'] }, { required: ['assigneeId'] }],
    properties: {
      ids: { type: 'array', minItems: 1, maxItems: MAX_BULK_IDS, uniqueItems: true, items: id },
      status: alertStatus,
      assigneeId,
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['updated'],
      properties: { updated: { type: 'integer', description: 'alerts changed; ids that do not exist are skipped' } },
    },
    ...errorResponses,
  },
} as const;

const listAlertComments = {
  operationId: 'listAlertComments',
  tags: ['alerts'],
  summary: 'Comments on an alert, oldest first',
  params: idParams,
  querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } },
  response: { 200: pageSchema(commentItem), ...errorResponses },
} as const;

const createAlertComment = {
  operationId: 'createAlertComment',
  tags: ['alerts'],
  summary: 'Comment on an alert',
  params: idParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['body'],
    properties: { body: { type: 'string', minLength: 1, maxLength: 10_000 } },
  },
  response: { 201: commentItem, ...errorResponses },
} as const;

export default function alertsRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const alerts = app.alertsRepository;
  waitRoute(fastify);

  app.get('/', { schema: listAlerts }, async (request) => {
    const { cursor, limit, ...filters } = request.query;
    if (filters.from !== undefined && filters.to !== undefined && new Date(filters.from) > new Date(filters.to)) {
      throw badRequest('from is after to; pass a range with from <= to');
    }
    return alerts.list({ ...filters, limit, cursor: cursor === undefined ? undefined : decodeCursor(cursor, isTimeIdCursor) });
  });

  app.get('/:id', { schema: getAlert }, async (request) => {
    const detail = await alerts.detail(request.params.id, DETAIL_EVENTS);
    if (detail === undefined) throw notFound(`alert ${request.params.id}`);
    return detail;
  });

  app.patch('/:id', { schema: updateAlert }, async (request) => {
    const updated = await alerts.update(request.params.id, request.body, request.principal);
    if (updated === undefined) throw notFound(`alert ${request.params.id}`);
    return updated;
  });

  app.post('/bulk', { schema: bulkUpdateAlerts }, async (request) => {
    const { ids, ...changes } = request.body;
    return { updated: await alerts.bulkUpdate(ids, changes, request.principal) };
  });

  app.get('/:id/comments', { schema: listAlertComments }, async (request) => {
    const { cursor, limit } = request.query;
    const after = cursor === undefined ? 0 : decodeCursor(cursor, isIdCursor).id;
    const page = await alerts.comments(request.params.id, limit, after);
    if (page === undefined) throw notFound(`alert ${request.params.id}`);
    return page;
  });

  app.post('/:id/comments', { schema: createAlertComment }, async (request, reply) => {
    const principal = request.principal;
    if (principal.kind !== 'user') throw badRequest('only users comment');
    const comment = await alerts.addComment(request.params.id, principal, request.body.body);
    if (comment === undefined) throw notFound(`alert ${request.params.id}`);
    return reply.code(201).send(comment);
  });
}
