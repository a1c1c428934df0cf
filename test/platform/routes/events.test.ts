// Events routes over a real PostgreSQL: batch ingestion (idempotent, validated, size-limited),
// search with filters and cursor pagination, and detail. Each test checks status, payload, database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, login, bearer, startDatabase } from '../helper.ts';
import type { ErrorBody } from '../helper.ts';

const SENSOR = { 'x-api-key': 'demo-sensor-key-01' };
const SENSOR_2 = { 'x-api-key': 'demo-sensor-key-02' };

type EventOut = { id: number; host: string; username: string | null; type: string; srcIp: string | null; message: string; occurredAt: string; detectedAt: string | null; attributes: Record<string, unknown> };
type Page = { items: EventOut[]; nextCursor: string | null };

const uniqueHost = (): string => `host-${randomUUID().slice(0, 8)}`;
const minutesAgo = (m: number): string => new Date(Date.now() - m * 60_000).toISOString();

async function ingest(app: FastifyInstance, events: object[], batchId: string = randomUUID(), headers: Record<string, string> = SENSOR) {
  return app.inject({ method: 'POST', url: '/api/v1/events/batch', headers, payload: { batchId, events } });
}

test('POST /events/batch stores the batch and answers 202 after commit; a replay stores nothing new', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const host = uniqueHost();
  const batchId = `batch-${randomUUID()}`;
  const events = [
    { type: 'auth', occurredAt: minutesAgo(2), host, username: 'alice', srcIp: '192.0.2.10', outcome: 'failure', country: 'US', message: 'login failed' },
    { type: 'network', occurredAt: minutesAgo(1), host, srcIp: '192.0.2.10', dstIp: '2001:db8::1', dstPort: 443, attributes: { bytes: 512 } },
    { type: 'process', occurredAt: minutesAgo(1), host, process: 'cmd.exe', fileHash: 'abc123', message: 'started' },
  ];
  const first = await ingest(app, events, batchId);
  assert.equal(first.statusCode, 202);
  assert.deepEqual(first.json(), { batchId, accepted: 3, duplicate: false });
  const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE batch_id = $1 AND host = $2', [batchId, host]);
  assert.equal(stored.rows[0].n, 3);
  const batchRow = await db.query<{ event_count: number }>('SELECT event_count FROM event_batches WHERE batch_id = $1', [batchId]);
  assert.equal(batchRow.rows[0].event_count, 3);

  const replay = await ingest(app, events, batchId);
  assert.equal(replay.statusCode, 202);
  assert.deepEqual(replay.json(), { batchId, accepted: 0, duplicate: true });
  const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE batch_id = $1', [batchId]);
  assert.equal(after.rows[0].n, 3);

  // The same batch id from another sensor is a different batch.
  const other = await ingest(app, events.slice(0, 1), batchId, SENSOR_2);
  assert.equal(other.statusCode, 202);
  assert.deepEqual(other.json(), { batchId, accepted: 1, duplicate: false });

  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /rampart_events_ingested_total\{sensor="sensor-01"\} 3/);
  assert.match(metrics.body, /rampart_events_ingested_total\{sensor="sensor-02"\} 1/);
});

test('POST /events/batch: concurrent deliveries of one batch store it exactly once', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const batchId = `race-${randomUUID()}`;
  const events = [{ type: 'dns', occurredAt: minutesAgo(1), host: uniqueHost(), domain: 'example.org' }];
  const answers = await Promise.all(Array.from({ length: 5 }, () => ingest(app, events, batchId)));
  assert.deepEqual(answers.map((a) => a.statusCode), [202, 202, 202, 202, 202]);
  assert.equal(answers.filter((a) => !a.json<{ duplicate: boolean }>().duplicate).length, 1);
  const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE batch_id = $1', [batchId]);
  assert.equal(stored.rows[0].n, 1);
});

