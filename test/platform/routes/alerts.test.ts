// Alerts routes over a real PostgreSQL with the small seed (1,000 alerts): list with filters and
// cursor paging, detail, update, bulk update, comments; 400/401/403/404 paths. Status, payload, database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, login, bearer, startDatabase } from '../helper.ts';
import type { ErrorBody } from '../helper.ts';
import type { Db } from '../../../platform/db/pool.ts';

type Alert = { id: number; ruleId: number; ruleName: string; severity: string; status: string; assigneeId: number | null; incidentId: number | null; createdAt: string; detectionLatencyMs: number };
type Page<T> = { items: T[]; nextCursor: string | null };

async function userId(db: Db, username: string): Promise<number> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [username]);
  return Number(rows[0].id);
}

async function someAlertIds(db: Db, n: number, where = 'true'): Promise<number[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM alerts WHERE ${where} ORDER BY id DESC LIMIT ${n}`);
  return rows.map((r) => Number(r.id));
}

async function allPages(app: FastifyInstance, token: string, query: string): Promise<Alert[]> {
  const items: Alert[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i += 1) {
    const url: string = `/api/v1/alerts?${query}&limit=200${cursor === null ? '' : `&cursor=${cursor}`}`;
    const response = await app.inject({ method: 'GET', url, headers: bearer(token) });
    assert.equal(response.statusCode, 200, response.body);
    const page = response.json<Page<Alert>>();
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  return items;
}

test('GET /alerts lists newest first and filters by status, severity, rule, assignee and time', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'analyst01', 'analyst-demo-pass');
  const first = await app.inject({ method: 'GET', url: '/api/v1/alerts?limit=20', headers: bearer(token) });
  assert.equal(first.statusCode, 200);
  const page = first.json<Page<Alert>>();
  assert.equal(page.items.length, 20);
  assert.equal(typeof page.nextCursor, 'string');
  const times = page.items.map((a) => Date.parse(a.createdAt));
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
  assert.ok(page.items.every((a) => typeof a.ruleName === 'string' && typeof a.detectionLatencyMs === 'number'));

  const critical = await allPages(app, token, 'severity=critical&status=new');
  const expected = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM alerts WHERE severity = 'critical' AND status = 'new'");
  assert.ok(critical.length > 0);
  assert.equal(critical.length, expected.rows[0].n);
  assert.equal(new Set(critical.map((a) => a.id)).size, critical.length, 'no alert appears twice across pages');
  assert.ok(critical.every((a) => a.severity === 'critical' && a.status === 'new'));

  const { rows } = await db.query<{ rule_id: string; assignee_id: string }>('SELECT rule_id, assignee_id FROM alerts WHERE assignee_id IS NOT NULL LIMIT 1');
  const byRule = await allPages(app, token, `ruleId=${rows[0].rule_id}&assigneeId=${rows[0].assignee_id}`);
  const ruleCount = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM alerts WHERE rule_id = $1 AND assignee_id = $2', [rows[0].rule_id, rows[0].assignee_id]);
  assert.equal(byRule.length, ruleCount.rows[0].n);
  assert.ok(byRule.length > 0 && byRule.every((a) => a.ruleId === Number(rows[0].rule_id) && a.assigneeId === Number(rows[0].assignee_id)));

  const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
  const to = new Date(Date.now() - 86_400_000).toISOString();
  const ranged = await allPages(app, token, `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  const rangeCount = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM alerts WHERE created_at >= $1 AND created_at <= $2', [from, to]);
  assert.ok(ranged.length > 0);
  assert.equal(ranged.length, rangeCount.rows[0].n);
  assert.ok(ranged.every((a) => a.createdAt >= from && a.createdAt <= to));
});

test('GET /alerts: 400 for bad filters and cursors, 401 without a token, 403 for a sensor', async (t) => {
  const app = await buildTestApp(t);
  const token = await login(app, 'analyst01', 'analyst-demo-pass');
  for (const query of ['status=open', 'severity=huge', 'ruleId=abc', "assigneeId=1%20OR%201=1", 'cursor=%7B%7D', 'limit=201', 'sort=id', `from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(new Date(0).toISOString())}`]) {
    const response = await app.inject({ method: 'GET', url: `/api/v1/alerts?${query}`, headers: bearer(token) });
    assert.equal(response.statusCode, 400, query);
    assert.equal(response.json<ErrorBody>().error, 'validation');
  }
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/alerts' })).statusCode, 401);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/alerts', headers: { 'x-api-key': 'demo-sensor-key-01' } })).statusCode, 403);
});

