// Domain service: app.alertsRepository, all the SQL on alerts and alert_comments. Changes run in one
// transaction with their audit row (alert.update, alert.bulk_update, alert.comment). Methods answer
// `undefined` when the alert does not exist; the route turns that into a 404.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { AlertItem, CommentItem } from '../../../domain/alert.ts';
import type { EventItem } from '../../../domain/event.ts';
import type { AlertStatus, Severity } from '../../../domain/vocabulary.ts';
import { badRequest } from '../../../errors.ts';
import { pageOf, type Page } from '../../../lib/pagination.ts';
import { cursorTime, Filter, type Queryable } from '../../../lib/sql.ts';
import type { Principal, UserPrincipal } from '../../../types.ts';
import { eventsOfAlert } from '../events/events-repository.ts';

/** The SELECT list `toAlertItem` reads: alerts `a` joined with rules `r`. */
export const ALERT_COLUMNS = `a.id, a.rule_id, r.name AS rule_name, a.severity, a.status, a.title, a.host, a.username,
  host(a.src_ip) AS src_ip, a.assignee_id, a.incident_id, a.event_ingested_at, a.created_at, a.detection_latency_ms,
  a.correlated_at, a.correlation_ms, a.updated_at`;

export type AlertRow = {
  id: string;
  rule_id: string;
  rule_name: string;
  severity: Severity;
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
  detectionLatencyMs: r.detection_latency_ms,
  correlatedAt: r.correlated_at === null ? null : r.correlated_at.toISOString(),
  correlationMs: r.correlation_ms,
  updatedAt: r.updated_at.toISOString(),
});

type CommentRow = { id: string; alert_id: string; author_id: string; author_username: string; body: string; created_at: Date };
const toComment = (r: CommentRow): CommentItem => ({
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

/** An incident's alerts, oldest first (the incident detail). */
export async function alertsOfIncident(db: Queryable, incidentId: number, limit: number): Promise<AlertItem[]> {
  const { rows } = await db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts a JOIN rules r ON r.id = a.rule_id
      WHERE a.incident_id = $1 ORDER BY a.created_at, a.id LIMIT ${limit}`,
    [incidentId],
  );
  return rows.map(toAlertItem);
}

async function alertById(db: Queryable, alertId: number): Promise<AlertItem | undefined> {
  const { rows } = await db.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts a JOIN rules r ON r.id = a.rule_id WHERE a.id = $1`, [alertId]);
  return rows.length === 0 ? undefined : toAlertItem(rows[0]);
}

async function alertExists(db: Queryable, alertId: number): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM alerts WHERE id = $1', [alertId]);
  return rows.length > 0;
}

export type AlertFilters = {
  status?: AlertStatus;
  severity?: Severity;
  assigneeId?: number;
  ruleId?: number;
  incidentId?: number;
  from?: string;
  to?: string;
  limit: number;
  cursor?: { t: string; id: number };
};

/** What GET /api/v1/alerts/wait waits for: alerts matching every given filter, oldest first. */
export type AlertMatch = {
  ruleId?: number;
  srcIp?: string;
  from?: string;
  /** alert ids strictly greater than this (the last id a client has seen) */
  after?: number;
  /** only alerts automatic correlation has put in an incident */
  correlated?: boolean;
  limit: number;
};

/** What a change sets: a status, and/or an assignee (null unassigns). */
export type AlertChanges = { status?: AlertStatus; assigneeId?: number | null };

export type AlertDetail = AlertItem & { technique: string | null; events: EventItem[]; commentsCount: number };

const UPDATE_SET = `SET status = COALESCE($2, status),
                  assignee_id = CASE WHEN $3::boolean THEN $4::bigint ELSE assignee_id END,
                  updated_at = now()`;
const updateParams = (target: unknown, c: AlertChanges): unknown[] => [target, c.status ?? null, c.assigneeId !== undefined, c.assigneeId ?? null];

