// GET /api/v1/alerts/wait over a real PostgreSQL with the detection worker on: the long poll answers
// as soon as the worker raises (or correlates) the awaited alert, with its server-recorded times;
// it answers timedOut after the timeout when nothing matches, and at once when the app closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, login, bearer, startDatabase } from '../helper.ts';

const SENSOR = { 'x-api-key': 'demo-sensor-key-05' };

type WaitedAlert = {
  id: number;
  ruleId: number;
  srcIp: string | null;
  incidentId: number | null;
  eventIngestedAt: string;
  createdAt: string;
  detectionLatencyMs: number;
  correlatedAt: string | null;
  correlationMs: number | null;
};
type WaitAnswer = { items: WaitedAlert[]; timedOut: boolean };

async function ingest(app: FastifyInstance, srcIp: string, fields: object): Promise<void> {
  const host = `wait-${randomUUID().slice(0, 8)}`;
  const event = { type: 'process', occurredAt: new Date().toISOString(), host, username: 'wait.tester', srcIp, message: `process on ${host}`, ...fields };
  const response = await app.inject({ method: 'POST', url: '/api/v1/events/batch', headers: SENSOR, payload: { batchId: randomUUID(), events: [event] } });
  assert.equal(response.statusCode, 202, response.body);
}

async function ruleId(app: FastifyInstance, token: string, name: string): Promise<number> {
  const response = await app.inject({ method: 'GET', url: '/api/v1/admin/rules?limit=200', headers: bearer(token) });
  const rule = response.json<{ items: Array<{ id: number; name: string }> }>().items.find((r) => r.name === name);
  assert.ok(rule !== undefined, name);
  return rule.id;
}

test('GET /alerts/wait answers when the worker raises the awaited alert, then when it is correlated', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const token = await login(app, 'analyst07', 'analyst-demo-pass');
  const admin = await login(app, 'admin', 'admin-demo-pass');
  const dumping = await ruleId(app, admin, 'Credential dumping tool');
  const powershell = await ruleId(app, admin, 'Encoded PowerShell command');
  const ip = '198.18.7.21';
  const from = new Date(Date.now() - 60_000).toISOString();

  const started = Date.now();
  const waiting = app.inject({ method: 'GET', url: `/api/v1/alerts/wait?ruleId=${dumping}&srcIp=${ip}&from=${from}&timeout=20`, headers: bearer(token) });
  await new Promise((resolve) => setTimeout(resolve, 300)); // the wait is pending before the attack
  await ingest(app, ip, { process: 'mimikatz.exe' });
  const response = await waiting;
  const elapsed = Date.now() - started;
  assert.equal(response.statusCode, 200, response.body);
  const first = response.json<WaitAnswer>();
  assert.equal(first.timedOut, false);
  assert.equal(first.items.length, 1);
  const alert = first.items[0];
  assert.equal(alert.ruleId, dumping);
  assert.equal(alert.srcIp, ip);
  // woken by the worker, not by the 5 s recheck nor the 20 s timeout
  assert.ok(elapsed < 4000, `answered ${elapsed} ms after the wait began`);
  assert.ok(alert.detectionLatencyMs >= 0);
  assert.ok(Date.parse(alert.createdAt) >= Date.parse(alert.eventIngestedAt));
  const { rows } = await db.query<{ id: string; detection_latency_ms: number }>('SELECT id, detection_latency_ms FROM alerts WHERE src_ip = $1::inet AND rule_id = $2', [ip, dumping]);
  assert.deepEqual(rows.map((r) => [Number(r.id), r.detection_latency_ms]), [[alert.id, alert.detectionLatencyMs]]);

  // Second stage: another rule, same attacker; wait until automatic correlation puts it in an incident.
  const correlated = app.inject({ method: 'GET', url: `/api/v1/alerts/wait?ruleId=${powershell}&srcIp=${ip}&from=${from}&correlated=true&timeout=20`, headers: bearer(token) });
  await ingest(app, ip, { message: 'powershell.exe -EncodedCommand SQBFAFgA' });
  const second = (await correlated).json<WaitAnswer>();
  assert.equal(second.timedOut, false);
  assert.equal(second.items.length, 1);
  assert.notEqual(second.items[0].incidentId, null);
  assert.equal(typeof second.items[0].correlationMs, 'number');
  assert.equal(typeof second.items[0].correlatedAt, 'string');
  const incident = await db.query<{ incident_id: string }>('SELECT incident_id FROM alerts WHERE id = $1', [alert.id]);
  assert.equal(Number(incident.rows[0].incident_id), second.items[0].incidentId, 'both stages in one incident');

  // `after` is a cursor over new alerts: nothing newer than the second alert from this attacker.
  const after = await app.inject({ method: 'GET', url: `/api/v1/alerts/wait?srcIp=${ip}&after=${second.items[0].id}&timeout=0`, headers: bearer(token) });
  assert.deepEqual(after.json<WaitAnswer>(), { items: [], timedOut: true });
});

test('GET /alerts/wait times out with no items, refuses bad input and anonymous callers', async (t) => {
  const app = await buildTestApp(t);
  const token = await login(app, 'analyst08', 'analyst-demo-pass');
  const started = Date.now();
  const response = await app.inject({ method: 'GET', url: '/api/v1/alerts/wait?srcIp=198.18.9.9&timeout=0.6', headers: bearer(token) });
  const elapsed = Date.now() - started;
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json<WaitAnswer>(), { items: [], timedOut: true });
  assert.ok(elapsed >= 550 && elapsed < 5000, `waited ${elapsed} ms for a 0.6 s timeout`);

  for (const query of ['timeout=26', 'timeout=-1', 'srcIp=not-an-ip', 'ruleId=0', 'color=red']) {
    const bad = await app.inject({ method: 'GET', url: `/api/v1/alerts/wait?${query}`, headers: bearer(token) });
    assert.equal(bad.statusCode, 400, query);
    assert.equal(bad.json<{ error: string }>().error, 'validation');
  }
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/alerts/wait?timeout=0' })).statusCode, 401);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/alerts/wait?timeout=0', headers: SENSOR })).statusCode, 403);
});

test('closing the app answers pending waits at once', async (t) => {
  const app = await buildTestApp(t);
  const token = await login(app, 'analyst09', 'analyst-demo-pass');
  const waiting = app.inject({ method: 'GET', url: '/api/v1/alerts/wait?srcIp=198.18.9.10&timeout=20', headers: bearer(token) });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = Date.now();
  await app.close();
  const response = await waiting;
  assert.ok(Date.now() - started < 5000, 'close did not wait for the 20 s timeout');
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json<WaitAnswer>(), { items: [], timedOut: true });
});
