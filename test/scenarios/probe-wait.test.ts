// The incident-response probe against the real platform: an attack is injected, awaitProbe waits on
// GET /api/v1/alerts/wait until the platform raises its alert, and recordDetection emits the
// client-observed and the server-recorded detection latency side by side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { buildTestApp, login } from '../platform/helper.ts';
import { attackBatch, type Probe } from '../../processors/attacks.mts';
import { awaitProbe, markInjected, planAttack, recordDetection } from '../../processors/incident-response.mts';
import type { VuContext, VuEvents } from '../../processors/types.mts';

test('a probe waits on the long poll and records client and server detection latency', { timeout: 60_000 }, async (t) => {
  const app = await buildTestApp(t);
  await app.listen({ host: '127.0.0.1', port: 0 }); // closed by buildTestApp's t.after
  const target = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const token = await login(app, 'analyst11', 'analyst-demo-pass');
  const emitted: Array<[string, string, number]> = [];
  const events: VuEvents = { emit: (type, name, value) => emitted.push([type, name, value]) > 0 };
  const context: VuContext = { vars: { target, token, probeTimeoutMs: 20_000 } };

  await planAttack(context, events);
  const probe = context.vars.probe as Probe;
  if (probe.plan.indicators.length > 0) {
    const imported = await fetch(`${target}/api/v1/indicators/import`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ indicators: probe.plan.indicators }) });
    assert.equal(imported.status, 200);
  }
  const sent = await fetch(`${target}/api/v1/events/batch`, { method: 'POST', headers: { 'x-api-key': 'demo-sensor-key-06', 'content-type': 'application/json' }, body: JSON.stringify(attackBatch(probe.plan)) });
  assert.equal(sent.status, 202);
  await markInjected({ url: '/api/v1/events/batch' }, { statusCode: 202, body: await sent.text(), headers: {} }, context, events);

  await awaitProbe(context, events);
  assert.notEqual(probe.seenAt, null, `rule '${probe.plan.ruleName}' detected`);
  assert.ok(probe.polls >= 1 && probe.polls <= probe.maxPolls);
  await recordDetection(context, events);
  const histogram = (name: string): number | undefined => emitted.find(([type, n]) => type === 'histogram' && n === name)?.[2];
  const client = histogram('rampart.detection_latency');
  const server = histogram('rampart.detection_latency_server');
  assert.ok(client !== undefined && server !== undefined, JSON.stringify(emitted));
  assert.ok(client < 15_000, `client-observed ${client} ms`);
  assert.ok(server >= 0 && server < 15_000, `server-recorded ${server} ms`);
  assert.equal(emitted.filter(([, n]) => n === 'rampart.probe.polls').length, probe.polls);
  assert.equal(typeof context.vars.alertId, 'number');
});
