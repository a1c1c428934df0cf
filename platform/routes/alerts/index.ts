// Routes under /api/v1/alerts (DETECT), for analysts and admins:
//   GET   /api/v1/alerts                 filters status, severity, assigneeId, ruleId, from, to, incidentId; cursor
//   GET   /api/v1/alerts/:id             alert + rule name/technique + related events + comments count
//   PATCH /api/v1/alerts/:id             {status?, assigneeId?}   (audit: alert.update)
//   POST  /api/v1/alerts/bulk            {ids, status?, assigneeId?} -> {updated}   (audit: alert.bulk_update)
//   GET   /api/v1/alerts/:id/comments    comments, oldest first; cursor
//   POST  /api/v1/alerts/:id/comments    {body} -> 201 comment   (audit: alert.comment)
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/pool.ts';
import { errorResponses, idParams, pageQuery, pageSchema, dateTime, severity } from '../../schemas.ts';
import { badRequest, notFound } from '../../errors.ts';
import { decodeCursor, isIdCursor, isTimeIdCursor, pageOf, DEFAULT_LIMIT } from '../../lib/pagination.ts';
import { cursorTime, EVENT_COLUMNS, eventItem, toEventItem, type EventRow } from '../events/schemas.ts';
import { ALERT_COLUMNS, ALERT_STATUSES, alertItem, toAlertItem, type AlertRow, type AlertStatus } from './schemas.ts';

/** Related events shown in an alert's detail (the rest stay reachable through the events search). */
const DETAIL_EVENTS = 100;
const MAX_BULK_IDS = 1000;

type ListQuery = {
  status?: AlertStatus;
  severity?: string;
  assigneeId?: number;
  ruleId?: number;
  incidentId?: number;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
};
type PatchBody = { status?: AlertStatus; assigneeId?: number | null };
type BulkBody = { ids: number[]; status?: AlertStatus; assigneeId?: number | null };
type Queryable = Pick<Db, 'query'>;

const id = { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } as const;
const assigneeId = { type: ['integer', 'null'], minimum: 1, description: 'a user id, or null to unassign' } as const;

