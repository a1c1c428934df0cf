// The domain's enumerations, declared once: route schemas (`enum: SEVERITIES`), repositories, the
// detection engine, the seed and the reports worker all import them from here. Each list matches a
// CHECK constraint of platform/db/migrations/001_schema.sql; change both together.
// Orders are meaningful where the domain has one: severities from least to most severe, statuses in
// their usual life cycle.

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const EVENT_TYPES = ['auth', 'network', 'process', 'dns', 'file'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_OUTCOMES = ['success', 'failure'] as const;

export const ALERT_STATUSES = ['new', 'acknowledged', 'in_progress', 'resolved', 'false_positive'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const INCIDENT_STATUSES = ['open', 'investigating', 'contained', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const INDICATOR_TYPES = ['ip', 'domain', 'hash'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export const RULE_KINDS = ['brute_force', 'indicator_match', 'impossible_travel', 'pattern'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const REPORT_KINDS = ['executive_summary', 'alert_digest', 'incident_review', 'ioc_export'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Roles of people who sign in. */
export const USER_ROLES = ['analyst', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Every role a route may allow: people's roles and the sensors' (API keys). */
export const ROLES = [...USER_ROLES, 'sensor'] as const;
export type Role = (typeof ROLES)[number];

/** Who an audit_log row says acted. */
export const ACTOR_KINDS = ['user', 'sensor', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];
