// Report generation (INSIGHT): the generators for each report kind, and the in-process worker that
// turns queued jobs in the `reports` table into finished content.
//
// Input: rows in `reports` with status 'queued' (POST /api/v1/reports inserts them).
// Output: the same rows moved to 'running', then 'done' (content + content_type) or 'failed' (error).
// Claiming uses FOR UPDATE SKIP LOCKED, so several platform processes can share one database.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { isConnectionFailure } from '../db/pool.ts';

export const REPORT_KINDS = ['executive_summary', 'alert_digest', 'incident_review', 'ioc_export'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface ReportParams {
  from: string;
  to: string;
}

export interface GeneratedReport {
  contentType: string;
  content: string;
}

/** Anything that runs a query: a pool client inside a transaction, or the pool itself. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const MARKDOWN = 'text/markdown; charset=utf-8';
const CSV = 'text/csv; charset=utf-8';

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function mdCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mdTable(header: string[], rows: unknown[][]): string {
  if (rows.length === 0) return '_none_\n';
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(mdCell).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

function fmtMs(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(0)} ms`;
}

async function executiveSummary(db: Queryable, p: ReportParams): Promise<string> {
  const range = [p.from, p.to];
  const events = await db.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE occurred_at >= $1 AND occurred_at < $2', range);
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
    `- Events ingested: ${Number(events.rows[0].n)}`,
    `- Alerts raised: ${totalAlerts}`,
    `- Incidents opened: ${Number(incidents.rows[0].opened)}, closed: ${Number(incidents.rows[0].closed)}`,
    `- Detection latency: mean ${fmtMs(lat.mean === null ? null : Number(lat.mean))}, p95 ${fmtMs(lat.p95 === null ? null : Number(lat.p95))}`,
    ``,
    `## Alerts by severity`,
    ``,
    mdTable(['severity', 'alerts'], SEVERITIES.map((s) => [s, sev.get(s) ?? 0])),
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
        fmtMs(r.mean_corr === null ? null : Number(r.mean_corr))])),
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
export async function generateReport(db: Queryable, kind: ReportKind, params: ReportParams): Promise<GeneratedReport> {
  switch (kind) {
    case 'executive_summary': return { contentType: MARKDOWN, content: await executiveSummary(db, params) };
    case 'alert_digest': return { contentType: MARKDOWN, content: await alertDigest(db, params) };
    case 'incident_review': return { contentType: MARKDOWN, content: await incidentReview(db, params) };
    case 'ioc_export': return { contentType: CSV, content: await iocExport(db, params) };
  }
}

function isReportKind(value: string): value is ReportKind {
  return (REPORT_KINDS as readonly string[]).includes(value);
}

function isReportParams(value: unknown): value is ReportParams {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.from === 'string' && typeof v.to === 'string';
}

export interface ReportWorkerOptions {
  /** How often to look for queued jobs when idle (ms). */
  pollIntervalMs?: number;
  /** A job left 'running' longer than this (its process died) may be claimed again (s). */
  staleAfterSeconds?: number;
}

export interface ReportWorker {
  /** Looks for queued jobs now instead of at the next poll. */
  wake(): void;
  /** Claims and runs queued jobs until none is left; resolves with how many it ran. */
  drain(): Promise<number>;
}

declare module 'fastify' {
  interface FastifyInstance {
    reportWorker: ReportWorker;
  }
}

async function reportWorkerPlugin(app: FastifyInstance, opts: ReportWorkerOptions): Promise<void> {
  const pollIntervalMs = opts.pollIntervalMs ?? 1000;
  const staleAfterSeconds = opts.staleAfterSeconds ?? 600;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  async function runOne(): Promise<boolean> {
    // A job left 'running' for longer than staleAfterSeconds belonged to a process that died (or lost
    // the database mid-job): it is claimable again.
    const claimed = await app.db.query<{ id: string; kind: string; params: unknown }>(
      `UPDATE reports SET status = 'running', started_at = now()
        WHERE id = (SELECT id FROM reports
                     WHERE status = 'queued' OR (status = 'running' AND started_at < now() - make_interval(secs => $1))
                     ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
        RETURNING id, kind, params`, [staleAfterSeconds]);
    const job = claimed.rows[0];
    if (!job) return false;
    try {
      if (!isReportKind(job.kind)) throw new Error(`unknown report kind ${job.kind}`);
      if (!isReportParams(job.params)) throw new Error('params must hold from and to');
      const report = await generateReport(app.db, job.kind, job.params);
      await app.db.query(
        `UPDATE reports SET status = 'done', content_type = $2, content = $3, error = NULL, finished_at = now() WHERE id = $1`,
        [job.id, report.contentType, report.content]);
      app.log.info({ reportId: Number(job.id), kind: job.kind, bytes: report.content.length }, 'report done');
    } catch (err) {
      if (isConnectionFailure(err)) {
        // Not the report's fault: put it back (best effort; if this fails too it is reclaimed when stale).
        await app.db.query(`UPDATE reports SET status = 'queued', started_at = NULL WHERE id = $1`, [job.id]).catch(() => undefined);
        throw err;
      }
      const message = err instanceof Error ? err.message : String(err);
      app.log.error({ reportId: Number(job.id), err }, 'report failed');
      await app.db.query(`UPDATE reports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [job.id, message]);
    }
    return true;
  }

  async function drainLoop(): Promise<number> {
    let count = 0;
    while (!stopped && (await runOne())) count += 1;
    return count;
  }

  function drain(): Promise<number> {
    if (!running) {
      running = drainLoop().finally(() => { running = null; });
    }
    return running;
  }

  function schedule(delay: number): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      drain().catch((err: unknown) => {
        app.log.warn({ err }, 'report worker: poll failed, retrying');
      }).finally(() => schedule(pollIntervalMs));
    }, delay);
    timer.unref();
  }

  app.decorate('reportWorker', { wake: () => schedule(0), drain } satisfies ReportWorker);

  app.addHook('onReady', async () => {
    schedule(0);
  });

  app.addHook('onClose', async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
    if (running) await running.catch(() => 0);
  });
}

export default fp(reportWorkerPlugin, { name: 'reports-worker' });
