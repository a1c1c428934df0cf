// The dashboard and analytics answer the same with OPTIMIZATIONS=none and with dashboard-counter +
// aggregate-cache (docs/optimizations.md), cold and warm, and a write is visible in the very next
// answer: an ingested batch (an old occurred_at inside a cached hour, and live events), an alert
// changed through the API, an alert raised by the detection worker. Two apps on one real PostgreSQL
// (small seed); ingestion goes through the optimised app, so its per-minute counts stay maintained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { bearer, buildTestApp, login, startDatabase } from './helper.ts';
import { applyOptionalSchema, parseOptimizations } from '../../platform/optimizations.ts';
import { SOURCES, SUBJECTS } from '../../platform/plugins/app/analytics/analytics-repository.ts';
import type { TimeRange } from '../../platform/domain/time-range.ts';

const DAY = 86_400_000;

async function answers(app: FastifyInstance, ranges: TimeRange[]): Promise<unknown[]> {
  const a = app.analyticsRepository;
  const out: unknown[] = [];
  for (const range of ranges) {
    for (const of of SUBJECTS) {
      for (const by of SOURCES) out.push(await a.topSources(by, of, range, 10));
      const span = range.to.getTime() - range.from.getTime();
      out.push(await a.timeline(of, span <= DAY ? 'minute' : span <= 7 * DAY ? 'hour' : 'day', range));
    }
    out.push(await a.heatmap(range));
  }
  return out;
}

const summaryAt = async (app: FastifyInstance, now: Date): Promise<unknown> => app.dashboardRepository.summary(now);

test('dashboard and analytics: the same answers cold and warm, and writes show in the next answer', async (t) => {
  const database = await startDatabase();
  const on = parseOptimizations('dashboard-counter,aggregate-cache');
  assert.ok(on.ok);
  await applyOptionalSchema(database.db, on.value);
  t.after(() => applyOptionalSchema(database.db, new Set()));
  const plain = await buildTestApp(t, { database, workers: false });
  const fast = await buildTestApp(t, { database, config: { optimizations: on.value } });
  const now = new Date(Date.now() - 1234);
  const ranges: TimeRange[] = [
    { from: new Date(now.getTime() - DAY), to: now },
    { from: new Date(now.getTime() - 7 * DAY), to: now },
    { from: new Date(now.getTime() - 30 * DAY), to: now },
    { from: new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 - 5 * 3_600_000), to: new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000) },
    { from: new Date(now.getTime() - 20 * 60_000), to: now },
  ];
  const expected = await answers(plain, ranges);
  assert.deepEqual(await answers(fast, ranges), expected, 'cold');
  assert.deepEqual(await answers(fast, ranges), expected, 'warm');
  assert.ok(fast.aggregateCache !== null && fast.aggregateCache.hits > 0, 'the second round came from the cache');
  assert.deepEqual(await summaryAt(fast, now), await summaryAt(plain, now));
  assert.deepEqual(await summaryAt(fast, now), await summaryAt(plain, now), 'warm summary');
  const month = { from: new Date(now.getTime() - 30 * DAY).toISOString(), to: now.toISOString() };
  assert.deepEqual(await fast.reportsRepository.generate('executive_summary', month), await plain.reportsRepository.generate('executive_summary', month), 'report');

  // An ingested batch: one event ten days back (inside every cached month), others live.
  const old = new Date(now.getTime() - 10 * DAY).toISOString();
  const events = [
    { occurredAt: old, type: 'auth', host: 'ws-cache-1', username: 'cache-user', srcIp: '192.0.2.200', outcome: 'success', country: 'US', message: 'old login' },
    ...[1, 2, 3].map((i) => ({ occurredAt: new Date(now.getTime() - i * 1000).toISOString(), type: 'dns', host: 'ws-cache-2', domain: 'example.net', message: `lookup ${i}` })),
  ];
  const before = (await summaryAt(fast, now)) as { eventsLast24h: number };
  const ingested = await fast.inject({ method: 'POST', url: '/api/v1/events/batch', headers: { 'x-api-key': 'demo-sensor-key-09' }, payload: { batchId: `cache-${randomUUID()}`, events } });
  assert.equal(ingested.statusCode, 202, ingested.body);
  const later = new Date();
  const after = (await summaryAt(fast, later)) as { eventsLast24h: number };
  assert.deepEqual(after, await summaryAt(plain, later));
  assert.equal(after.eventsLast24h - before.eventsLast24h >= 4, true, 'the batch counts in eventsLast24h');
  assert.deepEqual(await answers(fast, ranges), await answers(plain, ranges), 'after ingestion');

  // An alert changed through the API moves the dashboard's counts at once.
  const token = await login(fast, 'analyst02', 'analyst-demo-pass');
  const { rows } = await database.db.query<{ id: string }>("SELECT id FROM alerts WHERE status = 'new' ORDER BY id LIMIT 1");
  const patched = await fast.inject({ method: 'PATCH', url: `/api/v1/alerts/${rows[0].id}`, headers: bearer(token), payload: { status: 'resolved' } });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.deepEqual(await summaryAt(fast, later), await summaryAt(plain, later), 'after an alert update');

  // An alert raised by the worker: visible in the next summary and alert analytics.
  const raised = await fast.inject({
    method: 'POST', url: '/api/v1/events/batch', headers: { 'x-api-key': 'demo-sensor-key-09' },
    payload: { batchId: `cache-${randomUUID()}`, events: [{ occurredAt: new Date().toISOString(), type: 'process', host: 'ws-cache-3', process: 'mimikatz.exe', message: 'process start' }] },
  });
  assert.equal(raised.statusCode, 202, raised.body);
  const deadline = Date.now() + 15_000;
  while ((await database.db.query("SELECT 1 FROM alerts WHERE host = 'ws-cache-3'")).rowCount === 0) {
    assert.ok(Date.now() < deadline, 'the worker raised the alert within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 100)); // the pass's listeners run right after its commit
  const end = new Date(Date.now() + 1000);
  assert.deepEqual(await summaryAt(fast, end), await summaryAt(plain, end), 'after detection');
  const hosts = await fast.analyticsRepository.topSources('host', 'alerts', { from: new Date(end.getTime() - 30 * DAY), to: end }, 100);
  assert.deepEqual(hosts, await plain.analyticsRepository.topSources('host', 'alerts', { from: new Date(end.getTime() - 30 * DAY), to: end }, 100));
  assert.ok(hosts.some((h) => h.value === 'ws-cache-3'));

  // Over HTTP too (the route reads the same repository).
  const http = await fast.inject({ method: 'GET', url: '/api/v1/dashboard/summary', headers: bearer(token) });
  assert.equal(http.statusCode, 200);
});
