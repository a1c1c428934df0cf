// Admin routes over a real PostgreSQL: users CRUD, sensors, audit log; 401/403/400/404/409.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, bearer, freshDatabase, login, startDatabase } from '../helper.ts';
import { seed } from '../../../platform/db/seed/index.ts';
import { sha256Hex } from '../../../platform/lib/tokens.ts';
import type { FastifyInstance } from 'fastify';
import type { TestContext } from 'node:test';

type User = { id: number; username: string; email: string; displayName: string; role: string; disabled: boolean };

async function asAdmin(t: TestContext): Promise<{ app: FastifyInstance; headers: { authorization: string } }> {
  const app = await buildTestApp(t);
  return { app, headers: bearer(await login(app, 'admin', 'admin-demo-pass')) };
}

test('POST /admin/users creates a user who can log in, and records an audit entry', async (t) => {
  const { app, headers } = await asAdmin(t);
  const { db } = await startDatabase();
  const response = await app.inject({
    method: 'POST', url: '/api/v1/admin/users', headers,
    payload: { username: 'new.analyst', email: 'new.analyst@corp.example', displayName: 'New Analyst', role: 'analyst', password: 'a-long-password' },
  });
  assert.equal(response.statusCode, 201);
  const user = response.json<User>();
  assert.equal(user.username, 'new.analyst');
  assert.equal(user.role, 'analyst');
  assert.equal(user.disabled, false);
  assert.equal('password' in user || 'passwordHash' in user, false);
  const row = await db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [user.id]);
  assert.match(row.rows[0].password_hash, /^\$2[aby]\$/);
  const audit = await db.query('SELECT actor_kind, action, target_type, target_id, details FROM audit_log WHERE action = $1 AND target_id = $2', ['user.create', String(user.id)]);
  assert.equal(audit.rowCount, 1);
  assert.equal(audit.rows[0].actor_kind, 'user');
  assert.deepEqual(audit.rows[0].details, { username: 'new.analyst', role: 'analyst' });
  const token = await login(app, 'new.analyst', 'a-long-password');
  assert.ok(token.length > 0);
});

test('POST /admin/users with a duplicate username answers 409 and stores nothing more', async (t) => {
  const { app, headers } = await asAdmin(t);
  const { db } = await startDatabase();
  const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  const response = await app.inject({
    method: 'POST', url: '/api/v1/admin/users', headers,
    payload: { username: 'analyst01', email: 'someone-else@corp.example', displayName: 'Dup', role: 'analyst', password: 'a-long-password' },
  });
  assert.equal(response.statusCode, 409);
  assert.equal(response.json<{ error: string }>().error, 'conflict');
  const afterCount = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  assert.equal(afterCount.rows[0].n, before.rows[0].n);
});

test('POST /admin/users rejects bad input with 400: wrong types, unknown fields, bad role, short password', async (t) => {
  const { app, headers } = await asAdmin(t);
  const good = { username: 'valid.name', email: 'valid@corp.example', displayName: 'Valid', role: 'analyst', password: 'a-long-password' };
  const cases = [
    { ...good, role: 'root' },
    { ...good, password: 'short' },
    { ...good, email: 'not-an-email' },
    { ...good, username: 'bad name with spaces' },
    { ...good, disabled: true },
    { ...good, displayName: ['array'] },
  ];
  for (const payload of cases) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/admin/users', headers, payload });
    assert.equal(response.statusCode, 400, JSON.stringify(payload));
    assert.equal(response.json<{ error: string }>().error, 'validation');
  }
  const { db } = await startDatabase();
  const stored = await db.query("SELECT 1 FROM users WHERE username = 'valid.name'");
  assert.equal(stored.rowCount, 0);
});

