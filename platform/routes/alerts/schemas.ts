// Alert shapes shared by the alerts routes and the incident detail (its alerts).
import { dateTime, severity } from '../../schemas.ts';

export const ALERT_STATUSES = ['new', 'acknowledged', 'in_progress', 'resolved', 'false_positive'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

const nullableString = { type: ['string', 'null'] } as const;
const nullableId = { type: ['integer', 'null'] } as const;

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
    status: { type: 'string', enum: ALERT_STATUSES },
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

export type AlertItem = {
  id: number;
  ruleId: number;
  ruleName: string;
  severity: string;
  status: AlertStatus;
  title: string;
  host: string | null;
  username: string | null;
  srcIp: string | null;
  assigneeId: number | null;
  incidentId: number | null;
  eventIngestedAt: string;
  createdAt: string;
  detectionLatencyMs: number;
  correlatedAt: string | null;
  correlationMs: number | null;
  updatedAt: string;
};

/** The SELECT list `toAlertItem` reads: alerts `a` joined with rules `r`. */
export const ALERT_COLUMNS = `a.id, a.rule_id, r.name AS rule_name, a.severity, a.status, a.title, a.host, a.username,
  host(a.src_ip) AS src_ip, a.assignee_id, a.incident_id, a.event_ingested_at, a.created_at, a.detection_latency_ms,
  a.correlated_at, a.correlation_ms, a.updated_at`;

export type AlertRow = {
  id: string;
  rule_id: string;
  rule_name: string;
  severity: string;
  status: AlertStatus;
  title: string;
  host: string | null;
  username: string | null;
  src_ip: string | null;
  assignee_id: string | null;
  incident_id: string | null;
  event_ingested_at: Date;
  created_at: Date;
  detection_latency_ms: number;
  correlated_at: Date | null;
  correlation_ms: number | null;
  updated_at: Date;
};

const idOrNull = (v: string | null): number | null => (v === null ? null : Number(v));

export const toAlertItem = (r: AlertRow): AlertItem => ({
  id: Number(r.id),
  ruleId: Number(r.rule_id),
  ruleName: r.rule_name,
  severity: r.severity,
  status: r.status,
  title: r.title,
  host: r.host,
  username: r.username,
  srcIp: r.src_ip,
  assigneeId: idOrNull(r.assignee_id),
  incidentId: idOrNull(r.incident_id),
  eventIngestedAt: r.event_ingested_at.toISOString(),
  createdAt: r.created_at.toISOString(),
  detectionLatencyMs: Number(r.detection_latency_ms),
  correlatedAt: r.correlated_at === null ? null : r.correlated_at.toISOString(),
  correlationMs: r.correlation_ms === null ? null : Number(r.correlation_ms),
  updatedAt: r.updated_at.toISOString(),
});