test('POST /events/batch needs a sensor key: 401 without, 401 with a wrong one, 403 for a user', async (t) => {
  const app = await buildTestApp(t);
  const events = [{ type: 'dns', occurredAt: minutesAgo(1), host: 'h' }];
  const none = await app.inject({ method: 'POST', url: '/api/v1/events/batch', payload: { batchId: 'x', events } });
  assert.equal(none.statusCode, 401);
  assert.equal(none.json<ErrorBody>().error, 'unauthorized');
  const wrong = await ingest(app, events, 'x', { 'x-api-key': 'not-a-key' });
  assert.equal(wrong.statusCode, 401);
  const token = await login(app, 'analyst01', 'analyst-demo-pass');
  const user = await app.inject({ method: 'POST', url: '/api/v1/events/batch', headers: bearer(token), payload: { batchId: 'x', events } });
  assert.equal(user.statusCode, 403);
  assert.equal(user.json<ErrorBody>().error, 'forbidden');
});

test('POST /events/batch rejects bad events with 400 and stores nothing', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const host = uniqueHost();
  const good = { type: 'auth', occurredAt: minutesAgo(1), host };
  const cases: Array<[string, object]> = [
    ['unknown field', { ...good, colour: 'red' }],
    ['unknown type', { ...good, type: 'telepathy' }],
    ['bad time', { ...good, occurredAt: 'yesterday' }],
    ['bad ip', { ...good, srcIp: '999.1.1.1' }],
    ['injection in ip', { ...good, srcIp: "1.1.1.1'; DROP TABLE events; --" }],
    ['bad port', { ...good, dstPort: 70000 }],
    ['bad outcome', { ...good, outcome: 'maybe' }],
    ['missing host', { type: 'auth', occurredAt: minutesAgo(1) }],
  ];
  for (const [what, event] of cases) {
    const response = await ingest(app, [good, event]);
    assert.equal(response.statusCode, 400, what);
    assert.equal(response.json<ErrorBody>().error, 'validation', what);
  }
  const empty = await ingest(app, []);
  assert.equal(empty.statusCode, 400);
  const noBatchId = await app.inject({ method: 'POST', url: '/api/v1/events/batch', headers: SENSOR, payload: { events: [good] } });
  assert.equal(noBatchId.statusCode, 400);
  const malformed = await app.inject({ method: 'POST', url: '/api/v1/events/batch', headers: { ...SENSOR, 'content-type': 'application/json' }, payload: '{"batchId": "x", "events": [' });
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.json<ErrorBody>().error, 'validation');
  const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE host = $1', [host]);
  assert.equal(stored.rows[0].n, 0);
});

test('POST /events/batch: more events than MAX_BATCH_EVENTS is a 400, a body over the limit a 413', async (t) => {
  const app = await buildTestApp(t, { config: { maxBatchEvents: 5, bodyLimitBytes: 4096 } });
  const { db } = await startDatabase();
  const host = uniqueHost();
  const event = { type: 'dns', occurredAt: minutesAgo(1), host, domain: 'example.org' };
  const tooMany = await ingest(app, Array.from({ length: 6 }, () => event));
  assert.equal(tooMany.statusCode, 400);
  assert.equal(tooMany.json<ErrorBody>().error, 'validation');
  const huge = await ingest(app, [{ ...event, message: 'x'.repeat(4000) }, { ...event, message: 'y'.repeat(4000) }]);
  assert.equal(huge.statusCode, 413);
  assert.equal(huge.json<ErrorBody>().error, 'payload_too_large');
  const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE host = $1', [host]);
  assert.equal(stored.rows[0].n, 0);
  const fits = await ingest(app, Array.from({ length: 5 }, () => event));
  assert.equal(fits.statusCode, 202);
  assert.equal(fits.json<{ accepted: number }>().accepted, 5);
});