test('GET /admin/users pages with a cursor, filters by role and q, and treats SQL in q as data', async (t) => {
  const { app, headers } = await asAdmin(t);
  const first = await app.inject({ method: 'GET', url: '/api/v1/admin/users?limit=20&role=analyst', headers });
  assert.equal(first.statusCode, 200);
  const page1 = first.json<{ items: Array<{ id: number; role: string }>; nextCursor: string | null }>();
  assert.equal(page1.items.length, 20);
  assert.ok(page1.items.every((u) => u.role === 'analyst'));
  assert.ok(page1.nextCursor !== null);
  const second = await app.inject({ method: 'GET', url: `/api/v1/admin/users?limit=20&role=analyst&cursor=${page1.nextCursor}`, headers });
  const page2 = second.json<{ items: Array<{ id: number }>; nextCursor: string | null }>();
  assert.equal(second.statusCode, 200);
  assert.ok(page2.items[0].id > page1.items[19].id, 'second page continues after the first');

  const search = await app.inject({ method: 'GET', url: '/api/v1/admin/users?q=analyst1', headers });
  const found = search.json<{ items: Array<{ username: string }> }>();
  assert.ok(found.items.length >= 10 && found.items.every((u) => u.username.includes('analyst1')));

  const injection = await app.inject({ method: 'GET', url: `/api/v1/admin/users?q=${encodeURIComponent("' OR 1=1; DROP TABLE users; --")}`, headers });
  assert.equal(injection.statusCode, 200);
  assert.deepEqual(injection.json(), { items: [], nextCursor: null });
  const { db } = await startDatabase();
  assert.ok(((await db.query('SELECT 1 FROM users')).rowCount ?? 0) > 0);
});

test('GET /admin/users answers 400 for a bad cursor, a bad limit or an unknown query parameter', async (t) => {
  const { app, headers } = await asAdmin(t);
  for (const query of ['cursor=not-a-cursor!', `cursor=${Buffer.from('{"id":"x"}').toString('base64url')}`, 'limit=0', 'limit=201', 'limit=abc', 'sort=username']) {
    const response = await app.inject({ method: 'GET', url: `/api/v1/admin/users?${query}`, headers });
    assert.equal(response.statusCode, 400, query);
    assert.equal(response.json<{ error: string }>().error, 'validation', query);
  }
});

test('GET /admin/users/:id answers the user, 404 for a missing one, 400 for a non-numeric id', async (t) => {
  const { app, headers } = await asAdmin(t);
  const ok = await app.inject({ method: 'GET', url: '/api/v1/admin/users/1', headers });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.json<User>().username, 'admin');
  const missing = await app.inject({ method: 'GET', url: '/api/v1/admin/users/999999', headers });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<{ error: string }>().error, 'not_found');
  const bad = await app.inject({ method: 'GET', url: '/api/v1/admin/users/abc', headers });
  assert.equal(bad.statusCode, 400);
});

