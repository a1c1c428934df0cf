// Dashboard summary over a real PostgreSQL (small seed): the numbers equal what the tables hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, login, bearer, startDatabase } from '../helper.ts';

type Summary = {
  generatedAt: string;
  alerts: { total: number; open: number; bySeverity: Record<string, number>; byStatus: Record<string, number> };
  trend: Array<{ hour: string; count: number }>;
  openIncidents: number;
  eventsLast24h: number;
};

test('GET /api/v1/dashboard/summary answers counts that match the database', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  const { db } = await startDatabase();
  const headers = bearer(await login(app, 'analyst05', 'analyst-demo-pass'));

  const response = await app.inject({ method: 'GET', url: '/api/v1/dashboard/summary', headers });
  assert.equal(response.statusCode, 200);
  const body = response.json<Summary>();

  const { rows: [counts] } = await db.query<{ total: string; open: string; critical: string; resolved: string; incidents: string; events: string; trend_total: string }>(
    `SELECT (SELECT count(*) FROM alerts) AS total,
            (SELECT count(*) FROM alerts WHERE status IN ('new', 'acknowledged', 'in_progress')) AS open,
            (SELECT count(*) FROM alerts WHERE severity = 'critical') AS critical,
            (SELECT count(*) FROM alerts WHERE status = 'resolved') AS resolved,
            (SELECT count(*) FROM incidents WHERE status <> 'closed') AS incidents,
            (SELECT count(*) FROM events WHERE ingested_at >= $1::timestamptz - interval '24 hours') AS events,
            (SELECT count(*) FROM alerts WHERE created_at >= date_trunc('hour', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '23 hours') AS trend_total`,
    [body.generatedAt]);
  assert.ok(Number(counts.total) > 0, 'the small seed has alerts');
  assert.equal(body.alerts.total, Number(counts.total));
  assert.equal(body.alerts.open, Number(counts.open));
  assert.equal(body.alerts.bySeverity.critical, Number(counts.critical));
  assert.equal(body.alerts.byStatus.resolved, Number(counts.resolved));
  assert.equal(Object.values(body.alerts.bySeverity).reduce((a, b) => a + b, 0), body.alerts.total);
  assert.equal(Object.values(body.alerts.byStatus).reduce((a, b) => a + b, 0), body.alerts.total);
  assert.deepEqual(Object.keys(body.alerts.byStatus).sort(), ['acknowledged', 'false_positive', 'in_progress', 'new', 'resolved']);
  assert.equal(body.openIncidents, Number(counts.incidents));
  assert.equal(body.eventsLast24h, Number(counts.events));
  assert.ok(body.eventsLast24h > 0, 'the seed spreads events up to now');

  assert.equal(body.trend.length, 24);
  const hours = body.trend.map((p) => Date.parse(p.hour));
  for (let k = 1; k < hours.length; k++) assert.equal(hours[k] - hours[k - 1], 3_600_000, 'consecutive hours');
  assert.equal(hours[23], Math.floor(Date.parse(body.generatedAt) / 3_600_000) * 3_600_000, 'the current hour is last');
  assert.equal(body.trend.reduce((a, p) => a + p.count, 0), Number(counts.trend_total));
});

test('GET /api/v1/dashboard/summary: 401 without credentials, 403 for a sensor', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  const anonymous = await app.inject({ method: 'GET', url: '/api/v1/dashboard/summary' });
  assert.equal(anonymous.statusCode, 401);
  assert.equal(anonymous.json<{ error: string }>().error, 'unauthorized');
  const sensor = await app.inject({ method: 'GET', url: '/api/v1/dashboard/summary', headers: { 'x-api-key': 'demo-sensor-key-02' } });
  assert.equal(sensor.statusCode, 403);
  assert.equal(sensor.json<{ error: string }>().error, 'forbidden');
  const unknown = await app.inject({ method: 'GET', url: '/api/v1/dashboard/summary', headers: { 'x-api-key': 'not-a-key' } });
  assert.equal(unknown.statusCode, 401);
});

test('the OpenAPI document lists every indicators, dashboard, analytics and reports operation', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  const response = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  assert.equal(response.statusCode, 200);
  const doc = response.json<{ paths: Partial<Record<string, Partial<Record<string, { operationId?: string; responses: Partial<Record<string, { content?: Record<string, unknown> }>> }>>>> }>();
  const expected: Record<string, string> = {
    'GET /api/v1/indicators': 'listIndicators',
    'POST /api/v1/indicators/import': 'importIndicators',
    'GET /api/v1/indicators/lookup': 'lookupIndicator',
    'GET /api/v1/indicators/{id}': 'getIndicator',
    'GET /api/v1/dashboard/summary': 'dashboardSummary',
    'GET /api/v1/analytics/top-sources': 'analyticsTopSources',
    'GET /api/v1/analytics/timeline': 'analyticsTimeline',
    'GET /api/v1/analytics/heatmap': 'analyticsHeatmap',
    'GET /api/v1/reports': 'listReports',
    'POST /api/v1/reports': 'createReport',
    'GET /api/v1/reports/{id}': 'getReport',
    'GET /api/v1/reports/{id}/download': 'downloadReport',
  };
  for (const [key, operationId] of Object.entries(expected)) {
    const [method, url] = key.split(' ');
    const op = doc.paths[url]?.[method.toLowerCase()];
    assert.ok(op, `${key} is in the document`);
    assert.equal(op.operationId, operationId, key);
    assert.ok(op.responses['400'] && op.responses['401'] && op.responses['403'], `${key} documents its errors`);
  }
  const download = doc.paths['/api/v1/reports/{id}/download']?.get?.responses['200'];
  assert.ok(download, 'the download documents its 200');
  assert.deepEqual(Object.keys(download.content ?? {}).sort(), ['text/csv', 'text/markdown']);
  assert.ok(doc.paths['/api/v1/reports']?.post?.responses['202'], 'POST /api/v1/reports answers 202');
});