test('GET /alerts/:id shows the rule, related events, comment count and detection latency; 404 when missing', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'analyst02', 'analyst-demo-pass');
  const { rows } = await db.query<{ id: string; detection_latency_ms: number; name: string; events: number; comments: number }>(
    `SELECT a.id, a.detection_latency_ms, r.name,
            (SELECT count(*)::int FROM alert_events ae WHERE ae.alert_id = a.id) AS events,
            (SELECT count(*)::int FROM alert_comments c WHERE c.alert_id = a.id) AS comments
       FROM alerts a JOIN rules r ON r.id = a.rule_id
      WHERE EXISTS (SELECT 1 FROM alert_comments c WHERE c.alert_id = a.id) LIMIT 1`,
  );
  const row = rows[0];
  const response = await app.inject({ method: 'GET', url: `/api/v1/alerts/${row.id}`, headers: bearer(token) });
  assert.equal(response.statusCode, 200);
  const alert = response.json<Alert & { events: Array<{ id: number }>; commentsCount: number; technique: string | null }>();
  assert.equal(alert.id, Number(row.id));
  assert.equal(alert.ruleName, row.name);
  assert.equal(alert.detectionLatencyMs, row.detection_latency_ms);
  assert.equal(alert.events.length, Math.min(row.events, 100));
  assert.equal(alert.commentsCount, row.comments);
  const missing = await app.inject({ method: 'GET', url: '/api/v1/alerts/987654321', headers: bearer(token) });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<ErrorBody>().error, 'not_found');
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/alerts/0', headers: bearer(token) })).statusCode, 400);
});

test('PATCH /alerts/:id changes status and assignee and writes an audit entry', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'analyst03', 'analyst-demo-pass');
  const [id] = await someAlertIds(db, 1, "status = 'new' AND incident_id IS NULL");
  const assignee = await userId(db, 'analyst05');
  const response = await app.inject({ method: 'PATCH', url: `/api/v1/alerts/${id}`, headers: bearer(token), payload: { status: 'acknowledged', assigneeId: assignee } });
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json<Alert>();
  assert.equal(body.status, 'acknowledged');
  assert.equal(body.assigneeId, assignee);
  const stored = await db.query<{ status: string; assignee_id: string }>('SELECT status, assignee_id FROM alerts WHERE id = $1', [id]);
  assert.deepEqual(stored.rows[0], { status: 'acknowledged', assignee_id: String(assignee) });
  const audit = await db.query<{ actor_id: string; details: { before: { status: string } } }>(
    "SELECT actor_id, details FROM audit_log WHERE action = 'alert.update' AND target_id = $1 ORDER BY id DESC LIMIT 1",
    [String(id)],
  );
  assert.equal(Number(audit.rows[0].actor_id), await userId(db, 'analyst03'));
  assert.equal(audit.rows[0].details.before.status, 'new');

  const unassigned = await app.inject({ method: 'PATCH', url: `/api/v1/alerts/${id}`, headers: bearer(token), payload: { assigneeId: null } });
  assert.equal(unassigned.statusCode, 200);
  assert.equal(unassigned.json<Alert>().assigneeId, null);
  assert.equal(unassigned.json<Alert>().status, 'acknowledged');
});

test('PATCH /alerts/:id: 400 for bad bodies or an unknown assignee (nothing changes), 404, 401, 403', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'analyst03', 'analyst-demo-pass');
  const [id] = await someAlertIds(db, 1);
  const before = await db.query('SELECT status, assignee_id, updated_at FROM alerts WHERE id = $1', [id]);
  for (const payload of [{}, { status: 'done' }, { status: 'resolved', colour: 'red' }, { assigneeId: 'me' }, { status: 'resolved', assigneeId: 99_999_999 }]) {
    const response = await app.inject({ method: 'PATCH', url: `/api/v1/alerts/${id}`, headers: bearer(token), payload });
    assert.equal(response.statusCode, 400, JSON.stringify(payload));
    assert.equal(response.json<ErrorBody>().error, 'validation');
  }
  const afterBad = await db.query('SELECT status, assignee_id, updated_at FROM alerts WHERE id = $1', [id]);
  assert.deepEqual(afterBad.rows[0], before.rows[0]);
  assert.equal((await app.inject({ method: 'PATCH', url: '/api/v1/alerts/987654321', headers: bearer(token), payload: { status: 'resolved' } })).statusCode, 404);
  assert.equal((await app.inject({ method: 'PATCH', url: `/api/v1/alerts/${id}`, payload: { status: 'resolved' } })).statusCode, 401);
  assert.equal((await app.inject({ method: 'PATCH', url: `/api/v1/alerts/${id}`, headers: { 'x-api-key': 'demo-sensor-key-01' }, payload: { status: 'resolved' } })).statusCode, 403);
});

