// Event shapes shared by the events routes and the alert detail (its related events).
import { dateTime } from '../../schemas.ts';

/** Microsecond-exact sort key of a timestamptz column, for cursors (a JS Date keeps only milliseconds). */
export const cursorTime = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const EVENT_TYPES = ['auth', 'network', 'process', 'dns', 'file'] as const;

const ip = { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }], description: 'IPv4 or IPv6 address' } as const;

/** One event as a sensor sends it. */
export const eventInput = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'occurredAt', 'host'],
  properties: {
    type: { type: 'string', enum: EVENT_TYPES },
    occurredAt: dateTime,
    host: { type: 'string', minLength: 1, maxLength: 255 },
    username: { type: 'string', minLength: 1, maxLength: 255 },
    srcIp: ip,
    dstIp: ip,
    dstPort: { type: 'integer', minimum: 0, maximum: 65535 },
    outcome: { type: 'string', enum: ['success', 'failure'] },
    country: { type: 'string', minLength: 2, maxLength: 64 },
    domain: { type: 'string', minLength: 1, maxLength: 255 },
    process: { type: 'string', minLength: 1, maxLength: 255 },
    fileHash: { type: 'string', minLength: 1, maxLength: 128 },
    message: { type: 'string', maxLength: 4096 },
    attributes: { type: 'object', additionalProperties: true },
  },
} as const;

const nullableString = { type: ['string', 'null'] } as const;

/** One stored event. */
export const eventItem = {
  type: 'object',
  required: ['id', 'sensorId', 'batchId', 'type', 'occurredAt', 'ingestedAt', 'detectedAt', 'host', 'message', 'attributes'],
  properties: {
    id: { type: 'integer' },
    sensorId: { type: 'integer' },
    batchId: { type: 'string' },
    type: { type: 'string', enum: EVENT_TYPES },
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

export type EventInput = {
  type: (typeof EVENT_TYPES)[number];
  occurredAt: string;
  host: string;
  username?: string;
  srcIp?: string;
  dstIp?: string;
  dstPort?: number;
  outcome?: 'success' | 'failure';
  country?: string;
  domain?: string;
  process?: string;
  fileHash?: string;
  message?: string;
  attributes?: Record<string, unknown>;
};

export type EventItem = {
  id: number;
  sensorId: number;
  batchId: string;
  type: string;
  occurredAt: string;
  ingestedAt: string;
  detectedAt: string | null;
  host: string;
  username: string | null;
  srcIp: string | null;
  dstIp: string | null;
  dstPort: number | null;
  outcome: string | null;
  country: string | null;
  domain: string | null;
  process: string | null;
  fileHash: string | null;
  message: string;
  attributes: Record<string, unknown>;
};

/** The SELECT list that `toEventItem` reads (table alias `e`). */
export const EVENT_COLUMNS = `e.id, e.sensor_id, e.batch_id, e.type, e.occurred_at, e.ingested_at, e.detected_at, e.host, e.username,
  host(e.src_ip) AS src_ip, host(e.dst_ip) AS dst_ip, e.dst_port, e.outcome, e.country, e.domain, e.process, e.file_hash,
  e.message, e.attributes`;

export type EventRow = {
  id: string;
  sensor_id: string;
  batch_id: string;
  type: string;
  occurred_at: Date;
  ingested_at: Date;
  detected_at: Date | null;
  host: string;
  username: string | null;
  src_ip: string | null;
  dst_ip: string | null;
  dst_port: number | null;
  outcome: string | null;
  country: string | null;
  domain: string | null;
  process: string | null;
  file_hash: string | null;
  message: string;
  attributes: Record<string, unknown>;
};

export const toEventItem = (r: EventRow): EventItem => ({
  id: Number(r.id),
  sensorId: Number(r.sensor_id),
  batchId: r.batch_id,
  type: r.type,
  occurredAt: r.occurred_at.toISOString(),
  ingestedAt: r.ingested_at.toISOString(),
  detectedAt: r.detected_at === null ? null : r.detected_at.toISOString(),
  host: r.host,
  username: r.username,
  srcIp: r.src_ip,
  dstIp: r.dst_ip,
  dstPort: r.dst_port,
  outcome: r.outcome,
  country: r.country,
  domain: r.domain,
  process: r.process,
  fileHash: r.file_hash,
  message: r.message,
  attributes: r.attributes,
});
