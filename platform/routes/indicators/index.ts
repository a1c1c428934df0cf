// Threat-intel indicators (INSIGHT), prefix /api/v1/indicators:
//   GET  /          list, filters type/severity/source, keyset pagination (newest id first)
//   POST /import    bulk upsert on (type, value), <= 5000 per request -> { inserted, updated }
//   GET  /lookup    ?value= -> { match: indicator | null }
//   GET  /:id       one indicator
// Handlers call app.indicatorsRepository (platform/plugins/app/indicators/indicators-repository.ts).
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { indicatorItem, indicatorType, normaliseIndicatorValue } from '../../domain/indicator.ts';
import { badRequest, notFound } from '../../errors.ts';
import { decodeCursor, isIdCursor } from '../../lib/pagination.ts';
import type { IndicatorImport } from '../../plugins/app/indicators/indicators-repository.ts';
import { errorResponses, idParams, pageQuery, pageSchema, severity } from '../../schemas.ts';

const MAX_IMPORT = 5000;

const source = { type: 'string', minLength: 1, maxLength: 200 } as const;

const listIndicators = {
  operationId: 'listIndicators',
  tags: ['indicators'],
  summary: 'List threat-intel indicators, newest first',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { type: indicatorType, severity, source, ...pageQuery },
  },
  response: { 200: pageSchema(indicatorItem), ...errorResponses },
} as const;

const importIndicators = {
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
            source,
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
} as const;

const lookupIndicator = {
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
      properties: { match: { anyOf: [indicatorItem, { type: 'null' }] } },
    },
    ...errorResponses,
  },
} as const;

const getIndicator = {
  operationId: 'getIndicator',
  tags: ['indicators'],
  summary: 'One indicator',
  params: idParams,
  response: { 200: indicatorItem, ...errorResponses },
} as const;

export default function indicatorsRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const indicators = app.indicatorsRepository;

  app.get('', { schema: listIndicators }, async (request) => {
    const { cursor, ...filters } = request.query;
    return indicators.list({ ...filters, cursor: cursor === undefined ? undefined : decodeCursor(cursor, isIdCursor) });
  });

  app.post('/import', { schema: importIndicators }, async (request) => {
    // Validate every value first (nothing is stored when one is wrong); the last duplicate wins.
    const unique = new Map<string, IndicatorImport>();
    request.body.indicators.forEach((item, index) => {
      const value = normaliseIndicatorValue(item.type, item.value);
      if (value === null) throw badRequest(`indicators[${index}]: "${item.value.slice(0, 80)}" is not a valid ${item.type}`);
      unique.set(`${item.type}\u0000${value}`, { ...item, value });
    });
    return indicators.importMany([...unique.values()], request.principal);
  });

  app.get('/lookup', { schema: lookupIndicator }, async (request) => {
    const raw = request.query.value.trim();
    return { match: await indicators.lookup([...new Set([raw, raw.toLowerCase()])]) };
  });

  app.get('/:id', { schema: getIndicator }, async (request) => {
    const indicator = await indicators.byId(request.params.id);
    if (indicator === undefined) throw notFound(`indicator ${request.params.id}`);
    return indicator;
  });
}
