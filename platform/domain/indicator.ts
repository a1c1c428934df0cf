// A threat-intel indicator: its JSON Schema, the type derived from it, and the canonical form of a
// value of each indicator type. Shared by the indicators routes and the indicators repository.
import { isIP } from 'node:net';
import type { FromSchema } from 'json-schema-to-ts';
import { dateTime, severity } from '../schemas.ts';
import { INDICATOR_TYPES, type IndicatorType } from './vocabulary.ts';

export const indicatorType = { type: 'string', enum: INDICATOR_TYPES } as const;

export const indicatorItem = {
  type: 'object',
  required: ['id', 'type', 'value', 'severity', 'source', 'description', 'firstSeen', 'lastSeen', 'expiresAt'],
  properties: {
    id: { type: 'integer' },
    type: indicatorType,
    value: { type: 'string' },
    severity,
    source: { type: 'string' },
    description: { type: 'string' },
    firstSeen: dateTime,
    lastSeen: dateTime,
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export type IndicatorItem = FromSchema<typeof indicatorItem>;

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const HASH = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The canonical stored form of an indicator value, or null when it is not a valid value of its type:
 * ip = IPv4 or IPv6 (IPv6 lower-cased), domain = a lower-cased host name with at least one dot,
 * hash = MD5, SHA-1 or SHA-256 in hex (lower-cased).
 */
export function normaliseIndicatorValue(type: IndicatorType, raw: string): string | null {
  const value = raw.trim();
  switch (type) {
    case 'ip': {
      const kind = isIP(value);
      return kind === 4 ? value : kind === 6 ? value.toLowerCase() : null;
    }
    case 'domain': {
      const v = value.toLowerCase().replace(/\.$/, '');
      return DOMAIN.test(v) ? v : null;
    }
    case 'hash': {
      const v = value.toLowerCase();
      return HASH.test(v) ? v : null;
    }
  }
}
