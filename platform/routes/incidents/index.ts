// Routes under /api/v1/incidents (DETECT), for analysts and admins:
//   GET   /api/v1/incidents      filters status, severity; cursor over (created_at desc, id desc)
//   POST  /api/v1/incidents      {title, severity, alertIds, summary?} -> 201 incident with its alerts
//                                (400 when an alert does not exist, 409 when one is already in an incident)
//   GET   /api/v1/incidents/:id  incident with its alerts
//   PATCH /api/v1/incidents/:id  {status?, assigneeId?, summary?, title?, severity?}
// Incidents are also opened automatically by correlation (platform/detection/correlation.ts).
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/pool.ts';
import { errorResponses, idParams, pageQuery, pageSchema, dateTime, severity } from '../../schemas.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import { decodeCursor, isTimeIdCursor, pageOf, DEFAULT_LIMIT } from '../../lib/pagination.ts';
import { cursorTime } from '../events/schemas.ts';
import { ALERT_COLUMNS, alertItem, toAlertItem, type AlertRow } from '../alerts/schemas.ts';
import { checkAssignee } from '../alerts/index.ts';

const INCIDENT_STATUSES = ['open', 'investigating', 'contained', 'closed'] as const;
type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
type Severity = 'low' | 'medium' | 'high' | 'critical';
const MAX_ALERTS_PER_CREATE = 500;
const DETAIL_ALERTS = 500;

const nullableString = { type: ['string', 'null'] } as const;
const title = { type: 'string', minLength: 1, maxLength: 300 } as const;
const summary = { type: 'string', maxLength: 10_000 } as const;

