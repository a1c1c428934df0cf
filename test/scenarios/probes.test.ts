// The attack probes of the incident-response flow: which rule a stage uses, when a probe stops
// polling, and that the flows which close or group alerts leave the probes' alerts alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RULES } from '../../platform/detection/rules-seed.ts';
import { chooseRule, craftAttack, newProbe, nextWaitSeconds, observeAlerts, PROBE_WAIT_SECONDS, probePending, type Rule } from '../../processors/attacks.mts';
import { pickItem } from '../../processors/capture.mts';
import { pickFreeAlerts } from '../../processors/incident-response.mts';
import { isProbeIp, pools, uniqueIp } from '../../processors/payloads.mts';
import type { HttpResponse, RequestParams, VuContext, VuEvents } from '../../processors/types.mts';

const rules: Rule[] = DEFAULT_RULES.map((r, i) => ({ id: i + 1, name: r.name, kind: r.kind, enabled: true, params: r.params }));

test('the second stage of an attack prefers a pattern rule other than the first', () => {
  for (let i = 0; i < 20; i++) {
    const second = chooseRule(rules, 'correlated', 1);
    assert.equal(second.kind, 'pattern');
    assert.notEqual(second.id, 1);
  }
});

test('a probe is pending until its alert is seen, and for the correlated stage until it is in an incident', () => {
  const plan = craftAttack(rules[3], '198.18.1.2');
  const probe = newProbe(plan, 'correlated', 30_000);
  probe.injectedAt = 1000;
  const other = { id: 9, ruleId: plan.ruleId, srcIp: '198.18.9.9', incidentId: null };
  observeAlerts(probe, { items: [other] }, 1100);
  assert.equal(probe.seenAt, null);
  assert.equal(probePending(probe, 1100), true);
  observeAlerts(probe, { items: [other, { id: 7, ruleId: plan.ruleId, srcIp: '198.18.1.2', incidentId: null, detectionLatencyMs: 12.5 }] }, 1200);
  assert.deepEqual([probe.alertId, probe.seenAt, probe.serverLatencyMs], [7, 1200, 12.5]);
  assert.equal(probePending(probe, 1200), true, 'not yet correlated');
  observeAlerts(probe, { items: [{ id: 7, ruleId: plan.ruleId, srcIp: '198.18.1.2', incidentId: 3, correlationMs: 4.5 }] }, 1300);
  assert.deepEqual([probe.incidentId, probe.correlatedAt, probe.seenAt, probe.serverCorrelationMs], [3, 1300, 1200, 4.5]);
  assert.equal(probePending(probe, 1300), false);
  const late = newProbe(plan, 'initial', 10);
  assert.equal(probePending(late, Date.now() + 1000), false, 'the deadline ends the polling');
});

test('a probe makes a bounded number of waits, each no longer than what is left of its timeout', () => {
  const probe = newProbe(craftAttack(rules[3], '198.18.1.3'), 'initial', 60_000);
  const start = Date.now();
  probe.deadline = start + 60_000;
  assert.equal(nextWaitSeconds(probe, start), PROBE_WAIT_SECONDS);
  assert.equal(nextWaitSeconds(probe, start + 52_500), 8, 'rounded up to whole seconds');
  assert.equal(nextWaitSeconds(probe, start + 61_000), 0);
  assert.equal(probe.maxPolls, 5, 'three full waits cover 60 s, plus two answered early');
  for (let i = 0; i < probe.maxPolls; i++) {
    assert.equal(probePending(probe, start + 1000), true);
    observeAlerts(probe, { items: [], timedOut: true }, start + 1000);
  }
  assert.equal(probePending(probe, start + 1000), false, 'no wait beyond maxPolls, even before the deadline');
});

test('flows that close alerts or group them into incidents leave the probes\' alerts alone', async () => {
  const events: VuEvents = { emit: () => true };
  const res = (body: unknown): HttpResponse => ({ statusCode: 200, body: JSON.stringify(body), headers: {} });
  const req = (extra: Record<string, unknown> = {}): RequestParams => ({ url: '/api/v1/alerts', ...extra });
  const probeIp = uniqueIp();
  assert.ok(isProbeIp(probeIp), probeIp);
  for (const ip of [pools.externalIps[0], '10.0.0.7', '198.20.0.1', null]) assert.equal(isProbeIp(ip), false, String(ip));
  const alerts = { items: [{ id: 1, srcIp: probeIp, incidentId: null }, { id: 2, srcIp: '10.0.0.7', incidentId: null }, { id: 3, srcIp: uniqueIp(), incidentId: null }] };

  for (let i = 0; i < 20; i++) {
    const context: VuContext = { vars: {} };
    await pickItem(req({ pickInto: 'alertId', skipProbes: true }), res(alerts), context, events);
    assert.equal(context.vars.alertId, 2, 'the triage pick skips probe alerts');
    await pickFreeAlerts(req(), res(alerts), context, events);
    assert.deepEqual(context.vars.freeAlertIds, [2], 'a manual incident never takes a probe alert');
  }
  const context: VuContext = { vars: {} };
  await pickItem(req({ pickInto: 'alertId' }), res({ items: [{ id: 1, srcIp: probeIp }] }), context, events);
  assert.equal(context.vars.alertId, 1, 'without skipProbes every item may be picked');

  // in a storm the newest page may hold only probes' alerts: nothing is picked (the triage steps are
  // skipped, never sent for alert 0), and the next page picks, unless an earlier page already did
  const storm: VuContext = { vars: {} };
  await pickItem(req({ pickInto: 'alertId', skipProbes: true }), res({ items: [{ id: 9, srcIp: probeIp }] }), storm, events);
  assert.equal(storm.vars.alertId, 0);
  await pickItem(req({ pickInto: 'alertId', skipProbes: true, keepPicked: true }), res(alerts), storm, events);
  assert.equal(storm.vars.alertId, 2, 'the next page picks');
  await pickItem(req({ pickInto: 'alertId', skipProbes: true, keepPicked: true }), res({ items: [{ id: 7, srcIp: '10.0.0.8' }] }), storm, events);
  assert.equal(storm.vars.alertId, 2, 'an earlier pick is kept');
});
