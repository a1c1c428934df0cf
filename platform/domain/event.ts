// An event, as a sensor sends it (eventInput) and as the API shows it (eventItem): JSON Schemas and
// the TypeScript types derived from them. Shared by the events routes, the alert detail (its related
// events) and the events repository.
import type { FromSchema } from 'json-schema-to-ts';
import { dateTime } from '../schemas.ts';
import { EVENT_OUTCOMES, EVENT_TYPES } from './vocabulary.ts';

export const ip = { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }], description: 'IPv4 or IPv6 address' } as const;
export const eventType = { type: 'string', enum: EVENT_TYPES } as const;

/** One event as a sensor sends it. */
export const eventInput = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'occurredAt', 'host'],
  properties: {
    type: eventType,
    occurredAt: dateTime,
    host: { type: 'string', minLength: 1, maxLength: 255 },
    username: { type: 'string', minLength: 1, maxLength: 255 },
    srcIp: ip,
    dstIp: ip,
    dstPort: { type: 'integer', minimum: 0, maximum: 65535 },
    outcome: { type: 'string', enum: EVENT_OUTCOMES },
    country: { type: 'string', minLength: 2, maxLength: 64 },
    domain: { type: 'string', minLength: 1, maxLength: 255 },
    process: { type: 'string', minLength: 1, maxLength: 255 },
    fileHash: { type: 'string', minLength: 1, maxLength: 128 },
    message: { type: 'string', maxLength: 4096 },
    attributes: { type: 'object', additionalProperties: true },
  },
} as const;

export type EventInput = FromSchema<typeof eventInput>;

const nullableString = { type: ['string', 'null'] } as const;

/** One stored event. */
export const eventItem = {
  type: 'object',
  required: ['id', 'sensorId', 'batchId', 'type', 'occurredAt', 'ingestedAt', 'detectedAt', 'host', 'message', 'attributes'],
  properties: {
    id: { type: 'integer' },
    sensorId: { type: 'integer' },
    batchId: { type: 'string' },
    type: eventType,
    occurredAt: dateTime,
    ingestedAt: dateTime,
    detectedAt: { type: ['string', 'null'], format: 'date-time', description: 'when the detection worker evaluated it; null until then' },
    host: { type: 'string' },
    username: nullableString,
    srcIp: nullableString,
    dstIp: nullableString,
    dstPort: { type: ['integer', 'null'] },
    outcome: nullableString,
    country: nullableString,
    domain: nullableString,
    process: nullableString,
    fileHash: nullableString,
    message: { type: 'string' },
    attributes: { type: 'object', additionalProperties: true },
  },
} as const;

export type EventItem = FromSchema<typeof eventItem>;
