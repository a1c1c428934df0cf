// The failed-authentication budget (platform/lib/failure-budget.ts): a burst of `perMinute`
// failures, then refills at `perMinute` a minute; Retry-After in whole seconds; client keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientKey, FailureBudget } from '../../platform/lib/failure-budget.ts';

test('a client may fail perMinute times in a burst, then waits until the budget has refilled by one', () => {
  let now = 1_000_000;
  const budget = new FailureBudget(60, () => now);
  for (let i = 0; i < 60; i += 1) {
    assert.equal(budget.retryAfter('a'), undefined, `attempt ${i + 1}`);
    budget.fail('a');
  }
  assert.equal(budget.retryAfter('a'), 1, 'one failure drains in a second at 60 a minute');
  assert.equal(budget.retryAfter('b'), undefined, 'other clients are untouched');
  now += 999;
  assert.equal(budget.retryAfter('a'), 1);
  now += 1;
  assert.equal(budget.retryAfter('a'), undefined, 'one more attempt after a second');
  budget.fail('a');
  assert.equal(budget.retryAfter('a'), 1);
  now += 60_000;
  for (let i = 0; i < 60; i += 1) budget.fail('a');
  assert.equal(budget.retryAfter('a'), 1, 'after a quiet minute the whole burst is available again');
});

test('Retry-After grows with the failures beyond the budget (a slow budget waits longer)', () => {
  let now = 0;
  const budget = new FailureBudget(2, () => now);
  budget.fail('a');
  budget.fail('a');
  assert.equal(budget.retryAfter('a'), 30, 'at 2 a minute one failure drains in 30 s');
  now += 29_000;
  assert.equal(budget.retryAfter('a'), 1);
  now += 1_000;
  assert.equal(budget.retryAfter('a'), undefined);
});

test('client keys: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
  assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:0db8:0001:0002::/64');
  assert.equal(clientKey('2001:db8:1:2:ffff:ffff:ffff:fffe'), clientKey('2001:db8:1:2::9'), 'one /64, one budget');
  assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'));
  assert.equal(clientKey('::1'), '0000:0000:0000:0000::/64');
  assert.equal(clientKey('fe80::1%eth0'), 'fe80:0000:0000:0000::/64');
});