test('GET /events searches by host, user, type, source IP and literal free text, newest first', async (t) => {
  const app = await buildTestApp(t);
  const token = await login(app, 'analyst01', 'analyst-demo-pass');
  const host = uniqueHost();
  const events = [
    { type: 'auth', occurredAt: minutesAgo(30), host, username: 'bob', srcIp: '198.51.100.7', outcome: 'success', message: 'login ok' },
    { type: 'auth', occurredAt: minutesAgo(20), host, username: 'carol', srcIp: '198.51.100.8', outcome: 'failure', message: 'login failed for carol' },
    { type: 'process', occurredAt: minutesAgo(10), host, username: 'bob', process: 'backup.exe', message: 'progress 100%_done' },
    { type: 'process', occurredAt: minutesAgo(5), host, username: 'bob', process: 'backup.exe', message: 'progress 100 done' },
  ];
  assert.equal((await ingest(app, events)).statusCode, 202);
  const search = async (query: string) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/events?host=${host}&${query}`, headers: bearer(token) });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<Page>();
  };
  const all = await search('');
  assert.deepEqual(all.items.map((e) => e.message), ['progress 100 done', 'progress 100%_done', 'login failed for carol', 'login ok']);
  assert.equal(all.nextCursor, null);
  assert.deepEqual((await search('username=carol')).items.map((e) => e.username), ['carol']);
  assert.deepEqual((await search('type=process')).items.length, 2);
  assert.deepEqual((await search('srcIp=198.51.100.7')).items.map((e) => e.srcIp), ['198.51.100.7']);
  // % and _ are matched literally, not as wildcards; matching ignores case.
  assert.deepEqual((await search(`q=${encodeURIComponent('100%_')}`)).items.map((e) => e.message), ['progress 100%_done']);
  assert.deepEqual((await search('q=LOGIN%20FAILED')).items.map((e) => e.username), ['carol']);
  assert.deepEqual((await search(`q=${encodeURIComponent("' OR 1=1 --")}`)).items, []);
  // The range: from/to select by occurredAt.
  const ranged = await search(`from=${encodeURIComponent(minutesAgo(25))}&to=${encodeURIComponent(minutesAgo(7))}`);
  assert.deepEqual(ranged.items.map((e) => e.message), ['progress 100%_done', 'login failed for carol']);
});

test('GET /events defaults to the last 24 hours and pages with a cursor without gaps or repeats', async (t) => {
  const app = await buildTestApp(t);
  const token = await login(app, 'analyst02', 'analyst-demo-pass');
  const host = uniqueHost();
  const recent = Array.from({ length: 7 }, (_, i) => ({ type: 'dns', occurredAt: minutesAgo(60 + i), host, domain: `d${i}.example`, message: `q${i}` }));
  const old = { type: 'dns', occurredAt: minutesAgo(26 * 60), host, message: 'old' };
  assert.equal((await ingest(app, [...recent, old])).statusCode, 202);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/api/v1/events?host=${host}&limit=3${cursor === null ? '' : `&cursor=${cursor}`}`;
    const response = await app.inject({ method: 'GET', url, headers: bearer(token) });
    assert.equal(response.statusCode, 200);
    const page = response.json<Page>();
    seen.push(...page.items.map((e) => e.message));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 10);
  assert.equal(pages, 3);
  assert.deepEqual(seen, ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6']);
  const withOld = await app.inject({ method: 'GET', url: `/api/v1/events?host=${host}&from=${encodeURIComponent(minutesAgo(27 * 60))}`, headers: bearer(token) });
  assert.equal(withOld.json<Page>().items.length, 8);
});

test('GET /events: 400 for a bad cursor, a bad filter, an inverted range; 401 without a token; 403 for a sensor', async (t) => {
  const app = await buildTestApp(t);
  const token = await login(app, 'analyst03', 'analyst-demo-pass');
  for (const query of ['cursor=not-a-cursor', `cursor=${Buffer.from('{"t":"x","id":1}').toString('base64url')}`, 'limit=0', 'limit=500', 'type=nope', 'srcIp=abc', 'colour=red', `from=${encodeURIComponent(minutesAgo(1))}&to=${encodeURIComponent(minutesAgo(10))}`]) {
    const response = await app.inject({ method: 'GET', url: `/api/v1/events?${query}`, headers: bearer(token) });
    assert.equal(response.statusCode, 400, query);
    assert.equal(response.json<ErrorBody>().error, 'validation', query);
  }
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/events' })).statusCode, 401);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/events', headers: SENSOR })).statusCode, 403);
});

