// Incidents routes over a real PostgreSQL with the small seed: create from alerts (400 unknown,
// 409 already grouped, nothing stored), list with filters and paging, detail, update; 401/403/404.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, login, bearer, startDatabase } from '../helper.ts';
import type { ErrorBody } from '../helper.ts';
import type { Db } from '../../../platform/db/pool.ts';

type Incident = { id: number; title: string; status: string; severity: string; assigneeId: number | null; summary: string; alertCount: number; correlationKey: string | null; alerts: Array<{ id: number; incidentId: number }> };
type Page<T> = { items: T[]; nextCursor: string | null };

async function freeAlerts(db: Db, n: number): Promise<number[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM alerts WHERE incident_id IS NULL ORDER BY id LIMIT ${n}`);
  return rows.map((r) => Number(r.id));
}
const incidentCount = async (db: Db): Promise<number> => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents')).rows[0].n;

test('POST /incidents groups existing alerts into a new incident (201, audited)', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'analyst07', 'analyst-demo-pass');
  const alertIds = await freeAlerts(db, 2);
  const response = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(token), payload: { title: 'Credential stuffing wave', severity: 'high', alertIds, summary: 'two related alerts' } });
  assert.equal(response.statusCode, 201, response.body);
  const incident = response.json<Incident>();
  assert.equal(incident.title, 'Credential stuffing wave');
  assert.equal(incident.status, 'open');
  assert.equal(incident.alertCount, 2);
  assert.equal(incident.correlationKey, null);
  assert.deepEqual(new Set(incident.alerts.map((a) => a.id)), new Set(alertIds));
  assert.ok(incident.alerts.every((a) => a.incidentId === incident.id));
  const stored = await db.query<{ incident_id: string }>('SELECT incident_id FROM alerts WHERE id = ANY($1::bigint[])', [alertIds]);
  assert.ok(stored.rows.every((r) => Number(r.incident_id) === incident.id));
  const audit = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'incident.create' AND target_id = $1", [String(incident.id)]);
  assert.equal(audit.rows[0].n, 1);
});

test('POST /incidents: 400 for unknown alerts or a bad body, 409 for alerts already in an incident; nothing stored', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'analyst07', 'analyst-demo-pass');
  const [free] = await freeAlerts(db, 1);
  const taken = await db.query<{ id: string }>('SELECT id FROM alerts WHERE incident_id IS NOT NULL LIMIT 1');
  const before = await incidentCount(db);
  const unknown = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(token), payload: { title: 'x', severity: 'low', alertIds: [free, 987654321] } });
  assert.equal(unknown.statusCode, 400);
  assert.match(unknown.json<ErrorBody>().message, /987654321/);
  const grouped = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(token), payload: { title: 'x', severity: 'low', alertIds: [free, Number(taken.rows[0].id)] } });
  assert.equal(grouped.statusCode, 409);
  assert.equal(grouped.json<ErrorBody>().error, 'conflict');
  for (const payload of [{ title: 'x', severity: 'low', alertIds: [] }, { title: '', severity: 'low', alertIds: [free] }, { title: 'x', severity: 'urgent', alertIds: [free] }, { title: 'x', severity: 'low', alertIds: [free], status: 'closed' }]) {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(token), payload });
    assert.equal(bad.statusCode, 400, JSON.stringify(payload));
  }
  assert.equal(await incidentCount(db), before);
  const still = await db.query<{ incident_id: string | null }>('SELECT incident_id FROM alerts WHERE id = $1', [free]);
  assert.equal(still.rows[0].incident_id, null);
});

test('GET /incidents lists newest first with status/severity filters and cursor paging; GET /incidents/:id shows its alerts', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'analyst08', 'analyst-demo-pass');
  const all: Incident[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i += 1) {
    const url: string = `/api/v1/incidents?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`;
    const response = await app.inject({ method: 'GET', url, headers: bearer(token) });
    assert.equal(response.statusCode, 200);
    const page = response.json<Page<Incident>>();
    all.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  assert.equal(all.length, await incidentCount(db));
  assert.equal(new Set(all.map((i) => i.id)).size, all.length);
  const open = await app.inject({ method: 'GET', url: '/api/v1/incidents?status=open&severity=high', headers: bearer(token) });
  assert.equal(open.statusCode, 200);
  const openItems = open.json<Page<Incident>>().items;
  const openCount = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM incidents WHERE status = 'open' AND severity = 'high'");
  assert.equal(openItems.length, Math.min(50, openCount.rows[0].n));
  assert.ok(openItems.every((i) => i.status === 'open' && i.severity === 'high'));

  const withAlerts = all.find((i) => i.alertCount > 0);
  assert.ok(withAlerts !== undefined, 'the seed has an incident with alerts');
  const detail = await app.inject({ method: 'GET', url: `/api/v1/incidents/${withAlerts.id}`, headers: bearer(token) });
  assert.equal(detail.statusCode, 200);
  const body = detail.json<Incident>();
  assert.equal(body.alerts.length, Math.min(500, withAlerts.alertCount));
  assert.ok(body.alerts.every((a) => a.incidentId === withAlerts.id));
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/incidents/987654321', headers: bearer(token) })).statusCode, 404);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/incidents?status=pending', headers: bearer(token) })).statusCode, 400);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/incidents?cursor=abc', headers: bearer(token) })).statusCode, 400);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/incidents' })).statusCode, 401);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/incidents', headers: { 'x-api-key': 'demo-sensor-key-01' } })).statusCode, 403);
});

test('PATCH /incidents/:id updates status, assignee and summary (audited); 400, 404, 401', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'admin', 'admin-demo-pass');
  const { rows } = await db.query<{ id: string }>('SELECT id FROM incidents ORDER BY id LIMIT 1');
  const id = Number(rows[0].id);
  const assignee = Number((await db.query<{ id: string }>("SELECT id FROM users WHERE username = 'analyst09'")).rows[0].id);
  const response = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: bearer(token), payload: { status: 'contained', assigneeId: assignee, summary: 'isolated the host' } });
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json<Incident>();
  assert.equal(body.status, 'contained');
  assert.equal(body.assigneeId, assignee);
  assert.equal(body.summary, 'isolated the host');
  const stored = await db.query<{ status: string; assignee_id: string; summary: string }>('SELECT status, assignee_id, summary FROM incidents WHERE id = $1', [id]);
  assert.deepEqual(stored.rows[0], { status: 'contained', assignee_id: String(assignee), summary: 'isolated the host' });
  const audit = await db.query<{ actor_kind: string; details: { changes: { status: string } } }>(
    "SELECT actor_kind, details FROM audit_log WHERE action = 'incident.update' AND target_id = $1 ORDER BY id DESC LIMIT 1",
    [String(id)],
  );
  assert.equal(audit.rows[0].actor_kind, 'user');
  assert.equal(audit.rows[0].details.changes.status, 'contained');
  for (const payload of [{}, { status: 'solved' }, { assigneeId: 99_999_999 }, { alertIds: [1] }]) {
    const bad = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: bearer(token), payload });
    assert.equal(bad.statusCode, 400, JSON.stringify(payload));
  }
  const unchanged = await db.query('SELECT status, assignee_id, summary FROM incidents WHERE id = $1', [id]);
  assert.deepEqual(unchanged.rows[0], stored.rows[0]);
  assert.equal((await app.inject({ method: 'PATCH', url: '/api/v1/incidents/987654321', headers: bearer(token), payload: { status: 'closed' } })).statusCode, 404);
  assert.equal((await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, payload: { status: 'closed' } })).statusCode, 401);
});

test('every incidents route: 401 without credentials, 403 for a sensor', async (t) => {
  const app = await buildTestApp(t);
  const sensor = { 'x-api-key': 'demo-sensor-key-01' };
  const routes: Array<{ method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: object }> = [
    { method: 'GET', url: '/api/v1/incidents' },
    { method: 'POST', url: '/api/v1/incidents', payload: { title: 'x', severity: 'low', alertIds: [1] } },
    { method: 'GET', url: '/api/v1/incidents/1' },
    { method: 'PATCH', url: '/api/v1/incidents/1', payload: { status: 'closed' } },
  ];
  for (const route of routes) {
    const anonymous = await app.inject({ method: route.method, url: route.url, payload: route.payload });
    assert.equal(anonymous.statusCode, 401, `${route.method} ${route.url}`);
    const wrong = await app.inject({ method: route.method, url: route.url, headers: sensor, payload: route.payload });
    assert.equal(wrong.statusCode, 403, `${route.method} ${route.url}`);
    assert.equal(wrong.json<ErrorBody>().error, 'forbidden');
  }
});