const incidentItem = {
  type: 'object',
  required: ['id', 'title', 'status', 'severity', 'assigneeId', 'correlationKey', 'summary', 'alertCount', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'integer' },
    title: { type: 'string' },
    status: { type: 'string', enum: INCIDENT_STATUSES },
    severity,
    assigneeId: { type: ['integer', 'null'] },
    correlationKey: { ...nullableString, description: 'e.g. src_ip:203.0.113.7 for an incident opened by correlation; null when created by hand' },
    summary: { type: 'string' },
    alertCount: { type: 'integer' },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

const incidentDetail = {
  type: 'object',
  required: [...incidentItem.required, 'alerts'],
  properties: { ...incidentItem.properties, alerts: { type: 'array', items: alertItem, description: `oldest first (at most ${DETAIL_ALERTS})` } },
} as const;

type IncidentRow = {
  id: string;
  title: string;
  status: IncidentStatus;
  severity: Severity;
  assignee_id: string | null;
  correlation_key: string | null;
  summary: string;
  alert_count: number;
  created_at: Date;
  updated_at: Date;
};

const INCIDENT_COLUMNS = `i.id, i.title, i.status, i.severity, i.assignee_id, i.correlation_key, i.summary,
  (SELECT count(*)::int FROM alerts a WHERE a.incident_id = i.id) AS alert_count, i.created_at, i.updated_at`;

const toIncident = (r: IncidentRow) => ({
  id: Number(r.id),
  title: r.title,
  status: r.status,
  severity: r.severity,
  assigneeId: r.assignee_id === null ? null : Number(r.assignee_id),
  correlationKey: r.correlation_key,
  summary: r.summary,
  alertCount: r.alert_count,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

type Queryable = Pick<Db, 'query'>;

async function incidentDetailById(db: Queryable, incidentId: number) {
  const { rows } = await db.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents i WHERE i.id = $1`, [incidentId]);
  if (rows.length === 0) return undefined;
  const alerts = await db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts a JOIN rules r ON r.id = a.rule_id
      WHERE a.incident_id = $1 ORDER BY a.created_at, a.id LIMIT ${DETAIL_ALERTS}`,
    [incidentId],
  );
  return { ...toIncident(rows[0]), alerts: alerts.rows.map(toAlertItem) };
}

type CreateBody = { title: string; severity: Severity; alertIds: number[]; summary?: string };
type PatchBody = { status?: IncidentStatus; assigneeId?: number | null; summary?: string; title?: string; severity?: Severity };

export default async function incidentsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { status?: IncidentStatus; severity?: Severity; limit?: number; cursor?: string } }>(
    '/',
    {
      schema: {
        operationId: 'listIncidents',
        tags: ['incidents'],
        summary: 'List incidents, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: INCIDENT_STATUSES }, severity, ...pageQuery },
        },
        response: { 200: pageSchema(incidentItem), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? DEFAULT_LIMIT;
      const params: unknown[] = [];
      const where: string[] = [];
      if (q.status !== undefined) {
        params.push(q.status);
        where.push(`i.status = $${params.length}`);
      }
      if (q.severity !== undefined) {
        params.push(q.severity);
        where.push(`i.severity = $${params.length}`);
      }
      if (q.cursor !== undefined) {
        const c = decodeCursor(q.cursor, isTimeIdCursor);
        params.push(c.t, c.id);
        where.push(`(i.created_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
      }
      params.push(limit + 1);
      const { rows } = await app.db.query<IncidentRow & { cursor_t: string }>(
        `SELECT ${INCIDENT_COLUMNS}, ${cursorTime('i.created_at')} AS cursor_t
           FROM incidents i
          ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY i.created_at DESC, i.id DESC
          LIMIT $${params.length}`,
        params,
      );
      return pageOf(rows, limit, toIncident, (r) => ({ t: r.cursor_t, id: Number(r.id) }));
    },
  );

  app.post<{ Body: CreateBody }>(
    '/',
    {
      schema: {
        operationId: 'createIncident',
        tags: ['incidents'],
        summary: 'Open an incident grouping existing alerts',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['title', 'severity', 'alertIds'],
          properties: {
            title,
            severity,
            summary,
            alertIds: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_ALERTS_PER_CREATE,
              uniqueItems: true,
              items: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 },
            },
          },
        },
        response: { 201: incidentDetail, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const created = await app.db.transaction(async (client) => {
        const found = await client.query<{ id: string; incident_id: string | null }>(
          'SELECT id, incident_id FROM alerts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE',
          [body.alertIds],
        );
        const present = new Set(found.rows.map((r) => Number(r.id)));
        const missing = body.alertIds.filter((alertId) => !present.has(alertId));
        if (missing.length > 0) throw badRequest(`alert(s) ${missing.slice(0, 10).join(', ')} do not exist; pass ids of existing alerts`);
        const taken = found.rows.filter((r) => r.incident_id !== null);
        if (taken.length > 0) {
          throw conflict(`alert(s) ${taken.slice(0, 10).map((r) => `${r.id} (incident ${r.incident_id})`).join(', ')} already belong to an incident`);
        }
        const inserted = await client.query<{ id: string }>(
          'INSERT INTO incidents (title, severity, summary) VALUES ($1, $2, $3) RETURNING id',
          [body.title, body.severity, body.summary ?? ''],
        );
        const incidentId = Number(inserted.rows[0].id);
        await client.query('UPDATE alerts SET incident_id = $1, updated_at = now() WHERE id = ANY($2::bigint[])', [incidentId, body.alertIds]);
        await app.audit(
          { actor: request.principal, action: 'incident.create', targetType: 'incident', targetId: incidentId, details: { alertIds: body.alertIds } },
          client,
        );
        return incidentDetailById(client, incidentId);
      });
      return reply.code(201).send(created);
    },
  );

  app.get<{ Params: { id: number } }>(
    '/:id',
    {
      schema: {
        operationId: 'getIncident',
        tags: ['incidents'],
        summary: 'One incident with its alerts',
        params: idParams,
        response: { 200: incidentDetail, ...errorResponses },
      },
    },
    async (request) => {
      const detail = await incidentDetailById(app.db, request.params.id);
      if (detail === undefined) throw notFound(`incident ${request.params.id}`);
      return detail;
    },
  );

  app.patch<{ Params: { id: number }; Body: PatchBody }>(
    '/:id',
    {
      schema: {
        operationId: 'updateIncident',
        tags: ['incidents'],
        summary: 'Change an incident\'s status, assignee, summary, title or severity',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            status: { type: 'string', enum: INCIDENT_STATUSES },
            assigneeId: { type: ['integer', 'null'], minimum: 1 },
            summary,
            title,
            severity,
          },
        },
        response: { 200: incidentDetail, ...errorResponses },
      },
    },
    async (request) => {
      const incidentId = request.params.id;
      const body = request.body;
      const detail = await app.db.transaction(async (client) => {
        const before = await client.query<{ status: IncidentStatus; assignee_id: string | null; severity: Severity }>(
          'SELECT status, assignee_id, severity FROM incidents WHERE id = $1 FOR UPDATE',
          [incidentId],
        );
        if (before.rows.length === 0) throw notFound(`incident ${incidentId}`);
        await checkAssignee(client, body.assigneeId);
        await client.query(
          `UPDATE incidents
              SET status = COALESCE($2, status),
                  assignee_id = CASE WHEN $3::boolean THEN $4::bigint ELSE assignee_id END,
                  summary = COALESCE($5, summary),
                  title = COALESCE($6, title),
                  severity = COALESCE($7, severity),
                  updated_at = now()
            WHERE id = $1`,
          [incidentId, body.status ?? null, body.assigneeId !== undefined, body.assigneeId ?? null, body.summary ?? null, body.title ?? null, body.severity ?? null],
        );
        const prior = before.rows[0];
        await app.audit(
          {
            actor: request.principal,
            action: 'incident.update',
            targetType: 'incident',
            targetId: incidentId,
            details: {
              before: { status: prior.status, severity: prior.severity, assigneeId: prior.assignee_id === null ? null : Number(prior.assignee_id) },
              changes: body,
            },
          },
          client,
        );
        return incidentDetailById(client, incidentId);
      });
      return detail;
    },
  );
}