function createAlertsRepository(app: FastifyInstance) {
  const db = app.db;
  return {
    async list(q: AlertFilters): Promise<Page<AlertItem>> {
      const f = new Filter()
        .equals('a.status', q.status)
        .equals('a.severity', q.severity)
        .equals('a.assignee_id', q.assigneeId)
        .equals('a.rule_id', q.ruleId)
        .equals('a.incident_id', q.incidentId)
        .add((n) => `a.created_at >= ${n}`, q.from)
        .add((n) => `a.created_at <= ${n}`, q.to)
        .before('a.created_at', 'a.id', q.cursor);
      const limit = f.param(q.limit + 1);
      const { rows } = await db.query<AlertRow & { cursor_t: string }>(
        `SELECT ${ALERT_COLUMNS}, ${cursorTime('a.created_at')} AS cursor_t
           FROM alerts a JOIN rules r ON r.id = a.rule_id
          ${f.where()}
          ORDER BY a.created_at DESC, a.id DESC
          LIMIT ${limit}`,
        f.params,
      );
      return pageOf(rows, q.limit, toAlertItem, (r) => ({ t: r.cursor_t, id: Number(r.id) }));
    },

    /** Alerts matching `q`, oldest first (by id), at most q.limit. */
    async matching(q: AlertMatch): Promise<AlertItem[]> {
      const f = new Filter()
        .equals('a.rule_id', q.ruleId)
        .add((n) => `a.src_ip = ${n}::inet`, q.srcIp)
        .add((n) => `a.created_at >= ${n}`, q.from)
        .add((n) => `a.id > ${n}`, q.after)
        .add((n) => `(a.correlated_at IS NOT NULL) = ${n}::boolean`, q.correlated === true ? true : undefined);
      const limit = f.param(q.limit);
      const { rows } = await db.query<AlertRow>(
        `SELECT ${ALERT_COLUMNS} FROM alerts a JOIN rules r ON r.id = a.rule_id ${f.where()} ORDER BY a.id LIMIT ${limit}`,
        f.params,
      );
      return rows.map(toAlertItem);
    },

    /** The alert with its rule's technique, its first `eventLimit` related events and its comment count. */
    async detail(alertId: number, eventLimit: number): Promise<AlertDetail | undefined> {
      const { rows } = await db.query<AlertRow & { technique: string | null; comments_count: number }>(
        `SELECT ${ALERT_COLUMNS}, r.technique,
                (SELECT count(*)::int FROM alert_comments c WHERE c.alert_id = a.id) AS comments_count
           FROM alerts a JOIN rules r ON r.id = a.rule_id
          WHERE a.id = $1`,
        [alertId],
      );
      if (rows.length === 0) return undefined;
      const row = rows[0];
      const events = await eventsOfAlert(db, alertId, eventLimit);
      return { ...toAlertItem(row), technique: row.technique, events, commentsCount: row.comments_count };
    },

    async update(alertId: number, changes: AlertChanges, actor: Principal): Promise<AlertItem | undefined> {
      return db.transaction(async (client) => {
        const before = await client.query<{ status: AlertStatus; assignee_id: string | null }>(
          'SELECT status, assignee_id FROM alerts WHERE id = $1 FOR UPDATE',
          [alertId],
        );
        if (before.rows.length === 0) return undefined;
        await checkAssignee(client, changes.assigneeId);
        await client.query(`UPDATE alerts ${UPDATE_SET} WHERE id = $1`, updateParams(alertId, changes));
        const prior = before.rows[0];
        await app.audit(
          {
            actor,
            action: 'alert.update',
            targetType: 'alert',
            targetId: alertId,
            details: { before: { status: prior.status, assigneeId: idOrNull(prior.assignee_id) }, changes },
          },
          client,
        );
        return alertById(client, alertId);
      });
    },

    /** Applies the same change to many alerts; ids that do not exist are skipped. Returns how many changed. */
    async bulkUpdate(ids: readonly number[], changes: AlertChanges, actor: Principal): Promise<number> {
      return db.transaction(async (client) => {
        await checkAssignee(client, changes.assigneeId);
        const result = await client.query<{ id: string }>(
          `UPDATE alerts ${UPDATE_SET} WHERE id = ANY($1::bigint[]) RETURNING id`,
          updateParams(ids, changes),
        );
        const updated = result.rows.map((r) => Number(r.id));
        await app.audit(
          { actor, action: 'alert.bulk_update', targetType: 'alert', details: { ids: updated, status: changes.status, assigneeId: changes.assigneeId } },
          client,
        );
        return updated.length;
      });
    },

    /** Comments after the comment id `afterId`, oldest first. */
    async comments(alertId: number, limit: number, afterId: number): Promise<Page<CommentItem> | undefined> {
      if (!(await alertExists(db, alertId))) return undefined;
      const { rows } = await db.query<CommentRow>(
        `SELECT c.id, c.alert_id, c.author_id, u.username AS author_username, c.body, c.created_at
           FROM alert_comments c JOIN users u ON u.id = c.author_id
          WHERE c.alert_id = $1 AND c.id > $2
          ORDER BY c.id
          LIMIT $3`,
        [alertId, afterId, limit + 1],
      );
      return pageOf(rows, limit, toComment, (r) => ({ id: Number(r.id) }));
    },

    async addComment(alertId: number, author: UserPrincipal, body: string): Promise<CommentItem | undefined> {
      return db.transaction(async (client) => {
        if (!(await alertExists(client, alertId))) return undefined;
        const { rows } = await client.query<CommentRow>(
          `INSERT INTO alert_comments (alert_id, author_id, body) VALUES ($1, $2, $3)
           RETURNING id, alert_id, author_id, $4::text AS author_username, body, created_at`,
          [alertId, author.id, body, author.username],
        );
        await app.audit(
          { actor: author, action: 'alert.comment', targetType: 'alert', targetId: alertId, details: { commentId: Number(rows[0].id) } },
          client,
        );
        return toComment(rows[0]);
      });
    },
  };
}

export type AlertsRepository = ReturnType<typeof createAlertsRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    alertsRepository: AlertsRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('alertsRepository', createAlertsRepository(app));
  },
  { name: 'alerts-repository', fastify: '5.x', dependencies: ['db', 'audit'] },
);
