// Reports (INSIGHT), prefix /api/v1/reports. Generation is asynchronous: POST queues a job that the
// report worker (platform/services/reports.ts) picks up; clients poll GET /:id and then download.
//   GET  /               report jobs, newest first, filters kind/status, keyset pagination
//   POST /               { kind, params: { from, to } } -> 202 { id, status: 'queued' }
//   GET  /:id            job status
//   GET  /:id/download   the content when done (Markdown or CSV); 409 `conflict` before (or when failed)
// The SQL is app.reportsRepository's; handler types come from the schemas below.
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { REPORT_KINDS, REPORT_STATUSES } from '../../domain/vocabulary.ts';
import { conflict, forbidden, notFound } from '../../errors.ts';
import { decodeCursor, isIdCursor } from '../../lib/pagination.ts';
import { resolveRange } from '../../domain/time-range.ts';
import { errorResponses, idParams, pageQuery, pageSchema, dateTime } from '../../schemas.ts';

const kind = { type: 'string', enum: REPORT_KINDS } as const;
const status = { type: 'string', enum: REPORT_STATUSES } as const;
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
    kind,
    // As stored; not `required`, so a job with unusable params (it fails) can still be shown.
    params: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } } },
    status,
    requestedBy: { type: 'integer' },
    contentType: { type: ['string', 'null'] },
    error: { type: ['string', 'null'] },
    createdAt: dateTime,
    startedAt: nullableDateTime,
    finishedAt: nullableDateTime,
  },
} as const;

const listReports = {
  operationId: 'listReports',
  tags: ['reports'],
  summary: 'Report jobs, newest first',
  querystring: { type: 'object', additionalProperties: false, properties: { kind, status, ...pageQuery } },
  response: { 200: pageSchema(reportSchema), ...errorResponses },
} as const;

const createReport = {
  operationId: 'createReport',
  tags: ['reports'],
  summary: 'Queue a report: executive_summary, alert_digest, incident_review (Markdown) or ioc_export (CSV) over params.from..to',
  body: { type: 'object', required: ['kind', 'params'], additionalProperties: false, properties: { kind, params: paramsSchema } },
  response: {
    202: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'integer' }, status: { type: 'string', enum: ['queued'] } } },
    ...errorResponses,
  },
} as const;

const getReport = {
  operationId: 'getReport',
  tags: ['reports'],
  summary: 'Report job status',
  params: idParams,
  response: { 200: reportSchema, ...errorResponses },
} as const;

const downloadReport = {
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
} as const;

export default function reportsRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const reports = app.reportsRepository;

  app.get('', { schema: listReports }, async (request) => {
    const { limit, cursor, ...filters } = request.query;
    return reports.list({ ...filters, limit, beforeId: cursor === undefined ? undefined : decodeCursor(cursor, isIdCursor).id });
  });

  app.post('', { schema: createReport }, async (request, reply) => {
    const range = resolveRange(request.body.params, 0);
    const principal = request.principal;
    // Only users reach this route (roles analyst/admin); the check narrows the principal's type.
    if (principal.kind !== 'user') throw forbidden('reports are requested by users');
    const id = await reports.queue(request.body.kind, { from: range.from.toISOString(), to: range.to.toISOString() }, principal);
    // The worker is absent when the app is built without background workers; the job then waits.
    if (app.hasDecorator('reportWorker')) app.reportWorker.wake();
    return reply.code(202).send({ id, status: 'queued' as const });
  });

  app.get('/:id', { schema: getReport }, async (request) => {
    const report = await reports.byId(request.params.id);
    if (report === undefined) throw notFound(`report ${request.params.id}`);
    return report;
  });

  app.get('/:id/download', { schema: downloadReport }, async (request, reply) => {
    const { id } = request.params;
    const report = await reports.content(id);
    if (report === undefined) throw notFound(`report ${id}`);
    if (report.status === 'failed') throw conflict(`report ${id} failed: ${report.error ?? 'unknown error'}; queue a new one`);
    if (report.status !== 'done' || report.content === null) throw conflict(`report ${id} is ${report.status}; download it when its status is done`);
    const contentType = report.contentType ?? 'text/plain; charset=utf-8';
    const extension = contentType.startsWith('text/csv') ? 'csv' : 'md';
    return reply
      .type(contentType)
      .header('content-disposition', `attachment; filename="report-${id}-${report.kind}.${extension}"`)
      .send(report.content);
  });
}
