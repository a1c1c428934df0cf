// An incident as the API shows it, in a list (incidentItem) and in full with its alerts
// (incidentDetail): JSON Schemas and the TypeScript types derived from them. Shared by the incidents
// routes and the incidents repository.
import type { FromSchema } from 'json-schema-to-ts';
import { dateTime, severity } from '../schemas.ts';
import { alertItem } from './alert.ts';
import { INCIDENT_STATUSES } from './vocabulary.ts';

/** Alerts shown in an incident's detail. */
export const DETAIL_ALERTS = 500;

export const incidentStatus = { type: 'string', enum: INCIDENT_STATUSES } as const;

export const incidentItem = {
  type: 'object',
  required: ['id', 'title', 'status', 'severity', 'assigneeId', 'correlationKey', 'summary', 'alertCount', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'integer' },
    title: { type: 'string' },
    status: incidentStatus,
    severity,
    assigneeId: { type: ['integer', 'null'] },
    correlationKey: { type: ['string', 'null'], description: 'e.g. src_ip:203.0.113.7 for an incident opened by correlation; null when created by hand' },
    summary: { type: 'string' },
    alertCount: { type: 'integer' },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

export type IncidentItem = FromSchema<typeof incidentItem>;

export const incidentDetail = {
  type: 'object',
  required: [...incidentItem.required, 'alerts'],
  properties: { ...incidentItem.properties, alerts: { type: 'array', items: alertItem, description: `oldest first (at most ${DETAIL_ALERTS})` } },
} as const;

export type IncidentDetail = FromSchema<typeof incidentDetail>;
