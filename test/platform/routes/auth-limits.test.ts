// Failed authentication limited per client, on the real platform and database: bad API keys, bad
// JWTs, failed logins and refreshes, password spraying across usernames all spend one budget per
// client address (429 with Retry-After once spent, checked before any lookup), without locking a
// user out from anywhere else; tokens without `exp`; headers on responses that carry a secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { bearer, buildTestApp, login, startDatabase, TEST_JWT_SECRET } from '../helper.ts';
import type { TestDatabase } from '../helper.ts';

const ATTACKER = '203.0.113.7';
const ELSEWHERE = '198.51.100.20';

const from = (remoteAddress: string, request: InjectOptions): InjectOptions => ({ ...request, remoteAddress });
const loginAs = (username: string, password: string): InjectOptions => ({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });

async function statuses(app: FastifyInstance, request: InjectOptions, times: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < times; i += 1) seen.push((await app.inject(request)).statusCode);
  return seen;
}

/** Calls of the sensor key lookup in this database so far (pg_stat_statements). */
async function keyLookups(database: TestDatabase): Promise<number> {
  const { rows } = await database.db.query<{ calls: string | null }>(
    `SELECT sum(calls) AS calls FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query LIKE '%FROM sensors WHERE api_key_hash = $1%'`);
  return Number(rows[0].calls ?? 0);
}

test('bad API keys: 429 with Retry-After once the budget is spent, no database lookup beyond it; a key seen valid still works', async (t) => {
  const database = await startDatabase();
  const app = await buildTestApp(t, { workers: false, config: { authFailuresPerMinute: 5 } });
  const ingest = (key: string): InjectOptions => from(ATTACKER, {
    method: 'POST', url: '/api/v1/events/batch', headers: { 'x-api-key': key },
    payload: { batchId: `limits-${key}-${Math.random()}`, events: [{ type: 'auth', occurredAt: new Date().toISOString(), host: 'h' }] },
  });
  assert.equal((await app.inject(ingest('demo-sensor-key-02'))).statusCode, 202, 'the sensor works before the attack');
  const before = await keyLookups(database);
  const seen = await statuses(app, from(ATTACKER, { method: 'GET', url: '/api/v1/events', headers: { 'x-api-key': 'guessed-key' } }), 170);
  assert.deepEqual(seen.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.ok(seen.slice(5).every((s) => s === 429), 'every attempt after the budget is 429');
  assert.equal((await keyLookups(database)) - before, 5, '170 bad keys cost 5 lookups');
  const limited = await app.inject(from(ATTACKER, { method: 'GET', url: '/api/v1/events', headers: { 'x-api-key': 'guessed-key' } }));
  assert.equal(limited.json<{ error: string }>().error, 'rate_limited');
  const retryAfter = Number(limited.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
  assert.equal((await app.inject(ingest('demo-sensor-key-02'))).statusCode, 202, 'a key seen valid is not a guess');
  assert.equal((await app.inject(ingest('demo-sensor-key-03'))).statusCode, 429, 'a key not seen yet waits like any guess');
  assert.equal((await app.inject(from(ELSEWHERE, { method: 'GET', url: '/api/v1/events', headers: { 'x-api-key': 'guessed-key' } }))).statusCode, 401, 'another client has its own budget');
});

test('bad JWTs: 429 once the budget is spent; a validly signed token from the same client still works', async (t) => {
  const app = await buildTestApp(t, { workers: false, config: { authFailuresPerMinute: 5 } });
  const token = await login(app, 'analyst03', 'analyst-demo-pass');
  const forged = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('1').setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(48)));
  const bad = [bearer('garbage'), bearer(forged), { authorization: 'Basic YWRtaW46eA==' }];
  const seen: number[] = [];
  for (let i = 0; i < 160; i += 1) seen.push((await app.inject(from(ATTACKER, { method: 'GET', url: '/api/v1/auth/me', headers: bad[i % bad.length] }))).statusCode);
  assert.deepEqual(seen.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.ok(seen.slice(5).every((s) => s === 429));
  const mine = await app.inject(from(ATTACKER, { method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) }));
  assert.equal(mine.statusCode, 200);
  const missing = await app.inject(from(ATTACKER, { method: 'GET', url: '/api/v1/auth/me' }));
  assert.equal(missing.statusCode, 401, 'no credentials is not a guess: still 401');
});

test('password spraying across usernames from one client: 429 after the budget, even for the right password; other clients log in', async (t) => {
  const app = await buildTestApp(t, { workers: false, config: { authFailuresPerMinute: 6 } });
  const sprayed: number[] = [];
  for (let i = 1; i <= 8; i += 1) sprayed.push((await app.inject(from(ATTACKER, loginAs(`analyst${String(i).padStart(2, '0')}`, 'Winter2026!')))).statusCode);
  assert.deepEqual(sprayed, [401, 401, 401, 401, 401, 401, 429, 429]);
  const right = await app.inject(from(ATTACKER, loginAs('admin', 'admin-demo-pass')));
  assert.equal(right.statusCode, 429, 'the budget is checked before the password');
  assert.ok(Number(right.headers['retry-after']) >= 1);
  assert.equal((await app.inject(from(ELSEWHERE, loginAs('analyst01', 'analyst-demo-pass')))).statusCode, 200);
  const refresh = await app.inject(from(ATTACKER, { method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: 'rt_guess' } }));
  assert.equal(refresh.statusCode, 429, 'refresh shares the budget');
});

