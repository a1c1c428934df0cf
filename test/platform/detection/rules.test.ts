// The pure parts of detection: rule params validation, pattern matching, dedup windows, candidate
// merging and correlation keys. No database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuleParams, maxSeverity } from '../../../platform/detection/params.ts';
import { activateRules } from '../../../platform/detection/engine.ts';
import { dedupBucket, mergeCandidates, type AlertCandidate, type DetectionEvent } from '../../../platform/detection/candidates.ts';
import { matchesPattern } from '../../../platform/detection/pattern.ts';
import { correlationKey } from '../../../platform/detection/correlation.ts';
import { DEFAULT_RULES } from '../../../platform/detection/rules-seed.ts';

const event = (over: Partial<DetectionEvent>): DetectionEvent => ({
  id: 1,
  occurredAt: new Date('2026-01-01T10:00:00Z'),
  type: 'process',
  host: 'ws-1',
  username: null,
  srcIp: null,
  dstIp: null,
  outcome: null,
  country: null,
  domain: null,
  process: null,
  fileHash: null,
  message: '',
  ...over,
});

test('every default rule has valid params', () => {
  for (const rule of DEFAULT_RULES) {
    const parsed = parseRuleParams(rule.kind, rule.params);
    assert.ok(parsed.ok, `${rule.name}: ${parsed.ok ? '' : parsed.message}`);
  }
});

test('params are normalised with defaults and rejected with a message naming the field', () => {
  assert.deepEqual(parseRuleParams('brute_force', { threshold: 5, windowSeconds: 60 }), {
    ok: true,
    value: { kind: 'brute_force', params: { threshold: 5, windowSeconds: 60, dedupWindowSeconds: 3600 } },
  });
  assert.deepEqual(parseRuleParams('pattern', { field: 'process', value: 'nc' }), {
    ok: true,
    value: { kind: 'pattern', params: { field: 'process', op: 'equals', value: 'nc', eventType: null, groupBy: 'host', caseSensitive: false, dedupWindowSeconds: 3600 } },
  });
  assert.deepEqual(parseRuleParams('indicator_match', { fields: ['domain', 'domain'] }), {
    ok: true,
    value: { kind: 'indicator_match', params: { fields: ['domain'], dedupWindowSeconds: 3600 } },
  });
  const bad: Array<[string, unknown, RegExp]> = [
    ['brute_force', { threshold: 2.5, windowSeconds: 60 }, /params\.threshold/],
    ['brute_force', { threshold: 5 }, /params\.windowSeconds/],
    ['impossible_travel', { windowMinutes: 0 }, /params\.windowMinutes/],
    ['impossible_travel', { windowMinutes: 5, dedupWindowSeconds: -1 }, /params\.dedupWindowSeconds/],
    ['pattern', { field: 'process', value: 'x', op: 'regex' }, /params\.op/],
    ['pattern', { field: 'process', value: 'x', caseSensitive: 'yes' }, /params\.caseSensitive/],
    ['pattern', { field: 'process', value: 'x', extra: 1 }, /unknown field\(s\) extra/],
    ['pattern', [], /params must be an object/],
    ['ml_model', {}, /kind must be one of/],
  ];
  for (const [kind, params, message] of bad) {
    const parsed = parseRuleParams(kind, params);
    assert.equal(parsed.ok, false, JSON.stringify(params));
    assert.match(parsed.message, message);
  }
});

test('stored rules with bad params are set aside, not evaluated', () => {
  const { rules, invalid } = activateRules([
    { id: '1', name: 'ok', kind: 'impossible_travel', severity: 'high', technique: null, params: { windowMinutes: 10 } },
    { id: '2', name: 'broken', kind: 'brute_force', severity: 'high', technique: null, params: { threshold: 'many' } },
  ]);
  assert.deepEqual(rules.map((r) => r.id), [1]);
  assert.deepEqual(invalid.map((r) => [r.id, r.name]), [[2, 'broken']]);
});

test('pattern matching: equals / contains / ends_with, case-insensitive unless asked, event type filter', () => {
  const base = { eventType: null, groupBy: 'host', caseSensitive: false, dedupWindowSeconds: 3600 } as const;
  assert.ok(matchesPattern(event({ process: 'MIMIKATZ.exe' }), { ...base, field: 'process', op: 'equals', value: 'mimikatz.exe' }));
  assert.ok(!matchesPattern(event({ process: 'MIMIKATZ.exe' }), { ...base, caseSensitive: true, field: 'process', op: 'equals', value: 'mimikatz.exe' }));
  assert.ok(matchesPattern(event({ message: 'powershell -EncodedCommand AAA' }), { ...base, field: 'message', op: 'contains', value: '-encodedcommand' }));
  assert.ok(matchesPattern(event({ type: 'dns', domain: 'x.duckdns.org' }), { ...base, eventType: 'dns', field: 'domain', op: 'ends_with', value: '.duckdns.org' }));
  assert.ok(!matchesPattern(event({ type: 'network', domain: 'x.duckdns.org' }), { ...base, eventType: 'dns', field: 'domain', op: 'ends_with', value: '.duckdns.org' }));
  assert.ok(!matchesPattern(event({ domain: null }), { ...base, field: 'domain', op: 'contains', value: 'x' }));
});

test('dedup windows: events of one window share a bucket, the next window starts a new one', () => {
  assert.equal(dedupBucket(new Date('2026-01-01T10:00:00Z'), 3600), dedupBucket(new Date('2026-01-01T10:59:59Z'), 3600));
  assert.equal(dedupBucket(new Date('2026-01-01T11:00:00Z'), 3600), dedupBucket(new Date('2026-01-01T10:59:59Z'), 3600) + 1);
});

test('candidates sharing (rule, dedup key) merge into one alert carrying every event, the first one triggering', () => {
  const c = (ruleId: number, dedupKey: string, eventIds: number[]): AlertCandidate => ({
    ruleId, ruleName: `r${ruleId}`, severity: 'high', title: 't', dedupKey, triggerEventId: eventIds[0], host: 'h', username: null, srcIp: null, eventIds,
  });
  const merged = mergeCandidates([c(1, 'host=a', [1]), c(1, 'host=b', [2]), c(1, 'host=a', [3, 1]), c(2, 'host=a', [4])]);
  assert.deepEqual(merged.map((m) => [m.ruleId, m.dedupKey, m.triggerEventId, m.eventIds]), [
    [1, 'host=a', 1, [1, 3]],
    [1, 'host=b', 2, [2]],
    [2, 'host=a', 4, [4]],
  ]);
});

test('alerts correlate on the source IP, else the username, else not at all', () => {
  assert.deepEqual(correlationKey({ srcIp: '203.0.113.1', username: 'bob' }), { key: 'src_ip:203.0.113.1', column: 'src_ip', value: '203.0.113.1' });
  assert.deepEqual(correlationKey({ srcIp: null, username: 'bob' }), { key: 'username:bob', column: 'username', value: 'bob' });
  assert.equal(correlationKey({ srcIp: null, username: null }), null);
  assert.equal(maxSeverity('medium', 'critical'), 'critical');
  assert.equal(maxSeverity('high', 'low'), 'high');
});
