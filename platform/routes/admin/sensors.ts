// Admin routes on sensors (/api/v1/admin/sensors): list, register (the API key is made here and
// shown once; only its SHA-256 is stored), rename or disable. SQL and audit: app.sensorsRepository.
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { notFound } from '../../errors.ts';
import { decodeCursor, isIdCursor } from '../../lib/pagination.ts';
import { newOpaqueToken, sha256Hex } from '../../lib/tokens.ts';
import { dateTime, errorResponses, idParams, pageQuery, pageSchema } from '../../schemas.ts';

const ADMIN_ONLY = { roles: ['admin'] } as const;
/** The response holds the new API key: not to be cached (Cache-Control: no-store). */
const ADMIN_ONLY_SECRET = { roles: ['admin'], secret: true } as const;

const sensorName = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } as const;

const sensorSchema = {
  type: 'object',
  required: ['id', 'name', 'disabled', 'createdAt', 'lastSeenAt'],
  properties: { id: { type: 'integer' }, name: { type: 'string' }, disabled: { type: 'boolean' }, createdAt: dateTime, lastSeenAt: { type: ['string', 'null'], format: 'date-time' } },
} as const;

const listSensors = {
  operationId: 'listSensors',
  tags: ['admin'],
  summary: 'Sensors, by id (API keys are never shown again)',
  querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } },
  response: { 200: pageSchema(sensorSchema), ...errorResponses },
} as const;

const createSensor = {
  operationId: 'createSensor',
  tags: ['admin'],
  summary: 'Register a sensor; the response holds its API key, shown this once',
  body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: sensorName } },
  response: {
    201: { type: 'object', required: [...sensorSchema.required, 'apiKey'], properties: { ...sensorSchema.properties, apiKey: { type: 'string' } } },
    ...errorResponses,
  },
} as const;

const updateSensor = {
  operationId: 'updateSensor',
  tags: ['admin'],
  summary: 'Rename or disable a sensor (a disabled sensor\'s key is refused with 401)',
  params: idParams,
  body: { type: 'object', minProperties: 1, additionalProperties: false, properties: { name: sensorName, disabled: { type: 'boolean' } } },
  response: { 200: sensorSchema, ...errorResponses },
} as const;

export default function sensorsRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const sensors = app.sensorsRepository;

  app.get('/sensors', { config: ADMIN_ONLY, schema: listSensors }, async (request) => {
    const { limit, cursor } = request.query;
    return sensors.list(limit, cursor === undefined ? 0 : decodeCursor(cursor, isIdCursor).id);
  });

  app.post('/sensors', { config: ADMIN_ONLY_SECRET, schema: createSensor }, async (request, reply) => {
    const apiKey = newOpaqueToken('sk_');
    const sensor = await sensors.create(request.body.name, sha256Hex(apiKey), request.principal);
    return reply.code(201).send({ ...sensor, apiKey });
  });

  app.patch('/sensors/:id', { config: ADMIN_ONLY, schema: updateSensor }, async (request) => {
    const updated = await sensors.update(request.params.id, request.body, request.principal);
    if (updated === undefined) throw notFound(`sensor ${request.params.id}`);
    return updated;
  });
}
