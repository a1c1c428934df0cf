// Auth routes over a real PostgreSQL: login, refresh rotation, logout, me, and the auth hook's
// 401s (missing, malformed, expired, forged, alg:none tokens; disabled users; bad API keys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { buildTestApp, bearer, freshDatabase, login, startDatabase, TEST_JWT_SECRET } from '../helper.ts';
import { seed } from '../../../platform/db/seed/index.ts';
import { sha256Hex } from '../../../platform/lib/tokens.ts';

type Pair = { accessToken: string; refreshToken: string; expiresIn: number; tokenType: string; user: { id: number; username: string; role: string } };

test('POST /login with the demo admin returns a token pair and stores only the refresh token hash', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'admin-demo-pass' } });
  assert.equal(response.statusCode, 200);
  const pair = response.json<Pair>();
  assert.equal(pair.tokenType, 'Bearer');
  assert.equal(pair.expiresIn, 900);
  assert.equal(pair.user.username, 'admin');
  assert.equal(pair.user.role, 'admin');
  assert.equal(pair.accessToken.split('.').length, 3);
  const stored = await db.query('SELECT user_id, revoked_at FROM refresh_tokens WHERE token_hash = $1', [sha256Hex(pair.refreshToken)]);
  assert.equal(stored.rowCount, 1);
  assert.equal(Number(stored.rows[0].user_id), pair.user.id);
  assert.equal(stored.rows[0].revoked_at, null);
  const plain = await db.query('SELECT 1 FROM refresh_tokens WHERE token_hash = $1', [pair.refreshToken]);
  assert.equal(plain.rowCount, 0);
});

test('POST /login with a wrong password or an unknown user answers 401 and issues nothing', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM refresh_tokens');
  for (const payload of [{ username: 'analyst02', password: 'wrong-password' }, { username: 'nobody', password: 'analyst-demo-pass' }]) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
    assert.equal(response.statusCode, 401);
    assert.deepEqual(response.json(), { error: 'unauthorized', message: 'invalid username or password' });
  }
  const afterCount = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM refresh_tokens');
  assert.equal(afterCount.rows[0].n, before.rows[0].n);
});

test('POST /login rejects bad bodies with 400: missing field, wrong type, unknown field, malformed JSON', async (t) => {
  const app = await buildTestApp(t);
  const cases = [
    { payload: { username: 'admin' } },
    { payload: { username: 'admin', password: { $ne: '' } } },
    { payload: { username: 'admin', password: 'admin-demo-pass', role: 'admin' } },
  ];
  for (const c of cases) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: c.payload });
    assert.equal(response.statusCode, 400, JSON.stringify(c.payload));
    assert.equal(response.json<{ error: string }>().error, 'validation');
  }
  const malformed = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username": "admin", ' });
  assert.equal(malformed.statusCode, 400);
  assert.deepEqual(malformed.json(), { error: 'validation', message: 'body is not valid JSON' });
});

test('POST /login with an SQL-injection username is just a wrong username', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: "admin' OR '1'='1' --", password: 'x' } });
  assert.equal(response.statusCode, 401);
  const users = await db.query('SELECT 1 FROM users');
  assert.ok((users.rowCount ?? 0) >= 51, 'users table intact');
});

test('POST /refresh rotates: a new pair works, the old refresh token is revoked, and reusing it revokes the family', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const first = (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'analyst03', password: 'analyst-demo-pass' } })).json<Pair>();
  const refreshed = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: first.refreshToken } });
  assert.equal(refreshed.statusCode, 200);
  const second = refreshed.json<Pair>();
  assert.notEqual(second.refreshToken, first.refreshToken);
  assert.equal(second.user.username, 'analyst03');
  const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(second.accessToken) });
  assert.equal(me.statusCode, 200);
  const old = await db.query('SELECT revoked_at FROM refresh_tokens WHERE token_hash = $1', [sha256Hex(first.refreshToken)]);
  assert.notEqual(old.rows[0].revoked_at, null);

  const reused = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: first.refreshToken } });
  assert.equal(reused.statusCode, 401);
  assert.equal(reused.json<{ error: string }>().error, 'unauthorized');
  const active = await db.query('SELECT 1 FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [first.user.id]);
  assert.equal(active.rowCount, 0, 'every refresh token of the user is revoked after reuse');
});

test('POST /refresh with an unknown token answers 401', async (t) => {
  const app = await buildTestApp(t);
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: 'rt_not-a-real-token' } });
  assert.equal(response.statusCode, 401);
  assert.equal(response.json<{ error: string }>().error, 'unauthorized');
});

