// Report content (INSIGHT): one generator per report kind, each a few SQL aggregations over the
// period params.from..params.to turned into Markdown (executive_summary, alert_digest,
// incident_review) or CSV (ioc_export). Used by the reports repository for queued jobs and by the
// history seed for its finished reports; runs on any Queryable (the pool, or a transaction's client).
import { SEVERITIES, type ReportKind } from '../../../domain/vocabulary.ts';
import type { Queryable } from '../../../lib/sql.ts';

export type ReportParams = { from: string; to: string };

export interface GeneratedReport {
  contentType: string;
  content: string;
}

/** Severities in the report's order: most severe first. */
const MOST_SEVERE_FIRST = [...SEVERITIES].reverse();
const MARKDOWN = 'text/markdown; charset=utf-8';
const CSV = 'text/csv; charset=utf-8';

/** One value of a table row: text, a count, a timestamp, or nothing (an empty cell). */
type Cell = string | number | Date | null;

const cellText = (value: Cell): string => (value === null ? '' : value instanceof Date ? value.toISOString() : String(value));

/**
 * A text cell a spreadsheet would read as a formula (= + - @, or a leading tab or carriage return)
 * gets a leading single quote, so an indicator's value or description cannot run in the analyst's
 * spreadsheet (CSV formula injection). Numbers and times are written as they are.
 */
