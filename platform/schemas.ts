// JSON-schema pieces shared by every route module. Routes declare schemas for params, querystring,
// body and every response status; the OpenAPI document is generated from these same schemas.
import { SEVERITIES } from './domain/vocabulary.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from './lib/pagination.ts';

export const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'validation | unauthorized | forbidden | not_found | conflict | payload_too_large | unsupported_media_type | rate_limited | internal | unavailable' },
    message: { type: 'string' },
  },
} as const;

/** Spread into a route's `response`: every error status the platform can answer. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  429: errorSchema,
  500: errorSchema,
  503: errorSchema,
} as const;

/** For public routes (no credentials): the same without 401/403. */
export const publicErrorResponses = {
  400: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  429: errorSchema,
  500: errorSchema,
  503: errorSchema,
} as const;

export const limit = { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'page size' } as const;
export const cursor = { type: 'string', minLength: 1, maxLength: 512, description: 'opaque; the nextCursor of the previous page' } as const;

/** Querystring properties every list accepts; spread into the route's own querystring properties. */
export const pageQuery = { limit, cursor } as const;

export const nextCursor = { type: ['string', 'null'] } as const;

/** Response schema of a list: `{ items: [item...], nextCursor }`. */
export function pageSchema<T extends object>(item: T) {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: item }, nextCursor },
  } as const;
}

export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } },
} as const;

export const severity = { type: 'string', enum: SEVERITIES } as const;
/**
 * An RFC 3339 date-time PostgreSQL can store: not year 0000 (SQLSTATE 22008) and a UTC offset of at
 * most 15:59 (beyond it 22009), which the date-time format alone lets through.
 */
export const dateTime = { type: 'string', format: 'date-time', pattern: '^(?!0000)\\d{4}-.*(?:[Zz]|[+-](?:0\\d|1[0-5])(?::?[0-5]\\d)?)$' } as const;
