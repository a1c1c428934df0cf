// Routes under /api/v1/incidents (DETECT), for analysts and admins:
//   GET   /api/v1/incidents      filters status, severity; cursor over (created_at desc, id desc)
//   POST  /api/v1/incidents      {title, severity, alertIds, summary?} -> 201 incident with its alerts
//                                (400 when an alert does not exist, 409 when one is already in an incident)
//   GET   /api/v1/incidents/:id  incident with its alerts
//   PATCH /api/v1/incidents/:id  {status?, assigneeId?, summary?, title?, severity?}
// Handlers call app.incidentsRepository (platform/plugins/app/incidents/incidents-repository.ts).
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { incidentDetail, incidentItem, incidentStatus } from '../../domain/incident.ts';
import { notFound } from '../../errors.ts';
import { decodeCursor, isTimeIdCursor } from '../../lib/pagination.ts';
import { errorResponses, idParams, pageQuery, pageSchema, severity } from '../../schemas.ts';

const MAX_ALERTS_PER_CREATE = 500;

const title = { type: 'string', minLength: 1, maxLength: 300 } as const;
const summary = { type: 'string', maxLength: 10_000 } as const;

const listIncidents = {
  operationId: 'listIncidents',
  tags: ['incidents'],
  summary: 'List incidents, newest first',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { status: incidentStatus, severity, ...pageQuery },
  },
  response: { 200: pageSchema(incidentItem), ...errorResponses },
} as const;

const createIncident = {
  operationId: 'createIncident',
  tags: ['incidents'],
  summary: 'Open an incident grouping existing alerts',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['title', 'severity', 'alertIds'],
    properties: {
      title,
      severity,
      summary,
      alertIds: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_ALERTS_PER_CREATE,
        uniqueItems: true,
        items: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 },
      },
    },
  },
  response: { 201: incidentDetail, ...errorResponses },
} as const;

const getIncident = {
  operationId: 'getIncident',
  tags: ['incidents'],
  summary: 'One incident with its alerts',
  params: idParams,
  response: { 200: incidentDetail, ...errorResponses },
} as const;

const updateIncident = {
  operationId: 'updateIncident',
  tags: ['incidents'],
  summary: 'Change an incident\'s status, assignee, summary, title or severity',
  params: idParams,
  body: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      status: incidentStatus,
      assigneeId: { type: ['integer', 'null'], minimum: 1 },
      summary,
      title,
      severity,
    },
  },
  response: { 200: incidentDetail, ...errorResponses },
} as const;

export default function incidentsRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const incidents = app.incidentsRepository;

  app.get('/', { schema: listIncidents }, async (request) => {
    const { cursor, limit, ...filters } = request.query;
    return incidents.list({ ...filters, limit, cursor: cursor === undefined ? undefined : decodeCursor(cursor, isTimeIdCursor) });
  });

  app.post('/', { schema: createIncident }, async (request, reply) => {
    return reply.code(201).send(await incidents.create(request.body, request.principal));
  });

  app.get('/:id', { schema: getIncident }, async (request) => {
    const detail = await incidents.detail(request.params.id);
    if (detail === undefined) throw notFound(`incident ${request.params.id}`);
    return detail;
  });

  app.patch('/:id', { schema: updateIncident }, async (request) => {
    const detail = await incidents.update(request.params.id, request.body, request.principal);
    if (detail === undefined) throw notFound(`incident ${request.params.id}`);
    return detail;
  });
}