test('POST /alerts/bulk updates existing alerts, skips unknown ids, audits once; 400 without a change', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'analyst04', 'analyst-demo-pass');
  const ids = await someAlertIds(db, 3, "status <> 'false_positive'");
  const response = await app.inject({ method: 'POST', url: '/api/v1/alerts/bulk', headers: bearer(token), payload: { ids: [...ids, 987654321], status: 'false_positive' } });
  assert.equal(response.statusCode, 200, response.body);
  assert.deepEqual(response.json(), { updated: 3 });
  const stored = await db.query<{ status: string }>('SELECT status FROM alerts WHERE id = ANY($1::bigint[])', [ids]);
  assert.deepEqual(stored.rows.map((r) => r.status), ['false_positive', 'false_positive', 'false_positive']);
  const audit = await db.query<{ details: { ids: number[] } }>("SELECT details FROM audit_log WHERE action = 'alert.bulk_update' ORDER BY id DESC LIMIT 1");
  assert.deepEqual([...audit.rows[0].details.ids].sort(), [...ids].sort());
  for (const payload of [{ ids }, { ids: [], status: 'resolved' }, { ids: [1, 1], status: 'resolved' }, { ids, status: 'resolved', extra: true }, { ids, assigneeId: 99_999_999 }]) {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/alerts/bulk', headers: bearer(token), payload });
    assert.equal(bad.statusCode, 400, JSON.stringify(payload));
  }
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/alerts/bulk', payload: { ids, status: 'new' } })).statusCode, 401);
});

test('alert comments: POST creates one (201, audited), GET lists them oldest first with paging; 404 and 400', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'analyst06', 'analyst-demo-pass');
  const [id] = await someAlertIds(db, 1, 'NOT EXISTS (SELECT 1 FROM alert_comments c WHERE c.alert_id = alerts.id)');
  const bodies = ['first look: brute force from a scanner', 'blocked at the firewall', 'closing'];
  for (const body of bodies) {
    const created = await app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/comments`, headers: bearer(token), payload: { body } });
    assert.equal(created.statusCode, 201, created.body);
    const comment = created.json<{ alertId: number; authorUsername: string; body: string }>();
    assert.equal(comment.alertId, id);
    assert.equal(comment.authorUsername, 'analyst06');
    assert.equal(comment.body, body);
  }
  const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_comments WHERE alert_id = $1', [id]);
  assert.equal(stored.rows[0].n, 3);
  const audited = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'alert.comment' AND target_id = $1", [String(id)]);
  assert.equal(audited.rows[0].n, 3);

  const page1 = await app.inject({ method: 'GET', url: `/api/v1/alerts/${id}/comments?limit=2`, headers: bearer(token) });
  assert.equal(page1.statusCode, 200);
  const p1 = page1.json<Page<{ body: string }>>();
  assert.deepEqual(p1.items.map((c) => c.body), bodies.slice(0, 2));
  const page2 = await app.inject({ method: 'GET', url: `/api/v1/alerts/${id}/comments?limit=2&cursor=${p1.nextCursor}`, headers: bearer(token) });
  assert.deepEqual(page2.json<Page<{ body: string }>>().items.map((c) => c.body), bodies.slice(2));
  assert.equal(page2.json<Page<{ body: string }>>().nextCursor, null);

  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/alerts/987654321/comments', headers: bearer(token) })).statusCode, 404);
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/alerts/987654321/comments', headers: bearer(token), payload: { body: 'x' } })).statusCode, 404);
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/comments`, headers: bearer(token), payload: { body: '' } })).statusCode, 400);
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/comments`, payload: { body: 'x' } })).statusCode, 401);
  assert.equal((await app.inject({ method: 'GET', url: `/api/v1/alerts/${id}/comments`, headers: { 'x-api-key': 'demo-sensor-key-01' } })).statusCode, 403);
  const unchanged = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_comments WHERE alert_id = $1', [id]);
  assert.equal(unchanged.rows[0].n, 3);
});

test('every alerts route: 401 without credentials, 403 for a sensor', async (t) => {
  const app = await buildTestApp(t);
  const sensor = { 'x-api-key': 'demo-sensor-key-01' };
  const routes: Array<{ method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: object }> = [
    { method: 'GET', url: '/api/v1/alerts' },
    { method: 'GET', url: '/api/v1/alerts/1' },
    { method: 'PATCH', url: '/api/v1/alerts/1', payload: { status: 'resolved' } },
    { method: 'POST', url: '/api/v1/alerts/bulk', payload: { ids: [1], status: 'resolved' } },
    { method: 'GET', url: '/api/v1/alerts/1/comments' },
    { method: 'POST', url: '/api/v1/alerts/1/comments', payload: { body: 'x' } },
  ];
  for (const route of routes) {
    const anonymous = await app.inject({ method: route.method, url: route.url, payload: route.payload });
    assert.equal(anonymous.statusCode, 401, `${route.method} ${route.url}`);
    const wrong = await app.inject({ method: route.method, url: route.url, headers: sensor, payload: route.payload });
    assert.equal(wrong.statusCode, 403, `${route.method} ${route.url}`);
    assert.equal(wrong.json<ErrorBody>().error, 'forbidden');
  }
});
