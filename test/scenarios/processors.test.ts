// The processors' pure parts: attack events crafted from every default detection rule, benign and
// edge-case payloads checked against the platform's own event schema, the probe's bookkeeping, and
// the tokens the platform must refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { eventInput } from '../../platform/routes/events/schemas.ts';
import { DEFAULT_RULES } from '../../platform/detection/rules-seed.ts';
import { craftAttack, chooseRule, injectable, newProbe, observeAlerts, probePending, type Rule } from '../../processors/attacks.mts';
import { benignBatch, indicatorBatch, pools, uniqueIp } from '../../processors/payloads.mts';
import { edgeTokens, hugeBatch, oversizedBatch } from '../../processors/edge.mts';

type AjvClass = typeof AjvModule.default;
const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as unknown as AjvClass;
const addFormats = ((addFormatsModule as unknown as { default?: (a: unknown) => void }).default ?? addFormatsModule) as unknown as (a: InstanceType<AjvClass>) => void;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validEvent = ajv.compile(eventInput);

const rules: Rule[] = DEFAULT_RULES.map((r, i) => ({ id: i + 1, name: r.name, kind: r.kind, enabled: true, params: r.params }));

function assertValidEvents(events: unknown[], what: string): void {
  for (const e of events) assert.ok(validEvent(e), `${what}: ${JSON.stringify(validEvent.errors)} in ${JSON.stringify(e)}`);
}

test('benign batches and threat feeds are valid against the platform schema and drawn from the shared pools', () => {
  const batch = benignBatch(200);
  assert.match(batch.batchId, /^b-[0-9a-f-]{36}$/);
  assert.equal(batch.events.length, 200);
  assertValidEvents(batch.events, 'benign');
  const types = new Set(batch.events.map((e) => e.type));
  assert.deepEqual([...types].sort(), ['auth', 'dns', 'file', 'network', 'process']);
  assert.ok(batch.events.every((e) => (pools.hosts as readonly string[]).includes(e.host)));
  for (const i of indicatorBatch(50)) {
    assert.ok(['ip', 'domain', 'hash'].includes(i.type));
    assert.ok(i.value.length > 0 && i.value.length <= 512 && i.source.length > 0);
  }
});

test('every default rule gets an attack crafted from its own parameters, valid against the schema', () => {
  assert.ok(rules.every(injectable));
  for (const rule of rules) {
    const ip = uniqueIp();
    const plan = craftAttack(rule, ip);
    assert.equal(plan.ruleId, rule.id);
    assert.ok(plan.events.length > 0, rule.name);
    assertValidEvents(plan.events, rule.name);
    assert.ok(plan.events.every((e) => e.srcIp === ip), `${rule.name}: every event comes from the attacker IP`);
    switch (rule.kind) {
      case 'brute_force': {
        const threshold = rule.params.threshold as number;
        const failures = plan.events.filter((e) => e.type === 'auth' && e.outcome === 'failure');
        assert.ok(failures.length >= threshold, `${failures.length} failures for threshold ${threshold}`);
        const times = failures.map((e) => Date.parse(e.occurredAt));
        assert.ok(Math.max(...times) - Math.min(...times) < (rule.params.windowSeconds as number) * 1000, 'inside the window');
        break;
      }
      case 'impossible_travel': {
        const [a, b] = plan.events;
        assert.equal(a.username, b.username);
        assert.notEqual(a.country, b.country);
        assert.ok(a.outcome === 'success' && b.outcome === 'success');
        break;
      }
      case 'indicator_match': {
        assert.equal(plan.indicators.length, 1);
        const value = plan.indicators[0].value;
        assert.ok(plan.events.some((e) => e.domain === value || e.srcIp === value || e.fileHash === value));
        break;
      }
      case 'pattern': {
        const field = rule.params.field as string;
        const value = rule.params.value as string;
        const key = field === 'file_hash' ? 'fileHash' : field;
        const got = String((plan.events[0] as unknown as Record<string, unknown>)[key]);
        assert.ok(got.toLowerCase().includes(value.toLowerCase()), `${rule.name}: ${field}=${got} matches ${value}`);
        if (typeof rule.params.eventType === 'string') assert.equal(plan.events[0].type, rule.params.eventType);
        break;
      }
    }
  }
});

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

test('tokens the platform must refuse: expired, alg none, forged, garbage', () => {
  const decode = (t: string): { header: Record<string, unknown>; payload: Record<string, unknown>; sig: string } => {
    const [h, p, sig] = t.split('.');
    return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), payload: JSON.parse(Buffer.from(p, 'base64url').toString()), sig };
  };
  const now = Date.now() / 1000;
  const expired = decode(edgeTokens.expired(1, 'admin'));
  assert.equal(expired.header.alg, 'HS256');
  assert.ok((expired.payload.exp as number) < now);
  assert.equal(expired.payload.iss, 'rampart-target');
  const none = decode(edgeTokens.algNone(1, 'admin'));
  assert.equal(none.header.alg, 'none');
  assert.equal(none.sig, '');
  assert.ok((decode(edgeTokens.forged(1, 'admin')).payload.exp as number) > now);
  assert.equal(edgeTokens.garbage().split('.').length, 2);
});

test('oversized batches: one event too many, and a body over 1 MiB', () => {
  assert.equal(oversizedBatch(1000).events.length, 1001);
  const huge = hugeBatch(1_100_000);
  assert.ok(Buffer.byteLength(JSON.stringify(huge)) > 1_048_576);
  assert.ok(huge.events.length <= 1000, 'too large by size, not by count');
  assertValidEvents(huge.events.slice(0, 3), 'huge');
});
