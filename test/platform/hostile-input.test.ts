// Hostile input answered with 4xx, never 5xx, on the real platform and database: NUL characters and
// unpaired surrogates (the login username, a query string, an event attribute, a key), bodies nested
// thousands of levels, numbers beyond a double, ids beyond bigint, out-of-range cursors and dates,
// unknown content types, prototype keys, bad percent-encoding, oversized bodies, and requests Node's
// HTTP parser refuses (CR/LF/NUL in a header). Every answer has the error shape, one line, nosniff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { InjectOptions } from 'fastify';
import { bearer, buildTestApp, login, startDatabase } from './helper.ts';
import type { ErrorBody } from './helper.ts';

const cursorOf = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const batch = (batchId: string, extra: object): object => ({ batchId, events: [{ type: 'auth', occurredAt: new Date().toISOString(), host: 'probe-host', ...extra }] });
/** A batch whose JSON text has `attributes` replaced by `attributes` (text), for what JSON.stringify cannot write. */
const rawBatch = (batchId: string, attributes: string): string => JSON.stringify(batch(batchId, { attributes: { x: 1 } })).replace('{"x":1}', attributes);

test('hostile requests answer 400/413/415 with a one-line error body, nosniff, and store nothing', async (t) => {
  const database = await startDatabase();
  const app = await buildTestApp(t, { workers: false });
  const analyst = bearer(await login(app, 'analyst01', 'analyst-demo-pass'));
  const sensor = { 'x-api-key': 'demo-sensor-key-01', 'content-type': 'application/json' };
  const cases: ReadonlyArray<[string, InjectOptions, number, RegExp]> = [
    ['NUL in the login username', { method: 'POST', url: '/api/v1/auth/login', payload: { username: 'ad\u0000min', password: 'x' } }, 400, /body field username holds a NUL/],
    ['NUL in a key of the login body', { method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'x', ['a\u0000']: 1 } }, 400, /has a key that holds a NUL/],
    ['NUL in a query string', { method: 'GET', url: '/api/v1/events?q=%00', headers: analyst }, 400, /querystring field q holds a NUL/],
    ['NUL in a path parameter', { method: 'GET', url: '/api/v1/alerts/%00', headers: analyst }, 400, /params field id holds a NUL/],
    ['NUL in an event attribute', { method: 'POST', url: '/api/v1/events/batch', headers: sensor, payload: batch('hostile-nul', { attributes: { note: 'a\u0000b' } }) }, 400, /events\[0\]\.attributes\.note holds a NUL/],
    ['an unpaired surrogate in an event attribute', { method: 'POST', url: '/api/v1/events/batch', headers: sensor, payload: rawBatch('hostile-surrogate', '{"k":"\\ud800"}') }, 400, /unpaired UTF-16 surrogate/],
    ['an unpaired surrogate in a query string', { method: 'GET', url: `/api/v1/events?q=${encodeURIComponent('x')}%ED%A0%80`, headers: analyst }, 200, /./],
    ['attributes nested 6,000 levels', { method: 'POST', url: '/api/v1/events/batch', headers: sensor, payload: rawBatch('hostile-deep', `${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`) }, 400, /body is nested deeper than 32 levels/],
    ['arrays nested 100,000 levels', { method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }, 400, /nested deeper than 32/],
    ['incident alert ids nested 100 levels', { method: 'POST', url: '/api/v1/incidents', headers: { ...analyst, 'content-type': 'application/json' }, payload: `{"title":"t","severity":"low","alertIds":${'['.repeat(100)}${']'.repeat(100)}}` }, 400, /nested deeper/],
    ['a number beyond a double', { method: 'POST', url: '/api/v1/events/batch', headers: sensor, payload: rawBatch('hostile-huge', '{"k":1e400}') }, 400, /attributes\.k is a number too large/],
    ['a port beyond a double', { method: 'POST', url: '/api/v1/events/batch', headers: sensor, payload: JSON.stringify(batch('hostile-port', { dstPort: 1 })).replace('"dstPort":1', '"dstPort":-1e400') }, 400, /dstPort is a number too large/],
    ['an id beyond bigint', { method: 'GET', url: '/api/v1/alerts/99999999999999999999', headers: analyst }, 400, /params/],
    ['a page limit of 1e400', { method: 'GET', url: '/api/v1/alerts?limit=1e400', headers: analyst }, 400, /querystring field limit is a number too large/],
    ['an assignee filter of Infinity', { method: 'GET', url: '/api/v1/alerts?assigneeId=Infinity', headers: analyst }, 400, /querystring field assigneeId is a number too large/],
    ['a cursor timestamp out of range (22009)', { method: 'GET', url: `/api/v1/events?cursor=${cursorOf({ t: '+275760-09-13T00:00:00.000Z', id: 1 })}`, headers: analyst }, 400, /out of range/],
    ['a cursor in year 0 (22008)', { method: 'GET', url: `/api/v1/alerts?cursor=${cursorOf({ t: '0000-01-01T00:00:00Z', id: 1 })}`, headers: analyst }, 400, /out of range/],
    ['a search from year 0', { method: 'GET', url: '/api/v1/events?from=0000-01-01T00:00:00Z', headers: analyst }, 400, /querystring\/from must match pattern/],
    ['a search from a UTC offset of +23:59', { method: 'GET', url: '/api/v1/alerts?from=2026-01-01T00:00:00%2B23:59', headers: analyst }, 400, /querystring\/from must match pattern/],
    ['an event at a UTC offset of -20:00', { method: 'POST', url: '/api/v1/events/batch', headers: sensor, payload: batch('hostile-offset', { occurredAt: '2026-01-01T00:00:00-20:00' }) }, 400, /occurredAt must match pattern/],
    ['a report over a range from year 0', { method: 'POST', url: '/api/v1/reports', headers: analyst, payload: { kind: 'ioc_export', params: { from: '0000-01-01T00:00:00Z', to: '0000-01-02T00:00:00Z' } } }, 400, /from must match pattern/],
    ['query parameters nested 500 levels', { method: 'GET', url: `/api/v1/events?${'a['.repeat(500)}${']'.repeat(500)}=1`, headers: analyst }, 400, /additional properties/],
    ['a form-encoded body', { method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'username=admin&password=x' }, 415, /Unsupported Media Type/],
    ['a body without a content type', { method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': '' }, payload: '{"username":"a","password":"b"}' }, 415, /Unsupported Media Type/],
    ['an XML body', { method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/xml' }, payload: '<login/>' }, 415, /Unsupported Media Type/],
    ['a __proto__ key', { method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":"a","password":"b","__proto__":{"role":"admin"}}' }, 400, /not valid JSON/],
    ['a constructor.prototype key', { method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":"a","password":"b","constructor":{"prototype":{"role":"admin"}}}' }, 400, /not valid JSON/],
    ['a body over the limit', { method: 'POST', url: '/api/v1/events/batch', headers: sensor, payload: rawBatch('hostile-big', JSON.stringify({ pad: 'x'.repeat(1_100_000) })) }, 413, /too large/],
    ['bad percent-encoding in the path', { method: 'GET', url: '/api/v1/alerts/%E0%A4%A', headers: analyst }, 400, /not a valid url component/],
  ];
  for (const [name, request, status, message] of cases) {
    const response = await app.inject(request);
    assert.equal(response.statusCode, status, `${name}: ${response.body.slice(0, 200)}`);
    assert.equal(response.headers['x-content-type-options'], 'nosniff', name);
    if (status >= 400) {
      const body = response.json<ErrorBody>();
      assert.deepEqual(Object.keys(body).sort(), ['error', 'message'], name);
      assert.match(body.message, message, name);
      assert.ok(!body.message.includes('\n') && body.message.length <= 200, name);
    }
  }
  const stored = await database.db.query("SELECT count(*)::int AS n FROM event_batches WHERE batch_id LIKE 'hostile-%'");
  assert.equal(stored.rows[0].n, 0, 'no refused batch was stored');
});

/** Sends raw bytes to the listening app and returns the whole answer as text. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer in 5 s')));
    socket.on('data', (chunk: string) => { text += chunk; });
    socket.on('end', () => { resolve(text); });
    socket.on('close', () => { resolve(text); });
    socket.on('error', reject);
    socket.end(bytes, 'latin1');
  });
}

test('requests the HTTP parser refuses (CR, LF or NUL in a header, a broken request line) answer 400 with the error shape', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const requests = [
    'GET /api/v1/alerts HTTP/1.1\r\nHost: x\r\nX-API-Key: a\rSet-Cookie: x=1\r\n\r\n',
    'GET /api/v1/alerts HTTP/1.1\r\nHost: x\r\nX-API-Key: a\u0000b\r\n\r\n',
    'GET /api/v1/alerts HTTP/1.1\r\nHost: x\r\nX Bad: 1\r\n\r\n',
    'GARBAGE\r\n\r\n',
  ];
  for (const request of requests) {
    const answer = await rawExchange(port, request);
    assert.match(answer, /^HTTP\/1\.1 400 /, JSON.stringify(request));
    assert.match(answer, /\r\nX-Content-Type-Options: nosniff\r\n/i);
    assert.match(answer, /\{"error":"validation","message":"the request is not valid HTTP"\}$/);
    assert.doesNotMatch(answer, /Set-Cookie/i);
  }
  const tooLarge = await rawExchange(port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`);
  assert.match(tooLarge, /^HTTP\/1\.1 431 /);
  const fine = await rawExchange(port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(fine, /^HTTP\/1\.1 200 /, 'the server still answers');
});
