// Domain service: app.incidentsRepository, all the SQL on incidents (and on the alerts they group).
// Creating and changing run in one transaction with their audit row (incident.create,
// incident.update). Incidents are also opened automatically by correlation
// (platform/detection/correlation.ts).
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { DETAIL_ALERTS, type IncidentDetail, type IncidentItem } from '../../../domain/incident.ts';
import type { IncidentStatus, Severity } from '../../../domain/vocabulary.ts';
import { badRequest, conflict } from '../../../errors.ts';
import { pageOf, type Page } from '../../../lib/pagination.ts';
import { cursorTime, Filter, type Queryable } from '../../../lib/sql.ts';
import type { Principal } from '../../../types.ts';
import { alertsOfIncident, checkAssignee } from '../alerts/alerts-repository.ts';

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

const idOrNull = (v: string | null): number | null => (v === null ? null : Number(v));

const toIncident = (r: IncidentRow): IncidentItem => ({
  id: Number(r.id),
  title: r.title,
  status: r.status,
  severity: r.severity,
  assigneeId: idOrNull(r.assignee_id),
  correlationKey: r.correlation_key,
  summary: r.summary,
  alertCount: r.alert_count,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

async function detailById(db: Queryable, incidentId: number): Promise<IncidentDetail | undefined> {
  const { rows } = await db.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents i WHERE i.id = $1`, [incidentId]);
  if (rows.length === 0) return undefined;
  return { ...toIncident(rows[0]), alerts: await alertsOfIncident(db, incidentId, DETAIL_ALERTS) };
}

export type IncidentFilters = { status?: IncidentStatus; severity?: Severity; limit: number; cursor?: { t: string; id: number } };
export type NewIncident = { title: string; severity: Severity; alertIds: readonly number[]; summary?: string };
export type IncidentChanges = { status?: IncidentStatus; assigneeId?: number | null; summary?: string; title?: string; severity?: Severity };

function createIncidentsRepository(app: FastifyInstance) {
  const db = app.db;
  return {
    async list(q: IncidentFilters): Promise<Page<IncidentItem>> {
      const f = new Filter().equals('i.status', q.status).equals('i.severity', q.severity).before('i.created_at', 'i.id', q.cursor);
      const limit = f.param(q.limit + 1);
      const { rows } = await db.query<IncidentRow & { cursor_t: string }>(
        `SELECT ${INCIDENT_COLUMNS}, ${cursorTime('i.created_at')} AS cursor_t
           FROM incidents i
          ${f.where()}
          ORDER BY i.created_at DESC, i.id DESC
          LIMIT ${limit}`,
        f.params,
      );
      return pageOf(rows, q.limit, toIncident, (r) => ({ t: r.cursor_t, id: Number(r.id) }));
    },

    detail: (incidentId: number): Promise<IncidentDetail | undefined> => detailById(db, incidentId),

    /** Opens an incident over existing alerts: 400 when one does not exist, 409 when one is already in an incident. */
    async create(incident: NewIncident, actor: Principal): Promise<IncidentDetail> {
      return db.transaction(async (client) => {
        const found = await client.query<{ id: string; incident_id: string | null }>(
          'SELECT id, incident_id FROM alerts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE',
          [incident.alertIds],
        );
        const present = new Set(found.rows.map((r) => Number(r.id)));
        const missing = incident.alertIds.filter((alertId) => !present.has(alertId));
        if (missing.length > 0) throw badRequest(`alert(s) ${missing.slice(0, 10).join(', ')} do not exist; pass ids of existing alerts`);
        const taken = found.rows.filter((r) => r.incident_id !== null);
        if (taken.length > 0) {
          throw conflict(`alert(s) ${taken.slice(0, 10).map((r) => `${r.id} (incident ${String(r.incident_id)})`).join(', ')} already belong to an incident`);
        }
        const inserted = await client.query<{ id: string }>(
          'INSERT INTO incidents (title, severity, summary) VALUES ($1, $2, $3) RETURNING id',
          [incident.title, incident.severity, incident.summary ?? ''],
        );
        const incidentId = Number(inserted.rows[0].id);
        await client.query('UPDATE alerts SET incident_id = $1, updated_at = now() WHERE id = ANY($2::bigint[])', [incidentId, incident.alertIds]);
        await app.audit(
          { actor, action: 'incident.create', targetType: 'incident', targetId: incidentId, details: { alertIds: incident.alertIds } },
          client,
        );
        const created = await detailById(client, incidentId);
        if (created === undefined) throw new Error(`incident ${incidentId} is missing inside the transaction that created it`);
        return created;
      });
    },

    async update(incidentId: number, changes: IncidentChanges, actor: Principal): Promise<IncidentDetail | undefined> {
      return db.transaction(async (client) => {
        const before = await client.query<{ status: IncidentStatus; assignee_id: string | null; severity: Severity }>(
          'SELECT status, assignee_id, severity FROM incidents WHERE id = $1 FOR UPDATE',
          [incidentId],
        );
        if (before.rows.length === 0) return undefined;
        await checkAssignee(client, changes.assigneeId);
        await client.query(
          `UPDATE incidents
              SET status = COALESCE($2, status),
                  assignee_id = CASE WHEN $3::boolean THEN $4::bigint ELSE assignee_id END,
                  summary = COALESCE($5, summary),
                  title = COALESCE($6, title),
                  severity = COALESCE($7, severity),
                  updated_at = now()
            WHERE id = $1`,
          [incidentId, changes.status ?? null, changes.assigneeId !== undefined, changes.assigneeId ?? null,
            changes.summary ?? null, changes.title ?? null, changes.severity ?? null],
        );
        const prior = before.rows[0];
        await app.audit(
          {
            actor,
            action: 'incident.update',
            targetType: 'incident',
            targetId: incidentId,
            details: { before: { status: prior.status, severity: prior.severity, assigneeId: idOrNull(prior.assignee_id) }, changes },
          },
          client,
        );
        return detailById(client, incidentId);
      });
    },
  };
}

export type IncidentsRepository = ReturnType<typeof createIncidentsRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    incidentsRepository: IncidentsRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('incidentsRepository', createIncidentsRepository(app));
  },
  { name: 'incidents-repository', fastify: '5.x', dependencies: ['db', 'audit'] },
);
