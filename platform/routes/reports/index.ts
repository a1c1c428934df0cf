// Reports (INSIGHT), prefix /api/v1/reports. Generation is asynchronous: POST queues a job that the
// report worker (platform/services/reports.ts) picks up; clients poll GET /:id and then download.
//   GET  /               report jobs, newest first, filters kind/status, keyset pagination
//   POST /               { kind, params: { from, to } } -> 202 { id, status: 'queued' }
//   GET  /:id            job status
//   GET  /:id/download   the content when done (Markdown or CSV); 409 `conflict` before (or when failed)
import type { FastifyInstance } from 'fastify';
import { errorResponses, idParams, pageQuery, pageSchema, dateTime } from '../../schemas.ts';
import { conflict, forbidden, notFound } from '../../errors.ts';
import { decodeCursor, isIdCursor, pageOf, DEFAULT_LIMIT } from '../../lib/pagination.ts';
import { REPORT_KINDS } from '../../services/reports.ts';
import type { ReportKind, ReportParams } from '../../services/reports.ts';
import { resolveRange } from '../analytics/range.ts';

const STATUSES = ['queued', 'running', 'done', 'failed'] as const;
type Status = (typeof STATUSES)[number];

const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
const paramsSchema = {
  type: 'object',
  required: ['from', 'to'],
  additionalProperties: false,
  properties: { from: dateTime, to: dateTime },
} as const;

const reportSchema = {
  type: 'object',
  required: ['id', 'kind', 'params', 'status', 'requestedBy', 'contentType', 'error', 'createdAt', 'startedAt', 'finishedAt'],
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', enum: REPORT_KINDS },
    // As stored; not `required`, so a job with unusable params (it fails) can still be shown.
    params: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } } },
    status: { type: 'string', enum: STATUSES },
    requestedBy: { type: 'integer' },
    contentType: { type: ['string', 'null'] },
    error: { type: ['string', 'null'] },
    createdAt: dateTime,
    startedAt: nullableDateTime,
    finishedAt: nullableDateTime,
  },
} as const;

type ReportRow = {
  id: string; kind: ReportKind; params: ReportParams; status: Status; requested_by: string; content_type: string | null;
  error: string | null; created_at: Date; started_at: Date | null; finished_at: Date | null;
};

const COLUMNS = 'id, kind, params, status, requested_by, content_type, error, created_at, started_at, finished_at';

function toReport(r: ReportRow) {
  return {
    id: Number(r.id), kind: r.kind, params: r.params, status: r.status, requestedBy: Number(r.requested_by),
    contentType: r.content_type, error: r.error, createdAt: r.created_at.toISOString(),
    startedAt: r.started_at === null ? null : r.started_at.toISOString(),
    finishedAt: r.finished_at === null ? null : r.finished_at.toISOString(),
  };
}

export default async function reportsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { kind?: ReportKind; status?: Status; limit?: number; cursor?: string } }>('', {
    schema: {
      operationId: 'listReports',
      tags: ['reports'],
      summary: 'Report jobs, newest first',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { kind: { type: 'string', enum: REPORT_KINDS }, status: { type: 'string', enum: STATUSES }, ...pageQuery },
      },
      response: { 200: pageSchema(reportSchema), ...errorResponses },
    },
  }, async (request) => {
    const q = request.query;
    const limit = q.limit ?? DEFAULT_LIMIT;
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.kind !== undefined) { params.push(q.kind); where.push(`kind = $${params.length}`); }
    if (q.status !== undefined) { params.push(q.status); where.push(`status = $${params.length}`); }
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor, isIdCursor);
      params.push(c.id);
      where.push(`id < $${params.length}`);
    }
    params.push(limit + 1);
    const { rows } = await app.db.query<ReportRow>(
      `SELECT ${COLUMNS} FROM reports ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $${params.length}`, params);
    return pageOf(rows, limit, toReport, (r) => ({ id: Number(r.id) }));
  });

  app.post<{ Body: { kind: ReportKind; params: ReportParams } }>('', {
    schema: {
      operationId: 'createReport',
      tags: ['reports'],
      summary: 'Queue a report: executive_summary, alert_digest, incident_review (Markdown) or ioc_export (CSV) over params.from..to',
      body: {
        type: 'object',
        required: ['kind', 'params'],
        additionalProperties: false,
        properties: { kind: { type: 'string', enum: REPORT_KINDS }, params: paramsSchema },
      },
      response: {
        202: {
          type: 'object',
          required: ['id', 'status'],
          properties: { id: { type: 'integer' }, status: { type: 'string', enum: ['queued'] } },
        },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const range = resolveRange(request.body.params, 0);
    const params: ReportParams = { from: range.from.toISOString(), to: range.to.toISOString() };
    const principal = request.principal;
    // Only users reach this route (roles analyst/admin); the check narrows the principal's type.
    if (principal.kind !== 'user') throw forbidden('reports are requested by users');
    const requestedBy = principal.id;
    const id = await app.db.transaction(async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO reports (kind, params, requested_by) VALUES ($1, $2, $3) RETURNING id`,
        [request.body.kind, JSON.stringify(params), requestedBy]);
      const reportId = Number(rows[0].id);
      await app.audit({ actor: principal, action: 'report.create', targetType: 'report', targetId: reportId, details: { kind: request.body.kind } }, client);
      return reportId;
    });
    // The worker is absent when the app is built without background workers; the job then waits.
    if (app.hasDecorator('reportWorker')) app.reportWorker.wake();
    return reply.code(202).send({ id, status: 'queued' });
  });

  app.get<{ Params: { id: number } }>('/:id', {
    schema: {
      operationId: 'getReport',
      tags: ['reports'],
      summary: 'Report job status',
      params: idParams,
      response: { 200: reportSchema, ...errorResponses },
    },
  }, async (request) => {
    const { rows } = await app.db.query<ReportRow>(`SELECT ${COLUMNS} FROM reports WHERE id = $1`, [request.params.id]);
    if (rows[0] === undefined) throw notFound(`report ${request.params.id}`);
    return toReport(rows[0]);
  });

  app.get<{ Params: { id: number } }>('/:id/download', {
    schema: {
      operationId: 'downloadReport',
      tags: ['reports'],
      summary: 'The report content once the job is done; 409 while queued or running, or when it failed',
      params: idParams,
      response: {
        200: {
          description: 'Markdown (executive_summary, alert_digest, incident_review) or CSV (ioc_export)',
          content: {
            'text/markdown': { schema: { type: 'string' } },
            'text/csv': { schema: { type: 'string' } },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const { rows } = await app.db.query<{ kind: ReportKind; status: Status; content_type: string | null; content: string | null; error: string | null }>(
      'SELECT kind, status, content_type, content, error FROM reports WHERE id = $1', [request.params.id]);
    const row = rows[0];
    if (row === undefined) throw notFound(`report ${request.params.id}`);
    if (row.status === 'failed') throw conflict(`report ${request.params.id} failed: ${row.error ?? 'unknown error'}; queue a new one`);
    if (row.status !== 'done' || row.content === null) throw conflict(`report ${request.params.id} is ${row.status}; download it when its status is done`);
    const contentType = row.content_type ?? 'text/plain; charset=utf-8';
    const extension = contentType.startsWith('text/csv') ? 'csv' : 'md';
    return reply
      .type(contentType)
      .header('content-disposition', `attachment; filename="report-${request.params.id}-${row.kind}.${extension}"`)
      .send(row.content);
  });
}
