// Analytics over a real PostgreSQL (small seed): top sources, timeline, heatmap. Each answer is
// compared with the same aggregation done directly on the tables; bad ranges and buckets are 400.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, login, bearer, startDatabase } from '../helper.ts';

const DAY = 86_400_000;

test('GET /api/v1/analytics/top-sources ranks src_ip, host and username by events or alerts', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  const { db } = await startDatabase();
  const headers = bearer(await login(app, 'analyst06', 'analyst-demo-pass'));
  const to = new Date().toISOString();
  const from = new Date(Date.now() - 7 * DAY).toISOString();

  const byIp = await app.inject({ method: 'GET', url: `/api/v1/analytics/top-sources?by=src_ip&of=events&from=${from}&to=${to}&limit=5`, headers });
  assert.equal(byIp.statusCode, 200);
  const body = byIp.json<{ by: string; of: string; from: string; to: string; items: Array<{ value: string; count: number }> }>();
  assert.equal(body.by, 'src_ip');
  assert.equal(body.of, 'events');
  assert.equal(body.items.length, 5);
  const { rows } = await db.query<{ value: string; n: string }>(
    `SELECT host(src_ip) AS value, count(*) AS n FROM events WHERE occurred_at >= $1 AND occurred_at < $2 AND src_ip IS NOT NULL
      GROUP BY src_ip ORDER BY count(*) DESC, src_ip LIMIT 5`, [from, to]);
  assert.deepEqual(body.items, rows.map((r) => ({ value: r.value, count: Number(r.n) })));
  for (let k = 1; k < body.items.length; k++) assert.ok(body.items[k - 1].count >= body.items[k].count, 'descending counts');

  const hosts = await app.inject({ method: 'GET', url: `/api/v1/analytics/top-sources?by=host&of=alerts&from=${from}&to=${to}`, headers });
  assert.equal(hosts.statusCode, 200);
  const hostItems = (hosts.json<{ items: Array<{ value: string; count: number }> }>()).items;
  assert.ok(hostItems.length > 0 && hostItems.length <= 10, 'default limit 10');
  const { rows: [top] } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM alerts WHERE host = $1 AND created_at >= $2 AND created_at < $3', [hostItems[0].value, from, to]);
  assert.equal(hostItems[0].count, Number(top.n));

  const users = await app.inject({ method: 'GET', url: '/api/v1/analytics/top-sources?by=username', headers });
  assert.equal(users.statusCode, 200, 'from/to default to the last 24 h');
  const usersBody = users.json<{ from: string; to: string; items: unknown[] }>();
  assert.ok(Math.abs(Date.parse(usersBody.to) - Date.parse(usersBody.from) - DAY) < 1000);
  assert.ok(usersBody.items.length > 0);
});

test('GET /api/v1/analytics/timeline buckets counts by minute, hour or day, zero-filled', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  const { db } = await startDatabase();
  const headers = bearer(await login(app, 'analyst07', 'analyst-demo-pass'));
  const to = new Date(Math.floor(Date.now() / DAY) * DAY);
  const from = new Date(to.getTime() - 10 * DAY);

  const daily = await app.inject({ method: 'GET', url: `/api/v1/analytics/timeline?of=events&bucket=day&from=${from.toISOString()}&to=${to.toISOString()}`, headers });
  assert.equal(daily.statusCode, 200);
  const body = daily.json<{ bucket: string; points: Array<{ t: string; count: number }> }>();
  assert.equal(body.bucket, 'day');
  assert.equal(body.points.length, 10);
  assert.equal(body.points[0].t, from.toISOString());
  const { rows: [total] } = await db.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE occurred_at >= $1 AND occurred_at < $2', [from, to]);
  assert.equal(body.points.reduce((a, p) => a + p.count, 0), Number(total.n));
  const { rows: [day3] } = await db.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE occurred_at >= $1 AND occurred_at < $2',
    [new Date(from.getTime() + 3 * DAY), new Date(from.getTime() + 4 * DAY)]);
  assert.equal(body.points[3].count, Number(day3.n));

  const hourly = await app.inject({ method: 'GET', url: `/api/v1/analytics/timeline?of=alerts&bucket=hour&from=${from.toISOString()}&to=${to.toISOString()}`, headers });
  assert.equal(hourly.statusCode, 200);
  const hourlyPoints = (hourly.json<{ points: Array<{ t: string; count: number }> }>()).points;
  assert.equal(hourlyPoints.length, 240);
  const { rows: [alerts] } = await db.query<{ n: string }>('SELECT count(*) AS n FROM alerts WHERE created_at >= $1 AND created_at < $2', [from, to]);
  assert.equal(hourlyPoints.reduce((a, p) => a + p.count, 0), Number(alerts.n));
  assert.ok(hourlyPoints.some((p) => p.count === 0), 'hours without alerts are present with 0');

  const minutes = await app.inject({ method: 'GET', url: '/api/v1/analytics/timeline?bucket=minute&from=2026-01-01T00:00:30Z&to=2026-01-01T00:10:00Z', headers });
  assert.equal(minutes.statusCode, 200);
  const minutePoints = (minutes.json<{ points: Array<{ t: string }> }>()).points;
  assert.equal(minutePoints.length, 10);
  assert.equal(minutePoints[0].t, '2026-01-01T00:00:00.000Z', 'the first bucket starts at its own boundary');
});

