// Ops routes over a real PostgreSQL: liveness, readiness, metrics, the OpenAPI document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { buildTestApp, login, bearer } from '../helper.ts';

/** Endpoint keys of docs/api.md's operations table, in OpenAPI path syntax. */
async function documentedKeys(): Promise<string[]> {
  const text = await fs.readFile(new URL('../../../docs/api.md', import.meta.url), 'utf8');
  return [...text.matchAll(/^\| (GET|POST|PUT|PATCH|DELETE) (\/\S*) \|/gm)].map((m) => `${m[1]} ${m[2].replace(/:(\w+)/g, '{$1}')}`);
}

test('GET /health answers 200 without credentials', async (t) => {
  const app = await buildTestApp(t);
  const response = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(response.statusCode, 200);
  assert.equal(response.json<{ status: string }>().status, 'ok');
});

test('GET /ready answers 200 when the database answers', async (t) => {
  const app = await buildTestApp(t);
  const response = await app.inject({ method: 'GET', url: '/ready' });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { status: 'ready' });
});

test('GET /metrics exposes request durations labelled with the endpoint key, pool gauges and Node metrics', async (t) => {
  const app = await buildTestApp(t);
  const token = await login(app, 'admin', 'admin-demo-pass');
  const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
  assert.equal(me.statusCode, 200);
  const alerts = await app.inject({ method: 'GET', url: '/api/v1/alerts?limit=1', headers: bearer(token) });
  assert.equal(alerts.statusCode, 200);
  const missing = await app.inject({ method: 'GET', url: '/api/v1/alerts/999999999', headers: bearer(token) });
  assert.equal(missing.statusCode, 404);
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/plain/);
  const body = response.body;
  assert.match(body, /http_request_duration_seconds_count\{route="GET \/api\/v1\/auth\/me",status_code="200"\} 1/);
  assert.match(body, /http_request_duration_seconds_count\{route="POST \/api\/v1\/auth\/login",status_code="200"\} 1/);
  assert.match(body, /http_request_duration_seconds_count\{route="GET \/api\/v1\/alerts",status_code="200"\} 1/, 'a module root route is labelled without a trailing slash');
  assert.match(body, /http_request_duration_seconds_count\{route="GET \/api\/v1\/alerts\/:id",status_code="404"\} 1/, 'labelled by template, not by URL');
  assert.match(body, /^rampart_db_pool_total \d+/m);
  assert.match(body, /^rampart_db_pool_waiting \d+/m);
  assert.match(body, /^nodejs_eventloop_lag_seconds /m);
  assert.match(body, /^# TYPE rampart_detection_latency_seconds histogram/m);
  assert.match(body, /^# TYPE rampart_events_ingested_total counter/m);
});

test('GET /api/v1/openapi.json lists every route with an operationId, and security on protected ones', async (t) => {
  const app = await buildTestApp(t);
  const response = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  assert.equal(response.statusCode, 200);
  const doc = response.json<{ openapi: string; paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>> }>();
  assert.match(doc.openapi, /^3\./);
  const operations = Object.entries(doc.paths).flatMap(([url, methods]) => Object.entries(methods).map(([method, op]) => ({ key: `${method.toUpperCase()} ${url}`, op })));
  const keys = operations.map((o) => o.key);
  const documented = await documentedKeys();
  assert.ok(documented.length >= 35, 'docs/api.md lists the operations');
  for (const key of documented) assert.ok(keys.includes(key), `${key} (docs/api.md) is in the OpenAPI document`);
  assert.ok(keys.length >= 35, `at least 35 operations (${keys.length})`);
  assert.ok(!keys.some((key) => key.length > 1 && key.endsWith('/')), 'no trailing-slash duplicates');
  for (const { key, op } of operations) {
    assert.equal(typeof op.operationId, 'string', `${key} has an operationId`);
    const responses = Object.keys((op as { responses?: Record<string, unknown> }).responses ?? {});
    assert.ok(responses.some((status) => /^2\d\d$/.test(status)), `${key} documents its success response`);
  }
  const operationIds = operations.map((o) => o.op.operationId);
  assert.equal(new Set(operationIds).size, operationIds.length, 'operationIds are unique');
  const me = operations.find((o) => o.key === 'GET /api/v1/auth/me');
  assert.deepEqual(me?.op.security, [{ bearerAuth: [] }]);
  const health = operations.find((o) => o.key === 'GET /health');
  assert.deepEqual(health?.op.security, []);
});

test('an unknown path answers 404 with a JSON error to an authenticated caller', async (t) => {
  const app = await buildTestApp(t);
  const token = await login(app, 'analyst01', 'analyst-demo-pass');
  const response = await app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: bearer(token) });
  assert.equal(response.statusCode, 404);
  assert.equal(response.json<{ error: string }>().error, 'not_found');
});