test('POST /logout revokes the refresh token: refreshing with it afterwards answers 401', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const pair = (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'analyst04', password: 'analyst-demo-pass' } })).json<Pair>();
  const logout = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(pair.accessToken), payload: { refreshToken: pair.refreshToken } });
  assert.equal(logout.statusCode, 204);
  assert.equal(logout.body, '');
  const row = await db.query('SELECT revoked_at FROM refresh_tokens WHERE token_hash = $1', [sha256Hex(pair.refreshToken)]);
  assert.notEqual(row.rows[0].revoked_at, null);
  const refresh = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: pair.refreshToken } });
  assert.equal(refresh.statusCode, 401);
});

test('GET /me returns the current user without secrets', async (t) => {
  const app = await buildTestApp(t);
  const token = await login(app, 'analyst05', 'analyst-demo-pass');
  const response = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
  assert.equal(response.statusCode, 200);
  const user = response.json<{ username: string; role: string; disabled: boolean; email: string }>();
  assert.equal(user.username, 'analyst05');
  assert.equal(user.role, 'analyst');
  assert.equal(user.disabled, false);
  assert.equal(user.email, 'analyst05@rampart.test');
  assert.equal('password_hash' in user || 'passwordHash' in user, false);
});

test('protected routes answer 401 for missing, malformed, expired, forged and alg:none tokens', async (t) => {
  const app = await buildTestApp(t);
  const valid = await login(app, 'analyst06', 'analyst-demo-pass');
  const [, payload] = valid.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string; iss: string; aud: string };
  const key = new TextEncoder().encode(TEST_JWT_SECRET);
  const expired = await new SignJWT({ username: 'analyst06', role: 'analyst' }).setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub).setIssuer(claims.iss).setAudience(claims.aud).setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(key);
  const forged = await new SignJWT({ username: 'admin', role: 'admin' }).setProtectedHeader({ alg: 'HS256' })
    .setSubject('1').setIssuer(claims.iss).setAudience(claims.aud).setIssuedAt().setExpirationTime('5m')
    .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, sub: '1', role: 'admin', exp: Math.floor(Date.now() / 1000) + 300 })).toString('base64url')}.`;
  const tampered = `${valid.split('.')[0]}.${Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url')}.${valid.split('.')[2]}`;
  const cases: Array<[string, Record<string, string>]> = [
    ['missing', {}],
    ['not bearer', { authorization: `Basic ${Buffer.from('admin:admin-demo-pass').toString('base64')}` }],
    ['garbage', bearer('not-a-jwt')],
    ['expired', bearer(expired)],
    ['forged', bearer(forged)],
    ['alg none', bearer(none)],
    ['tampered payload', bearer(tampered)],
    ['unknown api key', { 'x-api-key': 'not-a-sensor-key' }],
  ];
  for (const [name, headers] of cases) {
    const response = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
    assert.equal(response.statusCode, 401, name);
    assert.equal(response.json<{ error: string }>().error, 'unauthorized', name);
  }
});

test('a disabled user is refused at once, even with an unexpired access token', async (t) => {
  const database = await freshDatabase();
  await seed(database.db, 'small', { bcryptCost: 4 });
  const app = await buildTestApp(t, { database });
  const token = await login(app, 'analyst07', 'analyst-demo-pass');
  await database.db.query("UPDATE users SET disabled = true WHERE username = 'analyst07'");
  const response = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
  assert.equal(response.statusCode, 401);
  const again = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'analyst07', password: 'analyst-demo-pass' } });
  assert.equal(again.statusCode, 401);
});

test('a sensor API key cannot reach user routes (403)', async (t) => {
  const app = await buildTestApp(t);
  const response = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-api-key': 'demo-sensor-key-01' } });
  assert.equal(response.statusCode, 403);
  assert.equal(response.json<{ error: string }>().error, 'forbidden');
});

test('login is rate limited per (username, client) (429 with retry-after), other usernames unaffected', async (t) => {
  const app = await buildTestApp(t, { config: { loginRateLimitPerMinute: 3 } });
  for (let i = 0; i < 3; i += 1) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'analyst08', password: 'wrong-password' } });
    assert.equal(r.statusCode, 401);
  }
  const limited = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'analyst08', password: 'analyst-demo-pass' } });
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json<{ error: string }>().error, 'rate_limited');
  assert.ok(Number(limited.headers['retry-after']) > 0);
  const other = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'analyst09', password: 'analyst-demo-pass' } });
  assert.equal(other.statusCode, 200);
});

test('requests are rate limited per principal (429), another principal is unaffected', async (t) => {
  const app = await buildTestApp(t, { config: { rateLimitPerMinute: 5 } });
  const first = await login(app, 'analyst10', 'analyst-demo-pass');
  const second = await login(app, 'analyst11', 'analyst-demo-pass');
  const statuses: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    statuses.push((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(first) })).statusCode);
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  const limited = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(first) });
  assert.equal(limited.json<{ error: string }>().error, 'rate_limited');
  assert.ok(Number(limited.headers['retry-after']) > 0);
  const other = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(second) });
  assert.equal(other.statusCode, 200);
  const health = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(health.statusCode, 200, 'ops routes are not rate limited');
});