test('GET /events/:id returns one event; 404 when missing, 400 for a non-numeric id', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'admin', 'admin-demo-pass');
  const host = uniqueHost();
  await ingest(app, [{ type: 'file', occurredAt: minutesAgo(3), host, fileHash: 'deadbeef', message: 'written', attributes: { path: '/tmp/x' } }]);
  const { rows } = await db.query<{ id: string }>('SELECT id FROM events WHERE host = $1', [host]);
  const id = Number(rows[0].id);
  const response = await app.inject({ method: 'GET', url: `/api/v1/events/${id}`, headers: bearer(token) });
  assert.equal(response.statusCode, 200);
  const event = response.json<EventOut & { fileHash: string }>();
  assert.equal(event.id, id);
  assert.equal(event.host, host);
  assert.equal(event.fileHash, 'deadbeef');
  assert.deepEqual(event.attributes, { path: '/tmp/x' });
  const missing = await app.inject({ method: 'GET', url: '/api/v1/events/999999999', headers: bearer(token) });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<ErrorBody>().error, 'not_found');
  const bad = await app.inject({ method: 'GET', url: '/api/v1/events/abc', headers: bearer(token) });
  assert.equal(bad.statusCode, 400);
});

test('every events route: 401 without credentials, 403 for the wrong role', async (t) => {
  const app = await buildTestApp(t);
  const analyst = await login(app, 'analyst01', 'analyst-demo-pass');
  const routes: Array<{ method: 'GET' | 'POST'; url: string; wrong: Record<string, string>; payload?: object }> = [
    { method: 'POST', url: '/api/v1/events/batch', wrong: bearer(analyst), payload: { batchId: 'auth-matrix', events: [{ type: 'dns', occurredAt: minutesAgo(1), host: 'h' }] } },
    { method: 'GET', url: '/api/v1/events', wrong: SENSOR },
    { method: 'GET', url: '/api/v1/events/1', wrong: SENSOR },
  ];
  for (const route of routes) {
    const anonymous = await app.inject({ method: route.method, url: route.url, payload: route.payload });
    assert.equal(anonymous.statusCode, 401, `${route.method} ${route.url}`);
    assert.equal(anonymous.json<ErrorBody>().error, 'unauthorized');
    const wrong = await app.inject({ method: route.method, url: route.url, headers: route.wrong, payload: route.payload });
    assert.equal(wrong.statusCode, 403, `${route.method} ${route.url}`);
    assert.equal(wrong.json<ErrorBody>().error, 'forbidden');
  }
});

test('database down: ingestion answers 503 and acknowledges nothing; the sensor\'s retry after recovery is stored once', async (t) => {
  const app = await buildTestApp(t);
  const { db, server } = await startDatabase();
  if (server === undefined) {
    t.skip('needs the embedded server (DATABASE_URL points at an external one)');
    return;
  }
  const host = uniqueHost();
  const batchId = `outage-${randomUUID()}`;
  const events = [{ type: 'auth', occurredAt: minutesAgo(1), host, username: 'dave', outcome: 'success', message: 'ok' }];
  await server.stop();
  try {
    const down = await ingest(app, events, batchId);
    assert.equal(down.statusCode, 503);
    assert.equal(down.json<ErrorBody>().error, 'unavailable');
  } finally {
    await server.start();
  }
  // The sensor retries the same batch; a connection broken by the restart may cost one more retry.
  let retry = await ingest(app, events, batchId);
  for (let i = 0; i < 20 && retry.statusCode === 503; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    retry = await ingest(app, events, batchId);
  }
  assert.equal(retry.statusCode, 202);
  assert.deepEqual(retry.json(), { batchId, accepted: 1, duplicate: false });
  const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE host = $1', [host]).catch(async () =>
    db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE host = $1', [host]),
  );
  assert.equal(stored.rows[0].n, 1);
});