const commentItem = {
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

type CommentRow = { id: string; alert_id: string; author_id: string; author_username: string; body: string; created_at: Date };
const toComment = (r: CommentRow) => ({
  id: Number(r.id),
  alertId: Number(r.alert_id),
  authorId: Number(r.author_id),
  authorUsername: r.author_username,
  body: r.body,
  createdAt: r.created_at.toISOString(),
});

/** 400 unless the id is an existing user (an assignee must be someone who can sign in). */
export async function checkAssignee(db: Queryable, userId: number | null | undefined): Promise<void> {
  if (userId === null || userId === undefined) return;
  const { rows } = await db.query('SELECT 1 FROM users WHERE id = $1', [userId]);
  if (rows.length === 0) throw badRequest(`assigneeId ${userId} is not a user; pass an existing user id or null`);
}

async function alertById(db: Queryable, alertId: number): Promise<AlertRow | undefined> {
  const { rows } = await db.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts a JOIN rules r ON r.id = a.rule_id WHERE a.id = $1`, [alertId]);
  return rows[0];
}

export default async function alertsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: ListQuery }>(
    '/',
    {
      schema: {
        operationId: 'listAlerts',
        tags: ['alerts'],
        summary: 'List alerts, newest first, with filters',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ALERT_STATUSES },
            severity,
            assigneeId: id,
            ruleId: id,
            incidentId: id,
            from: { ...dateTime, description: 'created at or after' },
            to: { ...dateTime, description: 'created at or before' },
            ...pageQuery,
          },
        },
        response: { 200: pageSchema(alertItem), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? DEFAULT_LIMIT;
      if (q.from !== undefined && q.to !== undefined && new Date(q.from) > new Date(q.to)) {
        throw badRequest('from is after to; pass a range with from <= to');
      }
      const params: unknown[] = [];
      const where: string[] = [];
      const add = (sql: (n: string) => string, value: unknown): void => {
        params.push(value);
        where.push(sql(`$${params.length}`));
      };
      if (q.status !== undefined) add((n) => `a.status = ${n}`, q.status);
      if (q.severity !== undefined) add((n) => `a.severity = ${n}`, q.severity);
      if (q.assigneeId !== undefined) add((n) => `a.assignee_id = ${n}`, q.assigneeId);
      if (q.ruleId !== undefined) add((n) => `a.rule_id = ${n}`, q.ruleId);
      if (q.incidentId !== undefined) add((n) => `a.incident_id = ${n}`, q.incidentId);
      if (q.from !== undefined) add((n) => `a.created_at >= ${n}`, q.from);
      if (q.to !== undefined) add((n) => `a.created_at <= ${n}`, q.to);
      if (q.cursor !== undefined) {
        const c = decodeCursor(q.cursor, isTimeIdCursor);
        params.push(c.t, c.id);
        where.push(`(a.created_at, a.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
      }
      params.push(limit + 1);
      const { rows } = await app.db.query<AlertRow & { cursor_t: string }>(
        `SELECT ${ALERT_COLUMNS}, ${cursorTime('a.created_at')} AS cursor_t
           FROM alerts a JOIN rules r ON r.id = a.rule_id
          ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY a.created_at DESC, a.id DESC
          LIMIT $${params.length}`,
        params,
      );
      return pageOf(rows, limit, toAlertItem, (r) => ({ t: r.cursor_t, id: Number(r.id) }));
    },
  );

  app.get<{ Params: { id: number } }>(
    '/:id',
    {
      schema: {
        operationId: 'getAlert',
        tags: ['alerts'],
        summary: 'One alert with its rule, related events and comment count',
        params: idParams,
        response: {
          200: {
            type: 'object',
            required: [...alertItem.required, 'technique', 'events', 'commentsCount'],
            properties: {
              ...alertItem.properties,
              technique: { type: ['string', 'null'], description: 'MITRE ATT&CK technique of the rule' },
              events: { type: 'array', items: eventItem, description: `related events, oldest first (at most ${DETAIL_EVENTS})` },
              commentsCount: { type: 'integer' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const alertId = request.params.id;
      const { rows } = await app.db.query<AlertRow & { technique: string | null; comments_count: number }>(
        `SELECT ${ALERT_COLUMNS}, r.technique,
                (SELECT count(*)::int FROM alert_comments c WHERE c.alert_id = a.id) AS comments_count
           FROM alerts a JOIN rules r ON r.id = a.rule_id
          WHERE a.id = $1`,
        [alertId],
      );
      if (rows.length === 0) throw notFound(`alert ${alertId}`);
      const events = await app.db.query<EventRow>(
        `SELECT ${EVENT_COLUMNS}
           FROM alert_events ae JOIN events e ON e.id = ae.event_id
          WHERE ae.alert_id = $1
          ORDER BY e.occurred_at, e.id
          LIMIT ${DETAIL_EVENTS}`,
        [alertId],
      );
      const row = rows[0];
      return { ...toAlertItem(row), technique: row.technique, events: events.rows.map(toEventItem), commentsCount: row.comments_count };
    },
  );

  app.patch<{ Params: { id: number }; Body: PatchBody }>(
    '/:id',
    {
      schema: {
        operationId: 'updateAlert',
        tags: ['alerts'],
        summary: 'Change an alert\'s status or assignee',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { status: { type: 'string', enum: ALERT_STATUSES }, assigneeId },
        },
        response: { 200: alertItem, ...errorResponses },
      },
    },
    async (request) => {
      const alertId = request.params.id;
      const body = request.body;
      const updated = await app.db.transaction(async (client) => {
        const before = await client.query<{ status: AlertStatus; assignee_id: string | null }>(
          'SELECT status, assignee_id FROM alerts WHERE id = $1 FOR UPDATE',
          [alertId],
        );
        if (before.rows.length === 0) throw notFound(`alert ${alertId}`);
        await checkAssignee(client, body.assigneeId);
        await client.query(
          `UPDATE alerts
              SET status = COALESCE($2, status),
                  assignee_id = CASE WHEN $3::boolean THEN $4::bigint ELSE assignee_id END,
                  updated_at = now()
            WHERE id = $1`,
          [alertId, body.status ?? null, body.assigneeId !== undefined, body.assigneeId ?? null],
        );
        const prior = before.rows[0];
        await app.audit(
          {
            actor: request.principal,
            action: 'alert.update',
            targetType: 'alert',
            targetId: alertId,
            details: {
              before: { status: prior.status, assigneeId: prior.assignee_id === null ? null : Number(prior.assignee_id) },
              changes: body,
            },
          },
          client,
        );
        return alertById(client, alertId);
      });
      if (updated === undefined) throw notFound(`alert ${alertId}`);
      return toAlertItem(updated);
    },
  );

  app.post<{ Body: BulkBody }>(
    '/bulk',
    {
      schema: {
        operationId: 'bulkUpdateAlerts',
        tags: ['alerts'],
        summary: 'Change the status and/or assignee of many alerts at once',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['ids'],
          anyOf: [{ required: ['status'] }, { required: ['assigneeId'] }],
          properties: {
            ids: { type: 'array', minItems: 1, maxItems: MAX_BULK_IDS, uniqueItems: true, items: id },
            status: { type: 'string', enum: ALERT_STATUSES },
            assigneeId,
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['updated'],
            properties: { updated: { type: 'integer', description: 'alerts changed; ids that do not exist are skipped' } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const body = request.body;
      const updated = await app.db.transaction(async (client) => {
        await checkAssignee(client, body.assigneeId);
        const result = await client.query<{ id: string }>(
          `UPDATE alerts
              SET status = COALESCE($2, status),
                  assignee_id = CASE WHEN $3::boolean THEN $4::bigint ELSE assignee_id END,
                  updated_at = now()
            WHERE id = ANY($1::bigint[])
          RETURNING id`,
          [body.ids, body.status ?? null, body.assigneeId !== undefined, body.assigneeId ?? null],
        );
        const ids = result.rows.map((r) => Number(r.id));
        await app.audit(
          {
            actor: request.principal,
            action: 'alert.bulk_update',
            targetType: 'alert',
            details: { ids, status: body.status, assigneeId: body.assigneeId },
          },
          client,
        );
        return ids.length;
      });
      return { updated };
    },
  );

  app.get<{ Params: { id: number }; Querystring: { limit?: number; cursor?: string } }>(
    '/:id/comments',
    {
      schema: {
        operationId: 'listAlertComments',
        tags: ['alerts'],
        summary: 'Comments on an alert, oldest first',
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } },
        response: { 200: pageSchema(commentItem), ...errorResponses },
      },
    },
    async (request) => {
      const alertId = request.params.id;
      const limit = request.query.limit ?? DEFAULT_LIMIT;
      const after = request.query.cursor === undefined ? 0 : decodeCursor(request.query.cursor, isIdCursor).id;
      const exists = await app.db.query('SELECT 1 FROM alerts WHERE id = $1', [alertId]);
      if (exists.rows.length === 0) throw notFound(`alert ${alertId}`);
      const { rows } = await app.db.query<CommentRow>(
        `SELECT c.id, c.alert_id, c.author_id, u.username AS author_username, c.body, c.created_at
           FROM alert_comments c JOIN users u ON u.id = c.author_id
          WHERE c.alert_id = $1 AND c.id > $2
          ORDER BY c.id
          LIMIT $3`,
        [alertId, after, limit + 1],
      );
      return pageOf(rows, limit, toComment, (r) => ({ id: Number(r.id) }));
    },
  );

  app.post<{ Params: { id: number }; Body: { body: string } }>(
    '/:id/comments',
    {
      schema: {
        operationId: 'createAlertComment',
        tags: ['alerts'],
        summary: 'Comment on an alert',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['body'],
          properties: { body: { type: 'string', minLength: 1, maxLength: 10_000 } },
        },
        response: { 201: commentItem, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal.kind !== 'user') throw badRequest('only users comment');
      const alertId = request.params.id;
      const comment = await app.db.transaction(async (client) => {
        const exists = await client.query('SELECT 1 FROM alerts WHERE id = $1', [alertId]);
        if (exists.rows.length === 0) throw notFound(`alert ${alertId}`);
        const { rows } = await client.query<CommentRow>(
          `INSERT INTO alert_comments (alert_id, author_id, body) VALUES ($1, $2, $3)
           RETURNING id, alert_id, author_id, $4::text AS author_username, body, created_at`,
          [alertId, principal.id, request.body.body, principal.username],
        );
        await app.audit(
          { actor: principal, action: 'alert.comment', targetType: 'alert', targetId: alertId, details: { commentId: Number(rows[0].id) } },
          client,
        );
        return rows[0];
      });
      return reply.code(201).send(toComment(comment));
    },
  );
}
