// Domain service: app.reportsRepository, all the SQL on report jobs: what the routes ask (list,
// queue with its audit row, status, content) and what the report worker does with a job (claim,
// finish, fail, put back). Claiming uses FOR UPDATE SKIP LOCKED, so several platform processes can
// share one database; a job left 'running' longer than staleAfterSeconds belonged to a process that
// died (or lost the database mid-job) and is claimable again.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { REPORT_KINDS, type ReportKind, type ReportStatus } from '../../../domain/vocabulary.ts';
import { pageOf, type Page } from '../../../lib/pagination.ts';
import { Filter } from '../../../lib/sql.ts';
import type { UserPrincipal } from '../../../types.ts';
import { generateReport, type EventCounter, type GeneratedReport, type ReportParams } from './report-content.ts';
import { cachedEventCount } from '../analytics/cached-analytics.ts';

type ReportRow = {
  id: string; kind: ReportKind; params: ReportParams; status: ReportStatus; requested_by: string; content_type: string | null;
  error: string | null; created_at: Date; started_at: Date | null; finished_at: Date | null;
};

const COLUMNS = 'id, kind, params, status, requested_by, content_type, error, created_at, started_at, finished_at';

const toReport = (r: ReportRow) => ({
  id: Number(r.id), kind: r.kind, params: r.params, status: r.status, requestedBy: Number(r.requested_by),
  contentType: r.content_type, error: r.error, createdAt: r.created_at.toISOString(),
  startedAt: r.started_at === null ? null : r.started_at.toISOString(),
  finishedAt: r.finished_at === null ? null : r.finished_at.toISOString(),
});

export type Report = ReturnType<typeof toReport>;
export type ReportFilters = { kind?: ReportKind; status?: ReportStatus; limit: number; beforeId?: number };
export type ReportContent = { kind: ReportKind; status: ReportStatus; contentType: string | null; content: string | null; error: string | null };

/** A claimed job as stored: kind and params are checked by the worker before it generates anything. */
export type ClaimedJob = { id: number; kind: string; params: unknown };

export const isReportKind = (value: string): value is ReportKind => (REPORT_KINDS as readonly string[]).includes(value);

export function isReportParams(value: unknown): value is ReportParams {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.from === 'string' && typeof v.to === 'string';
}

function createReportsRepository(app: FastifyInstance) {
  const db = app.db;
  // With aggregate-cache, the executive summary's event count comes from the cached hourly counts.
  const cache = app.aggregateCache;
  const counter: EventCounter | undefined = cache === null ? undefined : (from, to) => cachedEventCount(db, cache, { from, to });
  return {
    /** Report jobs, newest first; `beforeId` is the cursor (the last id of the previous page). */
    async list(q: ReportFilters): Promise<Page<Report>> {
      const f = new Filter().equals('kind', q.kind).equals('status', q.status).add((n) => `id < ${n}`, q.beforeId);
      const limit = f.param(q.limit + 1);
      const { rows } = await db.query<ReportRow>(`SELECT ${COLUMNS} FROM reports ${f.where()} ORDER BY id DESC LIMIT ${limit}`, f.params);
      return pageOf(rows, q.limit, toReport, (r) => ({ id: Number(r.id) }));
    },

    /** Queues a job (audited as report.create); returns its id. */
    async queue(kind: ReportKind, params: ReportParams, requester: UserPrincipal): Promise<number> {
      return db.transaction(async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO reports (kind, params, requested_by) VALUES ($1, $2, $3) RETURNING id`,
          [kind, JSON.stringify(params), requester.id]);
        const reportId = Number(rows[0].id);
        await app.audit({ actor: requester, action: 'report.create', targetType: 'report', targetId: reportId, details: { kind } }, client);
        return reportId;
      });
    },

    async byId(reportId: number): Promise<Report | undefined> {
      const { rows } = await db.query<ReportRow>(`SELECT ${COLUMNS} FROM reports WHERE id = $1`, [reportId]);
      return rows.length === 0 ? undefined : toReport(rows[0]);
    },

    async content(reportId: number): Promise<ReportContent | undefined> {
      const { rows } = await db.query<{ kind: ReportKind; status: ReportStatus; content_type: string | null; content: string | null; error: string | null }>(
        'SELECT kind, status, content_type, content, error FROM reports WHERE id = $1', [reportId]);
      const row = rows.at(0);
      return row === undefined ? undefined : { kind: row.kind, status: row.status, contentType: row.content_type, content: row.content, error: row.error };
    },

    /** Moves the oldest claimable job to 'running' and returns it; undefined when there is none. */
    async claim(staleAfterSeconds: number): Promise<ClaimedJob | undefined> {
      const { rows } = await db.query<{ id: string; kind: string; params: unknown }>(
        `UPDATE reports SET status = 'running', started_at = now()
          WHERE id = (SELECT id FROM reports
                       WHERE status = 'queued' OR (status = 'running' AND started_at < now() - make_interval(secs => $1))
                       ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
          RETURNING id, kind, params`, [staleAfterSeconds]);
      const row = rows.at(0);
      return row === undefined ? undefined : { id: Number(row.id), kind: row.kind, params: row.params };
    },

    /** The job's content, generated from the database. */
    generate(kind: ReportKind, params: ReportParams): Promise<GeneratedReport> {
      return generateReport(db, kind, params, counter);
    },

    async finish(jobId: number, report: GeneratedReport): Promise<void> {
      await db.query(
        `UPDATE reports SET status = 'done', content_type = $2, content = $3, error = NULL, finished_at = now() WHERE id = $1`,
        [jobId, report.contentType, report.content]);
    },

    async fail(jobId: number, message: string): Promise<void> {
      await db.query(`UPDATE reports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [jobId, message]);
    },

    /** Puts a claimed job back in the queue (the database failed, not the report). */
    async requeue(jobId: number): Promise<void> {
      await db.query(`UPDATE reports SET status = 'queued', started_at = NULL WHERE id = $1`, [jobId]);
    },
  };
}

export type ReportsRepository = ReturnType<typeof createReportsRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    reportsRepository: ReportsRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('reportsRepository', createReportsRepository(app));
  },
  { name: 'reports-repository', fastify: '5.x', dependencies: ['db', 'audit', 'aggregate-cache'] },
);
