// Indicators over a real PostgreSQL (small seed): list with filters and cursors, bulk import
// (upsert, validation, nothing stored on bad input), lookup by value, get by id, auth and roles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, login, bearer, startDatabase } from '../helper.ts';
import type { ErrorBody } from '../helper.ts';

const SENSOR = { 'x-api-key': 'demo-sensor-key-01' };

type Indicator = { id: number; type: string; value: string; severity: string; source: string; description: string; firstSeen: string; lastSeen: string; expiresAt: string | null };
type Page = { items: Indicator[]; nextCursor: string | null };

test('GET /api/v1/indicators lists newest first, filters, and pages with a cursor', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const headers = bearer(await login(app, 'analyst01', 'analyst-demo-pass'));

  const first = await app.inject({ method: 'GET', url: '/api/v1/indicators?limit=20', headers });
  assert.equal(first.statusCode, 200);
  const page1 = first.json<Page>();
  assert.equal(page1.items.length, 20);
  assert.ok(page1.nextCursor);
  const ids = page1.items.map((i) => i.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest (highest id) first');

  const second = await app.inject({ method: 'GET', url: `/api/v1/indicators?limit=20&cursor=${page1.nextCursor}`, headers });
  assert.equal(second.statusCode, 200);
  const page2 = second.json<Page>();
  assert.equal(page2.items.length, 20);
  assert.ok(page2.items.every((i) => i.id < Math.min(...ids)), 'the second page continues after the first');

  const filtered = await app.inject({ method: 'GET', url: '/api/v1/indicators?type=domain&severity=critical&limit=200', headers });
  assert.equal(filtered.statusCode, 200);
  const items = filtered.json<Page>().items;
  const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM indicators WHERE type = 'domain' AND severity = 'critical'");
  assert.ok(items.length > 0);
  assert.equal(items.length, Math.min(200, Number(rows[0].n)));
  assert.ok(items.every((i) => i.type === 'domain' && i.severity === 'critical'));
});

test('GET /api/v1/indicators rejects a bad cursor, an unknown type and unknown parameters with 400', async (t) => {
  const app = await buildTestApp(t);
  const headers = bearer(await login(app, 'analyst01', 'analyst-demo-pass'));
  for (const url of ['/api/v1/indicators?cursor=not-a-cursor!', '/api/v1/indicators?cursor=eyJ4IjoxfQ', '/api/v1/indicators?type=url',
    '/api/v1/indicators?limit=0', '/api/v1/indicators?sort=value']) {
    const response = await app.inject({ method: 'GET', url, headers });
    assert.equal(response.statusCode, 400, url);
    assert.equal(response.json<ErrorBody>().error, 'validation', url);
  }
});

test('indicator routes need a user: 401 without credentials, 403 with a sensor key', async (t) => {
  const app = await buildTestApp(t);
  const routes: Array<{ method: 'GET' | 'POST'; url: string; payload?: object }> = [
    { method: 'GET', url: '/api/v1/indicators' },
    { method: 'GET', url: '/api/v1/indicators/1' },
    { method: 'GET', url: '/api/v1/indicators/lookup?value=1.2.3.4' },
    { method: 'POST', url: '/api/v1/indicators/import', payload: { indicators: [{ type: 'ip', value: '198.51.100.1', severity: 'low', source: 'x' }] } },
  ];
  for (const route of routes) {
    const anonymous = await app.inject({ ...route });
    assert.equal(anonymous.statusCode, 401, `${route.method} ${route.url}`);
    assert.equal(anonymous.json<ErrorBody>().error, 'unauthorized');
    const sensor = await app.inject({ ...route, headers: SENSOR });
    assert.equal(sensor.statusCode, 403, `${route.method} ${route.url}`);
    assert.equal(sensor.json<ErrorBody>().error, 'forbidden');
  }
  const forged = await app.inject({ method: 'GET', url: '/api/v1/indicators', headers: bearer('eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.') });
  assert.equal(forged.statusCode, 401);
  const { db } = await startDatabase();
  const { rows } = await db.query("SELECT 1 FROM indicators WHERE value = '198.51.100.1'");
  assert.equal(rows.length, 0, 'nothing imported without a user');
});

test('POST /api/v1/indicators/import upserts on (type, value) and reports inserted and updated', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const headers = bearer(await login(app, 'analyst02', 'analyst-demo-pass'));
  const { rows: [existing] } = await db.query<{ type: string; value: string }>("SELECT type, value FROM indicators WHERE type = 'hash' ORDER BY id LIMIT 1");

  const response = await app.inject({
    method: 'POST', url: '/api/v1/indicators/import', headers,
    payload: {
      indicators: [
        { type: 'ip', value: '203.0.113.77', severity: 'high', source: 'test-feed', description: 'C2 node' },
        { type: 'domain', value: 'Evil-Test.Example.COM', severity: 'medium', source: 'test-feed' },
        { type: 'hash', value: existing.value.toUpperCase(), severity: 'critical', source: 'test-feed' },
        { type: 'ip', value: '2001:DB8::7', severity: 'low', source: 'test-feed' },
      ],
    },
  });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { inserted: 3, updated: 1 });

  const { rows } = await db.query<{ type: string; value: string; severity: string; source: string }>(
    "SELECT type, value, severity, source FROM indicators WHERE source = 'test-feed' ORDER BY value");
  assert.deepEqual(rows.map((r) => `${r.type}:${r.value}:${r.severity}`).sort(), [
    'domain:evil-test.example.com:medium', `hash:${existing.value}:critical`, 'ip:2001:db8::7:low', 'ip:203.0.113.77:high',
  ].sort());
  const { rows: audit } = await db.query<{ details: { inserted: number; updated: number } }>(
    "SELECT details FROM audit_log WHERE action = 'indicator.import' ORDER BY id DESC LIMIT 1");
  assert.deepEqual(audit[0].details, { inserted: 3, updated: 1 });

  const again = await app.inject({
    method: 'POST', url: '/api/v1/indicators/import', headers,
    payload: { indicators: [{ type: 'ip', value: '203.0.113.77', severity: 'critical', source: 'test-feed' }] },
  });
  assert.equal(again.statusCode, 200);
  assert.deepEqual(again.json(), { inserted: 0, updated: 1 });
  const { rows: [updated] } = await db.query<{ severity: string; description: string }>(
    "SELECT severity, description FROM indicators WHERE type = 'ip' AND value = '203.0.113.77'");
  assert.deepEqual(updated, { severity: 'critical', description: 'C2 node' }, 'an empty description keeps the stored one');
});

