// Admin rules routes over a real PostgreSQL: CRUD for admins only, params validated per rule kind,
// every change audited, rules with alerts cannot be deleted. Status, payload, database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { buildTestApp, login, bearer, startDatabase } from '../helper.ts';
import { DEFAULT_RULES } from '../../../platform/detection/rules-seed.ts';

type Rule = { id: number; name: string; kind: string; severity: string; technique: string | null; params: Record<string, unknown>; enabled: boolean };
type Page<T> = { items: T[]; nextCursor: string | null };

test('GET /admin/rules lists the default rules to an admin, by id, with paging', async (t) => {
  const app = await buildTestApp(t);
  const token = await login(app, 'admin', 'admin-demo-pass');
  const first = await app.inject({ method: 'GET', url: '/api/v1/admin/rules?limit=3', headers: bearer(token) });
  assert.equal(first.statusCode, 200);
  const page = first.json<Page<Rule>>();
  assert.equal(page.items.length, 3);
  const rest = await app.inject({ method: 'GET', url: `/api/v1/admin/rules?limit=200&cursor=${page.nextCursor}`, headers: bearer(token) });
  const all = [...page.items, ...(rest.json<Page<Rule>>()).items];
  const names = all.map((r) => r.name);
  for (const rule of DEFAULT_RULES) assert.ok(names.includes(rule.name), rule.name);
  const ids = all.map((r) => r.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  const brute = all.find((r) => r.name === 'Brute-force login');
  assert.ok(brute !== undefined, 'the default brute-force rule is listed');
  assert.deepEqual(brute.params, { threshold: 10, windowSeconds: 300, dedupWindowSeconds: 3600 });
  assert.equal(brute.technique, 'T1110');
});

test('rules are admin only: 401 without a token, 403 for an analyst and a sensor', async (t) => {
  const app = await buildTestApp(t);
  const analyst = await login(app, 'analyst01', 'analyst-demo-pass');
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/admin/rules' })).statusCode, 401);
  const forbidden = await app.inject({ method: 'GET', url: '/api/v1/admin/rules', headers: bearer(analyst) });
  assert.equal(forbidden.statusCode, 403);
  assert.equal(forbidden.json<{ error: string }>().error, 'forbidden');
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/admin/rules', headers: bearer(analyst), payload: { name: 'x', kind: 'pattern', severity: 'low', params: {} } })).statusCode, 403);
  assert.equal((await app.inject({ method: 'DELETE', url: '/api/v1/admin/rules/1', headers: { 'x-api-key': 'demo-sensor-key-01' } })).statusCode, 403);
});

test('POST /admin/rules creates a rule with normalised params (201, audited); GET /admin/rules/:id reads it', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'admin', 'admin-demo-pass');
  const name = `Password spraying ${randomUUID().slice(0, 6)}`;
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/admin/rules',
    headers: bearer(token),
    payload: { name, description: 'many failures from one source', kind: 'brute_force', severity: 'medium', technique: 'T1110.003', params: { threshold: 30, windowSeconds: 600 } },
  });
  assert.equal(created.statusCode, 201, created.body);
  const rule = created.json<Rule>();
  assert.equal(rule.name, name);
  assert.equal(rule.enabled, true);
  assert.deepEqual(rule.params, { threshold: 30, windowSeconds: 600, dedupWindowSeconds: 3600 });
  const stored = await db.query<{ kind: string; params: Record<string, unknown> }>('SELECT kind, params FROM rules WHERE id = $1', [rule.id]);
  assert.equal(stored.rows[0].kind, 'brute_force');
  assert.deepEqual(stored.rows[0].params, rule.params);
  const audit = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'rule.create' AND target_id = $1", [String(rule.id)]);
  assert.equal(audit.rows[0].n, 1);
  const read = await app.inject({ method: 'GET', url: `/api/v1/admin/rules/${rule.id}`, headers: bearer(token) });
  assert.equal(read.statusCode, 200);
  assert.deepEqual(read.json(), rule);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/admin/rules/987654321', headers: bearer(token) })).statusCode, 404);
});

test('POST /admin/rules: 400 for params that do not fit the kind, 409 for a duplicate name; nothing stored', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'admin', 'admin-demo-pass');
  const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rules')).rows[0].n;
  const before = await count();
  const cases: Array<[string, object]> = [
    ['missing threshold', { kind: 'brute_force', params: { windowSeconds: 60 } }],
    ['threshold too small', { kind: 'brute_force', params: { threshold: 1, windowSeconds: 60 } }],
    ['unknown param', { kind: 'impossible_travel', params: { windowMinutes: 30, speedKmh: 900 } }],
    ['bad pattern field', { kind: 'pattern', params: { field: 'password', value: 'x' } }],
    ['empty pattern value', { kind: 'pattern', params: { field: 'process', value: '' } }],
    ['bad indicator field', { kind: 'indicator_match', params: { fields: ['url'] } }],
    ['unknown kind', { kind: 'anomaly', params: {} }],
  ];
  for (const [what, part] of cases) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/admin/rules', headers: bearer(token), payload: { name: `bad ${what}`, severity: 'low', ...part } });
    assert.equal(response.statusCode, 400, what);
    assert.equal(response.json<{ error: string }>().error, 'validation', what);
  }
  const badTechnique = await app.inject({ method: 'POST', url: '/api/v1/admin/rules', headers: bearer(token), payload: { name: 'bad technique', severity: 'low', kind: 'indicator_match', technique: 'DROP TABLE', params: {} } });
  assert.equal(badTechnique.statusCode, 400);
  const duplicate = await app.inject({ method: 'POST', url: '/api/v1/admin/rules', headers: bearer(token), payload: { name: 'Impossible travel', severity: 'low', kind: 'impossible_travel', params: { windowMinutes: 5 } } });
  assert.equal(duplicate.statusCode, 409);
  assert.equal(duplicate.json<{ error: string }>().error, 'conflict');
  assert.equal(await count(), before);
});

