// Database outages: /ready answers 503 and requests answer 503 `unavailable` (never 500) while the
// database is down; the process stays up and recovers by itself when the database returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../../platform/app.ts';
import { freePort } from '../../../platform/db/embedded.ts';
import { bearer, buildTestApp, freshDatabase, login, testConfig } from '../helper.ts';
import { seed } from '../../../platform/db/seed/index.ts';

test('database stopped and started again: 503 while down, recovery without a restart', async (t) => {
  const database = await freshDatabase();
  if (database.server === undefined) {
    t.skip('stopping the database needs the embedded server (DATABASE_URL is set)');
    return;
  }
  await seed(database.db, 'small', { bcryptCost: 4 });
  const app = await buildTestApp(t, { database });
  const token = await login(app, 'analyst01', 'analyst-demo-pass');

  await database.server.stop();
  try {
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { error: 'unavailable', message: 'the database does not answer' });
    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
    assert.equal(me.statusCode, 503);
    assert.equal(me.json<{ error: string }>().error, 'unavailable');
    const loginDown = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'analyst01', password: 'analyst-demo-pass' } });
    assert.equal(loginDown.statusCode, 503);
    const health = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 200, 'the process itself stays up');
  } finally {
    await database.server.start();
  }

  const ready = await app.inject({ method: 'GET', url: '/ready' });
  assert.equal(ready.statusCode, 200);
  const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
  assert.equal(me.statusCode, 200);
  assert.equal(me.json<{ username: string }>().username, 'analyst01');
  const users = await database.db.query('SELECT 1 FROM users');
  assert.ok((users.rowCount ?? 0) > 0, 'data survived the restart');
});

test('a pool pointed at a closed port answers 503 on /ready and on requests, never 500', async (t) => {
  const port = await freePort();
  const config = testConfig(`postgres://postgres:x@127.0.0.1:${port}/nothing`);
  const app = await buildApp(config, { logger: false, workers: false });
  t.after(() => app.close());
  await app.ready();
  const ready = await app.inject({ method: 'GET', url: '/ready' });
  assert.equal(ready.statusCode, 503);
  const loginDown = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'admin-demo-pass' } });
  assert.equal(loginDown.statusCode, 503);
  assert.deepEqual(loginDown.json(), { error: 'unavailable', message: 'the database is unavailable; retry later' });
  const withKey = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-api-key': 'demo-sensor-key-01' } });
  assert.equal(withKey.statusCode, 503);
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(metrics.statusCode, 200, 'metrics stay available during an outage');
});