test('POST /api/v1/indicators/import rejects malformed imports with 400 and stores nothing', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const headers = bearer(await login(app, 'analyst03', 'analyst-demo-pass'));
  const good = { type: 'ip', value: '198.51.100.200', severity: 'low', source: 'bad-input-feed' };
  const cases: Array<{ name: string; payload: unknown; message?: RegExp }> = [
    { name: 'not an ip', payload: { indicators: [good, { ...good, value: '999.1.1.1' }] }, message: /indicators\[1\].*not a valid ip/ },
    { name: 'not a domain', payload: { indicators: [good, { ...good, type: 'domain', value: 'no_dots here' }] }, message: /not a valid domain/ },
    { name: 'not a hash', payload: { indicators: [{ ...good, type: 'hash', value: 'abc123' }] }, message: /not a valid hash/ },
    { name: 'unknown type', payload: { indicators: [{ ...good, type: 'url' }] } },
    { name: 'unknown field', payload: { indicators: [{ ...good, confidence: 90 }] } },
    { name: 'missing source', payload: { indicators: [{ type: 'ip', value: '198.51.100.9', severity: 'low' }] } },
    { name: 'empty list', payload: { indicators: [] } },
    { name: 'too many', payload: { indicators: Array.from({ length: 5001 }, (_, k) => ({ ...good, value: `198.51.${Math.floor(k / 250)}.${k % 250}` })) } },
    { name: 'SQL in a value', payload: { indicators: [{ ...good, type: 'domain', value: "x.com'; DROP TABLE indicators; --" }] } },
  ];
  for (const c of cases) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/indicators/import', headers, payload: c.payload as object });
    assert.equal(response.statusCode, 400, c.name);
    assert.equal(response.json<ErrorBody>().error, 'validation', c.name);
    if (c.message) assert.match(response.json<ErrorBody>().message, c.message, c.name);
  }
  const malformed = await app.inject({
    method: 'POST', url: '/api/v1/indicators/import', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"indicators": [',
  });
  assert.equal(malformed.statusCode, 400);
  const { rows } = await db.query("SELECT 1 FROM indicators WHERE source = 'bad-input-feed'");
  assert.equal(rows.length, 0);
});

test('GET /api/v1/indicators/lookup finds a value (case-insensitively for domains and hashes) or answers match null', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const headers = bearer(await login(app, 'analyst04', 'analyst-demo-pass'));
  const { rows: [domain] } = await db.query<{ id: string; value: string }>("SELECT id, value FROM indicators WHERE type = 'domain' ORDER BY id LIMIT 1");

  const hit = await app.inject({ method: 'GET', url: `/api/v1/indicators/lookup?value=${encodeURIComponent(domain.value.toUpperCase())}`, headers });
  assert.equal(hit.statusCode, 200);
  const match = hit.json<{ match: Indicator }>().match;
  assert.equal(match.id, Number(domain.id));
  assert.equal(match.value, domain.value);
  assert.equal(match.type, 'domain');

  const miss = await app.inject({ method: 'GET', url: '/api/v1/indicators/lookup?value=nothing.invalid', headers });
  assert.equal(miss.statusCode, 200);
  assert.deepEqual(miss.json(), { match: null });

  const injection = await app.inject({ method: 'GET', url: `/api/v1/indicators/lookup?value=${encodeURIComponent("' OR '1'='1")}`, headers });
  assert.equal(injection.statusCode, 200);
  assert.deepEqual(injection.json(), { match: null });

  const missing = await app.inject({ method: 'GET', url: '/api/v1/indicators/lookup', headers });
  assert.equal(missing.statusCode, 400);
  assert.equal(missing.json<ErrorBody>().error, 'validation');
});

test('GET /api/v1/indicators/:id answers the indicator, 404 when absent, 400 for a non-numeric id', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const headers = bearer(await login(app, 'admin', 'admin-demo-pass'));
  const { rows: [row] } = await db.query<{ id: string; value: string; severity: string }>('SELECT id, value, severity FROM indicators ORDER BY id LIMIT 1');

  const found = await app.inject({ method: 'GET', url: `/api/v1/indicators/${row.id}`, headers });
  assert.equal(found.statusCode, 200);
  const body = found.json<Indicator>();
  assert.equal(body.id, Number(row.id));
  assert.equal(body.value, row.value);
  assert.equal(body.severity, row.severity);
  assert.ok(!Number.isNaN(Date.parse(body.firstSeen)));

  const absent = await app.inject({ method: 'GET', url: '/api/v1/indicators/999999999', headers });
  assert.equal(absent.statusCode, 404);
  assert.equal(absent.json<ErrorBody>().error, 'not_found');

  const bad = await app.inject({ method: 'GET', url: '/api/v1/indicators/abc', headers });
  assert.equal(bad.statusCode, 400);
});