test('PATCH /admin/users/:id changes role and disables; disabling revokes refresh tokens; audit records it', async (t) => {
  const database = await freshDatabase();
  await seed(database.db, 'small', { bcryptCost: 4 });
  const app = await buildTestApp(t, { database });
  const headers = bearer(await login(app, 'admin', 'admin-demo-pass'));
  const target = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'analyst12', password: 'analyst-demo-pass' } });
  const { user, refreshToken } = target.json<{ user: { id: number }; refreshToken: string }>();

  const promote = await app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${user.id}`, headers, payload: { role: 'admin', displayName: 'Promoted' } });
  assert.equal(promote.statusCode, 200);
  assert.equal(promote.json<User>().role, 'admin');
  assert.equal(promote.json<User>().displayName, 'Promoted');

  const disable = await app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${user.id}`, headers, payload: { disabled: true } });
  assert.equal(disable.statusCode, 200);
  assert.equal(disable.json<User>().disabled, true);
  const token = await database.db.query('SELECT revoked_at FROM refresh_tokens WHERE token_hash = $1', [sha256Hex(refreshToken)]);
  assert.notEqual(token.rows[0].revoked_at, null);
  const audit = await database.db.query<{ details: { changed: string[] } }>("SELECT details FROM audit_log WHERE action = 'user.update' AND target_id = $1 ORDER BY id", [String(user.id)]);
  assert.equal(audit.rowCount, 2);
  assert.deepEqual(audit.rows[1].details, { changed: ['disabled'], disabled: true });

  const empty = await app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${user.id}`, headers, payload: {} });
  assert.equal(empty.statusCode, 400);
  const missing = await app.inject({ method: 'PATCH', url: '/api/v1/admin/users/999999', headers, payload: { displayName: 'x' } });
  assert.equal(missing.statusCode, 404);
  const self = await app.inject({ method: 'PATCH', url: '/api/v1/admin/users/1', headers, payload: { disabled: true } });
  assert.equal(self.statusCode, 409);
});

test('DELETE /admin/users/:id deletes (204), then 404; an admin cannot delete themselves (409)', async (t) => {
  const { app, headers } = await asAdmin(t);
  const { db } = await startDatabase();
  const created = await app.inject({
    method: 'POST', url: '/api/v1/admin/users', headers,
    payload: { username: 'to.delete', email: 'to.delete@corp.example', displayName: 'Temp', role: 'analyst', password: 'a-long-password' },
  });
  const id = created.json<User>().id;
  const deleted = await app.inject({ method: 'DELETE', url: `/api/v1/admin/users/${id}`, headers });
  assert.equal(deleted.statusCode, 204);
  assert.equal((await db.query('SELECT 1 FROM users WHERE id = $1', [id])).rowCount, 0);
  assert.equal((await db.query("SELECT 1 FROM audit_log WHERE action = 'user.delete' AND target_id = $1", [String(id)])).rowCount, 1);
  const again = await app.inject({ method: 'DELETE', url: `/api/v1/admin/users/${id}`, headers });
  assert.equal(again.statusCode, 404);
  const self = await app.inject({ method: 'DELETE', url: '/api/v1/admin/users/1', headers });
  assert.equal(self.statusCode, 409);
});

test('POST /admin/sensors returns the API key once; the key authenticates; only its hash is stored; disabling refuses it', async (t) => {
  const { app, headers } = await asAdmin(t);
  const { db } = await startDatabase();
  const created = await app.inject({ method: 'POST', url: '/api/v1/admin/sensors', headers, payload: { name: 'edge-fw-01' } });
  assert.equal(created.statusCode, 201);
  const sensor = created.json<{ id: number; name: string; apiKey: string; disabled: boolean }>();
  assert.equal(sensor.name, 'edge-fw-01');
  assert.ok(sensor.apiKey.startsWith('sk_'));
  const row = await db.query<{ api_key_hash: string }>('SELECT api_key_hash FROM sensors WHERE id = $1', [sensor.id]);
  assert.equal(row.rows[0].api_key_hash, sha256Hex(sensor.apiKey));

  const list = await app.inject({ method: 'GET', url: '/api/v1/admin/sensors?limit=200', headers });
  assert.equal(list.statusCode, 200);
  const listed = (list.json<{ items: Array<Record<string, unknown>> }>()).items;
  assert.ok(listed.some((s) => s.name === 'edge-fw-01'));
  assert.ok(listed.every((s) => !('apiKey' in s)), 'keys are never listed');

  // The key is accepted as a sensor principal: a user route answers 403 (authenticated, wrong role).
  const asSensor = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-api-key': sensor.apiKey } });
  assert.equal(asSensor.statusCode, 403);
  // last_seen_at is written without delaying the request: wait (bounded) for it to land.
  let seen: unknown = null;
  for (let i = 0; i < 50 && seen === null; i += 1) {
    seen = (await db.query<{ last_seen_at: Date | null }>('SELECT last_seen_at FROM sensors WHERE id = $1', [sensor.id])).rows[0].last_seen_at;
    if (seen === null) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(seen instanceof Date, 'using the key records last_seen_at');
  const disabled = await app.inject({ method: 'PATCH', url: `/api/v1/admin/sensors/${sensor.id}`, headers, payload: { disabled: true } });
  assert.equal(disabled.statusCode, 200);
  assert.equal(disabled.json<User>().disabled, true);
  const refused = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-api-key': sensor.apiKey } });
  assert.equal(refused.statusCode, 401);

  const duplicate = await app.inject({ method: 'POST', url: '/api/v1/admin/sensors', headers, payload: { name: 'edge-fw-01' } });
  assert.equal(duplicate.statusCode, 409);
  const audit = await db.query("SELECT 1 FROM audit_log WHERE target_type = 'sensor' AND target_id = $1", [String(sensor.id)]);
  assert.equal(audit.rowCount, 2);
});

test('GET /admin/audit-log lists newest first, filters by action and actor, pages without gaps or repeats', async (t) => {
  const { app, headers } = await asAdmin(t);
  const { db } = await startDatabase();
  for (const name of ['audit-a', 'audit-b', 'audit-c']) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/admin/sensors', headers, payload: { name } });
    assert.equal(r.statusCode, 201);
  }
  const filtered = await app.inject({ method: 'GET', url: '/api/v1/admin/audit-log?action=sensor.create&actorId=1&limit=2', headers });
  assert.equal(filtered.statusCode, 200);
  const page1 = filtered.json<{ items: Array<{ id: number; action: string; details: { name: string }; createdAt: string }>; nextCursor: string | null }>();
  assert.equal(page1.items.length, 2);
  assert.ok(page1.items.every((e) => e.action === 'sensor.create'));
  assert.ok(page1.nextCursor !== null);

  const total = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'sensor.create' AND actor_id = 1");
  const seen = [...page1.items];
  let cursor: string | null = page1.nextCursor;
  while (cursor !== null) {
    const next: Awaited<ReturnType<typeof app.inject>> = await app.inject({ method: 'GET', url: `/api/v1/admin/audit-log?action=sensor.create&actorId=1&limit=2&cursor=${cursor}`, headers });
    assert.equal(next.statusCode, 200);
    const page = next.json<typeof page1>();
    seen.push(...page.items);
    cursor = page.nextCursor;
  }
  assert.equal(seen.length, total.rows[0].n);
  assert.equal(new Set(seen.map((e) => e.id)).size, seen.length, 'no entry repeated');
  for (let i = 1; i < seen.length; i += 1) assert.ok(seen[i - 1].createdAt >= seen[i].createdAt, 'newest first');

  const all = await app.inject({ method: 'GET', url: '/api/v1/admin/audit-log?limit=200', headers });
  assert.equal(all.statusCode, 200);
  assert.ok((all.json<{ items: unknown[] }>()).items.length > 0);
  const range = await app.inject({ method: 'GET', url: `/api/v1/admin/audit-log?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`, headers });
  assert.deepEqual(range.json(), { items: [], nextCursor: null });
  const badDate = await app.inject({ method: 'GET', url: '/api/v1/admin/audit-log?from=yesterday', headers });
  assert.equal(badDate.statusCode, 400);
  const injected = await app.inject({ method: 'GET', url: `/api/v1/admin/audit-log?action=${encodeURIComponent("x' OR '1'='1")}`, headers });
  assert.deepEqual(injected.json(), { items: [], nextCursor: null });
  const badCursor = await app.inject({ method: 'GET', url: `/api/v1/admin/audit-log?cursor=${Buffer.from('{"t":"nope","id":1}').toString('base64url')}`, headers });
  assert.equal(badCursor.statusCode, 400);
});

test('admin routes: 401 without credentials, 403 for an analyst and for a sensor', async (t) => {
  const app = await buildTestApp(t);
  const analyst = bearer(await login(app, 'analyst13', 'analyst-demo-pass'));
  const routes: Array<{ method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: object }> = [
    { method: 'GET', url: '/api/v1/admin/users' },
    { method: 'POST', url: '/api/v1/admin/users', payload: { username: 'x.y.z', email: 'x@corp.example', displayName: 'X', role: 'admin', password: 'a-long-password' } },
    { method: 'GET', url: '/api/v1/admin/users/1' },
    { method: 'PATCH', url: '/api/v1/admin/users/2', payload: { role: 'admin' } },
    { method: 'DELETE', url: '/api/v1/admin/users/2' },
    { method: 'GET', url: '/api/v1/admin/sensors' },
    { method: 'POST', url: '/api/v1/admin/sensors', payload: { name: 'rogue' } },
    { method: 'PATCH', url: '/api/v1/admin/sensors/1', payload: { disabled: true } },
    { method: 'GET', url: '/api/v1/admin/audit-log' },
  ];
  const { db } = await startDatabase();
  for (const route of routes) {
    const none = await app.inject({ ...route });
    assert.equal(none.statusCode, 401, `${route.method} ${route.url} without credentials`);
    const asAnalyst = await app.inject({ ...route, headers: analyst });
    assert.equal(asAnalyst.statusCode, 403, `${route.method} ${route.url} as analyst`);
    assert.equal(asAnalyst.json<{ error: string }>().error, 'forbidden');
    const asSensor = await app.inject({ ...route, headers: { 'x-api-key': 'demo-sensor-key-02' } });
    assert.equal(asSensor.statusCode, 403, `${route.method} ${route.url} as sensor`);
  }
  assert.equal((await db.query("SELECT 1 FROM users WHERE username = 'x.y.z'")).rowCount, 0);
  assert.equal((await db.query("SELECT role FROM users WHERE id = 2")).rows[0].role, 'analyst');
  assert.equal((await db.query("SELECT 1 FROM sensors WHERE name = 'rogue'")).rowCount, 0);
});

test('a body over BODY_LIMIT_BYTES answers 413 with a JSON error', async (t) => {
  const app = await buildTestApp(t, { config: { bodyLimitBytes: 2048 } });
  const headers = bearer(await login(app, 'admin', 'admin-demo-pass'));
  const response = await app.inject({
    method: 'POST', url: '/api/v1/admin/users', headers,
    payload: { username: 'big.body', email: 'big@corp.example', displayName: 'x'.repeat(4096), role: 'analyst', password: 'a-long-password' },
  });
  assert.equal(response.statusCode, 413);
  assert.deepEqual(response.json(), { error: 'payload_too_large', message: 'request body is too large' });
});