function neutralised(value: Cell): string {
  const text = cellText(value);
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvField(value: Cell): string {
  const text = neutralised(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function mdCell(value: Cell): string {
  const text = cellText(value);
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mdTable(header: string[], rows: Cell[][]): string {
  if (rows.length === 0) return '_none_\n';
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(mdCell).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

function fmtMs(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(0)} ms`;
}

/** Events with occurred_at in [from, to), from a cache (optimisation aggregate-cache), or null to count them here. */
export type EventCounter = (from: Date, to: Date) => Promise<number | null>;

/** A report bound that a Date holds exactly (the cache works on millisecond Dates). */
const exactDate = (text: string): Date | null => {
  const date = new Date(text);
  return !Number.isNaN(date.getTime()) && date.toISOString() === text ? date : null;
};

async function countEvents(db: Queryable, p: ReportParams, counter: EventCounter | undefined): Promise<string> {
  const from = exactDate(p.from);
  const to = exactDate(p.to);
  const counted = counter === undefined || from === null || to === null ? null : await counter(from, to);
  if (counted !== null) return String(counted);
  const events = await db.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE occurred_at >= $1 AND occurred_at < $2', [p.from, p.to]);
  return events.rows[0].n;
}

async function executiveSummary(db: Queryable, p: ReportParams, counter: EventCounter | undefined): Promise<string> {
  const range = [p.from, p.to];
  const eventCount = await countEvents(db, p, counter);
  const bySeverity = await db.query<{ severity: string; n: string }>(
    'SELECT severity, count(*) AS n FROM alerts WHERE created_at >= $1 AND created_at < $2 GROUP BY severity', range);
  const byStatus = await db.query<{ status: string; n: string }>(
    'SELECT status, count(*) AS n FROM alerts WHERE created_at >= $1 AND created_at < $2 GROUP BY status ORDER BY status', range);
  const latency = await db.query<{ mean: number | null; p95: number | null }>(
    `SELECT avg(detection_latency_ms) AS mean, percentile_cont(0.95) WITHIN GROUP (ORDER BY detection_latency_ms) AS p95
       FROM alerts WHERE created_at >= $1 AND created_at < $2`, range);
  const topRules = await db.query<{ name: string; technique: string | null; n: string }>(
    `SELECT r.name, r.technique, count(*) AS n FROM alerts a JOIN rules r ON r.id = a.rule_id
      WHERE a.created_at >= $1 AND a.created_at < $2 GROUP BY r.name, r.technique ORDER BY n DESC, r.name LIMIT 5`, range);
  const topSources = await db.query<{ src_ip: string; n: string }>(
    `SELECT host(src_ip) AS src_ip, count(*) AS n FROM alerts
      WHERE created_at >= $1 AND created_at < $2 AND src_ip IS NOT NULL GROUP BY src_ip ORDER BY n DESC, src_ip LIMIT 5`, range);
  const incidents = await db.query<{ opened: string; closed: string }>(
    `SELECT count(*) FILTER (WHERE created_at >= $1 AND created_at < $2) AS opened,
            count(*) FILTER (WHERE status = 'closed' AND updated_at >= $1 AND updated_at < $2) AS closed FROM incidents`, range);
  const sev = new Map(bySeverity.rows.map((r) => [r.severity, Number(r.n)]));
  const totalAlerts = [...sev.values()].reduce((a, b) => a + b, 0);
  const lat = latency.rows[0];
  return [
    `# Executive summary`,
    ``,
    `Period: ${p.from} to ${p.to}`,
    ``,
    `- Events ingested: ${Number(eventCount)}`,
    `- Alerts raised: ${totalAlerts}`,
    `- Incidents opened: ${Number(incidents.rows[0].opened)}, closed: ${Number(incidents.rows[0].closed)}`,
    `- Detection latency: mean ${fmtMs(lat.mean)}, p95 ${fmtMs(lat.p95)}`,
    ``,
    `## Alerts by severity`,
    ``,
    mdTable(['severity', 'alerts'], MOST_SEVERE_FIRST.map((s) => [s, sev.get(s) ?? 0])),
    `## Alerts by status`,
    ``,
    mdTable(['status', 'alerts'], byStatus.rows.map((r) => [r.status, Number(r.n)])),
    `## Top rules`,
    ``,
    mdTable(['rule', 'technique', 'alerts'], topRules.rows.map((r) => [r.name, r.technique ?? '', Number(r.n)])),
    `## Top alerting source IPs`,
    ``,
    mdTable(['source IP', 'alerts'], topSources.rows.map((r) => [r.src_ip, Number(r.n)])),
  ].join('\n');
}

async function alertDigest(db: Queryable, p: ReportParams): Promise<string> {
  const range = [p.from, p.to];
  const byRule = await db.query<{ name: string; severity: string; n: string; open: string }>(
    `SELECT r.name, a.severity, count(*) AS n, count(*) FILTER (WHERE a.status IN ('new', 'acknowledged', 'in_progress')) AS open
       FROM alerts a JOIN rules r ON r.id = a.rule_id
      WHERE a.created_at >= $1 AND a.created_at < $2
      GROUP BY r.name, a.severity ORDER BY n DESC, r.name, a.severity`, range);
  const urgent = await db.query<{ id: string; created_at: Date; severity: string; status: string; title: string; host: string | null; assignee: string | null }>(
    `SELECT a.id, a.created_at, a.severity, a.status, a.title, a.host, u.username AS assignee
       FROM alerts a LEFT JOIN users u ON u.id = a.assignee_id
      WHERE a.created_at >= $1 AND a.created_at < $2 AND a.severity IN ('high', 'critical')
        AND a.status IN ('new', 'acknowledged', 'in_progress')
      ORDER BY a.created_at DESC, a.id DESC LIMIT 100`, range);
  return [
    `# Alert digest`,
    ``,
    `Period: ${p.from} to ${p.to}`,
    ``,
    `## Alerts by rule and severity`,
    ``,
    mdTable(['rule', 'severity', 'alerts', 'still open'], byRule.rows.map((r) => [r.name, r.severity, Number(r.n), Number(r.open)])),
    `## Open high and critical alerts (latest 100)`,
    ``,
    mdTable(['id', 'created', 'severity', 'status', 'title', 'host', 'assignee'],
      urgent.rows.map((r) => [Number(r.id), r.created_at, r.severity, r.status, r.title, r.host ?? '', r.assignee ?? ''])),
  ].join('\n');
}

async function incidentReview(db: Queryable, p: ReportParams): Promise<string> {
  const rows = await db.query<{ id: string; title: string; status: string; severity: string; created_at: Date; assignee: string | null; alerts: string; mean_corr: number | null }>(
    `SELECT i.id, i.title, i.status, i.severity, i.created_at, u.username AS assignee,
            count(a.id) AS alerts, avg(a.correlation_ms) AS mean_corr
       FROM incidents i
       LEFT JOIN users u ON u.id = i.assignee_id
       LEFT JOIN alerts a ON a.incident_id = i.id
      WHERE i.created_at >= $1 AND i.created_at < $2
      GROUP BY i.id, u.username ORDER BY i.created_at, i.id`, [p.from, p.to]);
  const byStatus = new Map<string, number>();
  for (const r of rows.rows) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  return [
    `# Incident review`,
    ``,
    `Period: ${p.from} to ${p.to}`,
    ``,
    `- Incidents opened: ${rows.rows.length}`,
    ...[...byStatus.entries()].sort().map(([s, n]) => `- ${s}: ${n}`),
    ``,
    mdTable(['id', 'opened', 'title', 'status', 'severity', 'assignee', 'alerts', 'mean correlation'],
      rows.rows.map((r) => [Number(r.id), r.created_at, r.title, r.status, r.severity, r.assignee ?? '', Number(r.alerts),
        fmtMs(r.mean_corr)])),
  ].join('\n');
}

async function iocExport(db: Queryable, p: ReportParams): Promise<string> {
  const rows = await db.query<{ type: string; value: string; severity: string; source: string; first_seen: Date; last_seen: Date; expires_at: Date | null; description: string }>(
    `SELECT type, value, severity, source, first_seen, last_seen, expires_at, description FROM indicators
      WHERE last_seen >= $1 AND last_seen < $2 ORDER BY type, value`, [p.from, p.to]);
  const lines = ['type,value,severity,source,first_seen,last_seen,expires_at,description'];
  for (const r of rows.rows) {
    lines.push([r.type, r.value, r.severity, r.source, r.first_seen, r.last_seen, r.expires_at, r.description].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Generates one report from the database. Throws on database errors; the worker records them. */
export async function generateReport(db: Queryable, kind: ReportKind, params: ReportParams, counter?: EventCounter): Promise<GeneratedReport> {
  switch (kind) {
    case 'executive_summary': return { contentType: MARKDOWN, content: await executiveSummary(db, params, counter) };
    case 'alert_digest': return { contentType: MARKDOWN, content: await alertDigest(db, params) };
    case 'incident_review': return { contentType: MARKDOWN, content: await incidentReview(db, params) };
    case 'ioc_export': return { contentType: CSV, content: await iocExport(db, params) };
  }
}