test('PATCH /admin/rules/:id updates fields and validates params against the rule\'s kind (audited)', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'admin', 'admin-demo-pass');
  const created = await app.inject({ method: 'POST', url: '/api/v1/admin/rules', headers: bearer(token), payload: { name: `Tor exit ${randomUUID().slice(0, 6)}`, kind: 'pattern', severity: 'low', params: { field: 'domain', op: 'ends_with', value: '.onion' } } });
  const rule = created.json<Rule>();
  const patched = await app.inject({ method: 'PATCH', url: `/api/v1/admin/rules/${rule.id}`, headers: bearer(token), payload: { severity: 'high', enabled: false, technique: null, params: { field: 'domain', op: 'contains', value: 'onion' } } });
  assert.equal(patched.statusCode, 200, patched.body);
  const body = patched.json<Rule>();
  assert.equal(body.severity, 'high');
  assert.equal(body.enabled, false);
  assert.equal(body.params.op, 'contains');
  const stored = await db.query<{ severity: string; enabled: boolean }>('SELECT severity, enabled FROM rules WHERE id = $1', [rule.id]);
  assert.deepEqual(stored.rows[0], { severity: 'high', enabled: false });
  const audit = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'rule.update' AND target_id = $1", [String(rule.id)]);
  assert.equal(audit.rows[0].n, 1);
  for (const payload of [{}, { kind: 'brute_force' }, { params: { threshold: 5, windowSeconds: 60 } }, { severity: 'extreme' }]) {
    const bad = await app.inject({ method: 'PATCH', url: `/api/v1/admin/rules/${rule.id}`, headers: bearer(token), payload });
    assert.equal(bad.statusCode, 400, JSON.stringify(payload));
  }
  const renamed = await app.inject({ method: 'PATCH', url: `/api/v1/admin/rules/${rule.id}`, headers: bearer(token), payload: { name: 'Brute-force login' } });
  assert.equal(renamed.statusCode, 409);
  assert.equal((await app.inject({ method: 'PATCH', url: '/api/v1/admin/rules/987654321', headers: bearer(token), payload: { enabled: true } })).statusCode, 404);
});

test('DELETE /admin/rules/:id removes an unused rule (204, audited); 409 for a rule with alerts; 404', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'admin', 'admin-demo-pass');
  const created = await app.inject({ method: 'POST', url: '/api/v1/admin/rules', headers: bearer(token), payload: { name: `Temp ${randomUUID().slice(0, 6)}`, kind: 'impossible_travel', severity: 'low', params: { windowMinutes: 10 } } });
  const rule = created.json<Rule>();
  const deleted = await app.inject({ method: 'DELETE', url: `/api/v1/admin/rules/${rule.id}`, headers: bearer(token) });
  assert.equal(deleted.statusCode, 204);
  assert.equal(deleted.body, '');
  assert.equal((await db.query('SELECT 1 FROM rules WHERE id = $1', [rule.id])).rows.length, 0);
  const audit = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'rule.delete' AND target_id = $1", [String(rule.id)]);
  assert.equal(audit.rows[0].n, 1);
  const used = await db.query<{ rule_id: string }>('SELECT rule_id FROM alerts LIMIT 1');
  const refused = await app.inject({ method: 'DELETE', url: `/api/v1/admin/rules/${used.rows[0].rule_id}`, headers: bearer(token) });
  assert.equal(refused.statusCode, 409);
  assert.match(refused.json<{ message: string }>().message, /disable/);
  assert.equal((await db.query('SELECT 1 FROM rules WHERE id = $1', [used.rows[0].rule_id])).rows.length, 1);
  assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/admin/rules/${rule.id}`, headers: bearer(token) })).statusCode, 404);
});

test('every rules route: 401 without credentials, 403 for an analyst', async (t) => {
  const app = await buildTestApp(t);
  const analyst = bearer(await login(app, 'analyst02', 'analyst-demo-pass'));
  const routes: Array<{ method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: object }> = [
    { method: 'GET', url: '/api/v1/admin/rules' },
    { method: 'POST', url: '/api/v1/admin/rules', payload: { name: 'x', kind: 'pattern', severity: 'low', params: { field: 'process', value: 'x' } } },
    { method: 'GET', url: '/api/v1/admin/rules/1' },
    { method: 'PATCH', url: '/api/v1/admin/rules/1', payload: { enabled: false } },
    { method: 'DELETE', url: '/api/v1/admin/rules/1' },
  ];
  for (const route of routes) {
    const anonymous = await app.inject({ method: route.method, url: route.url, payload: route.payload });
    assert.equal(anonymous.statusCode, 401, `${route.method} ${route.url}`);
    const wrong = await app.inject({ method: route.method, url: route.url, headers: analyst, payload: route.payload });
    assert.equal(wrong.statusCode, 403, `${route.method} ${route.url}`);
    assert.equal(wrong.json<{ error: string }>().error, 'forbidden');
  }
});
