// An alert as the API shows it: its JSON Schema and the TypeScript type derived from it. Shared by
// the alerts routes, the incident detail (its alerts) and the alerts repository that produces it.
import type { FromSchema } from 'json-schema-to-ts';
import { dateTime, severity } from '../schemas.ts';
import { ALERT_STATUSES } from './vocabulary.ts';

const nullableString = { type: ['string', 'null'] } as const;
const nullableId = { type: ['integer', 'null'] } as const;

export const alertStatus = { type: 'string', enum: ALERT_STATUSES } as const;

export const alertItem = {
  type: 'object',
  required: [
    'id', 'ruleId', 'ruleName', 'severity', 'status', 'title', 'host', 'username', 'srcIp', 'assigneeId', 'incidentId',
    'eventIngestedAt', 'createdAt', 'detectionLatencyMs', 'correlatedAt', 'correlationMs', 'updatedAt',
  ],
  properties: {
    id: { type: 'integer' },
    ruleId: { type: 'integer' },
    ruleName: { type: 'string' },
    severity,
    status: alertStatus,
    title: { type: 'string' },
    host: nullableString,
    username: nullableString,
    srcIp: nullableString,
    assigneeId: nullableId,
    incidentId: nullableId,
    eventIngestedAt: { ...dateTime, description: 'ingestion time of the triggering event' },
    createdAt: dateTime,
    detectionLatencyMs: { type: 'number', description: 'createdAt - eventIngestedAt, in milliseconds (threat detection latency)' },
    correlatedAt: { type: ['string', 'null'], format: 'date-time', description: 'when automatic correlation put it in an incident' },
    correlationMs: { type: ['number', 'null'], description: 'correlatedAt - createdAt, in milliseconds' },
    updatedAt: dateTime,
  },
} as const;

export type AlertItem = FromSchema<typeof alertItem>;

export const commentItem = {
  type: 'object',
  required: ['id', 'alertId', 'authorId', 'authorUsername', 'body', 'createdAt'],
  properties: {
    id: { type: 'integer' },
    alertId: { type: 'integer' },
    authorId: { type: 'integer' },
    authorUsername: { type: 'string' },
    body: { type: 'string' },
    createdAt: dateTime,
  },
} as const;

export type CommentItem = FromSchema<typeof commentItem>;