test('failed refreshes count in the budget', async (t) => {
  const app = await buildTestApp(t, { workers: false, config: { authFailuresPerMinute: 3 } });
  const seen = await statuses(app, from(ATTACKER, { method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: 'rt_guess' } }), 5);
  assert.deepEqual(seen, [401, 401, 401, 429, 429]);
});

test('21 failed logins for admin from one client do not lock admin out from another client', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  const seen = await statuses(app, from(ATTACKER, loginAs('admin', 'wrong-password')), 21);
  assert.deepEqual(seen, [...Array<number>(20).fill(401), 429], 'the default per-(username, client) login limit is 20 a minute');
  const admin = await app.inject(from(ELSEWHERE, loginAs('admin', 'admin-demo-pass')));
  assert.equal(admin.statusCode, 200, 'admin logs in from elsewhere');
  assert.equal((await app.inject(from(ATTACKER, loginAs('analyst04', 'analyst-demo-pass')))).statusCode, 200, 'within the client budget (100), other users from the attacker address still log in');
});

test('X-Forwarded-For counts only from a proxy named in TRUST_PROXY; otherwise rotating it does not escape the budget', async (t) => {
  const direct = await buildTestApp(t, { workers: false, config: { authFailuresPerMinute: 3 } });
  const rotating: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    rotating.push((await direct.inject(from(ATTACKER, { method: 'GET', url: '/api/v1/auth/me', headers: { ...bearer('garbage'), 'x-forwarded-for': `192.0.2.${i}` } }))).statusCode);
  }
  assert.deepEqual(rotating, [401, 401, 401, 429, 429]);

  const proxied = await buildTestApp(t, { workers: false, config: { authFailuresPerMinute: 3, trustProxy: ['127.0.0.1'] } });
  const behindProxy = (client: string): InjectOptions => from('127.0.0.1', { method: 'GET', url: '/api/v1/auth/me', headers: { ...bearer('garbage'), 'x-forwarded-for': client } });
  assert.deepEqual(await statuses(proxied, behindProxy(ATTACKER), 4), [401, 401, 401, 429]);
  assert.equal((await proxied.inject(behindProxy(ELSEWHERE))).statusCode, 401, 'the proxy forwards another client with its own budget');
});

test('a token without exp is refused (401); issuer and audience are still checked', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  const key = new TextEncoder().encode(TEST_JWT_SECRET);
  const base = (): SignJWT => new SignJWT({ username: 'admin', role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('1').setIssuedAt();
  const cases: Array<[string, string, number]> = [
    ['no exp', await base().setIssuer('rampart-target').setAudience('rampart-api').sign(key), 401],
    ['wrong issuer', await base().setIssuer('someone-else').setAudience('rampart-api').setExpirationTime('5m').sign(key), 401],
    ['wrong audience', await base().setIssuer('rampart-target').setAudience('other-api').setExpirationTime('5m').sign(key), 401],
    ['all claims', await base().setIssuer('rampart-target').setAudience('rampart-api').setExpirationTime('5m').sign(key), 200],
  ];
  for (const [name, token, status] of cases) {
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) })).statusCode, status, name);
  }
});

test('responses carrying a secret are not cacheable; every response has nosniff', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  const loginResponse = await app.inject(loginAs('admin', 'admin-demo-pass'));
  const { accessToken, refreshToken } = loginResponse.json<{ accessToken: string; refreshToken: string }>();
  const refreshResponse = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
  const sensorResponse = await app.inject({ method: 'POST', url: '/api/v1/admin/sensors', headers: bearer(accessToken), payload: { name: `limits-sensor-${Date.now()}` } });
  assert.deepEqual([loginResponse.statusCode, refreshResponse.statusCode, sensorResponse.statusCode], [200, 200, 201]);
  for (const response of [loginResponse, refreshResponse, sensorResponse]) {
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers.pragma, 'no-cache');
  }
  const others = [
    await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(accessToken) }),
    await app.inject({ method: 'GET', url: '/api/v1/auth/me' }),
    await app.inject({ method: 'GET', url: '/api/v1/no-such-route', headers: bearer(accessToken) }),
    await app.inject({ method: 'GET', url: '/health' }),
    await app.inject({ method: 'GET', url: '/metrics' }),
    await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{' }),
  ];
  assert.deepEqual(others.map((r) => r.statusCode), [200, 401, 404, 200, 200, 400]);
  for (const response of [loginResponse, ...others]) assert.equal(response.headers['x-content-type-options'], 'nosniff');
  assert.equal(others[0].headers['cache-control'], undefined, 'ordinary responses keep their caching');
});