test('GET /api/v1/analytics/heatmap counts alerts per technique and day', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  const { db } = await startDatabase();
  const headers = bearer(await login(app, 'analyst08', 'analyst-demo-pass'));

  const response = await app.inject({ method: 'GET', url: '/api/v1/analytics/heatmap', headers });
  assert.equal(response.statusCode, 200);
  const body = response.json<{ from: string; to: string; days: string[]; techniques: string[]; cells: Array<{ technique: string; day: string; count: number }> }>();
  assert.ok(body.days.length === 7 || body.days.length === 8, `7 days by default, ${body.days.length}`);
  assert.ok(body.cells.length > 0);
  assert.ok(body.techniques.every((tech) => /^T\d{4}/.test(tech) || tech === 'unmapped'));
  const { rows: [total] } = await db.query<{ n: string }>('SELECT count(*) AS n FROM alerts WHERE created_at >= $1 AND created_at < $2', [body.from, body.to]);
  assert.equal(body.cells.reduce((a, c) => a + c.count, 0), Number(total.n));
  const cell = body.cells[0];
  const { rows: [one] } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM alerts a JOIN rules r ON r.id = a.rule_id
      WHERE COALESCE(r.technique, 'unmapped') = $1 AND a.created_at >= $2 AND a.created_at < $3
        AND to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') = $4`, [cell.technique, body.from, body.to, cell.day]);
  assert.equal(cell.count, Number(one.n));
  assert.ok(body.cells.every((c) => body.days.includes(c.day)));
});

test('analytics reject bad ranges, bad buckets and unknown parameters with 400', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  const headers = bearer(await login(app, 'analyst09', 'analyst-demo-pass'));
  const cases: Array<[string, RegExp | null]> = [
    ['/api/v1/analytics/timeline?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', /earlier than/],
    ['/api/v1/analytics/timeline?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', /earlier than/],
    ['/api/v1/analytics/timeline?bucket=week', null],
    ['/api/v1/analytics/timeline?bucket=minute&from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z', /buckets/],
    ['/api/v1/analytics/timeline?from=yesterday', null],
    ['/api/v1/analytics/timeline?of=users', null],
    ['/api/v1/analytics/top-sources?by=country', null],
    ['/api/v1/analytics/top-sources?limit=101', null],
    ['/api/v1/analytics/top-sources?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', /366 days/],
    ['/api/v1/analytics/top-sources?from=2026-01-01T00:00:00Z%27%20OR%201=1--', null],
    ['/api/v1/analytics/heatmap?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', /90 days/],
    ['/api/v1/analytics/heatmap?rule=1', null],
  ];
  for (const [url, message] of cases) {
    const response = await app.inject({ method: 'GET', url, headers });
    assert.equal(response.statusCode, 400, url);
    assert.equal(response.json<{ error: string }>().error, 'validation', url);
    if (message) assert.match(response.json<{ message: string }>().message, message, url);
  }
});

test('analytics routes: 401 without credentials, 403 for a sensor', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  for (const url of ['/api/v1/analytics/top-sources', '/api/v1/analytics/timeline', '/api/v1/analytics/heatmap']) {
    const anonymous = await app.inject({ method: 'GET', url });
    assert.equal(anonymous.statusCode, 401, url);
    const sensor = await app.inject({ method: 'GET', url, headers: { 'x-api-key': 'demo-sensor-key-03' } });
    assert.equal(sensor.statusCode, 403, url);
    assert.equal(sensor.json<{ error: string }>().error, 'forbidden', url);
  }
});
