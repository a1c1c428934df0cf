// How virtual users are dealt identities: in turn, so a worker's users spread evenly over the demo
// sensors and analysts and no identity gets a crowd (the platform's rate limit is per principal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dealIdentity, useSensor } from '../../processors/identities.mts';
import type { VuContext, VuEvents } from '../../processors/types.mts';

const events: VuEvents = { emit: () => true };

test('useSensor deals the first `sensors` keys out in turn: each of 4 keys to 3 of 12 users', async () => {
  const uses = new Map<string, number>();
  for (let i = 0; i < 12; i++) {
    const context: VuContext = { vars: { sensors: 4 } };
    await useSensor(context, events);
    const key = String(context.vars.sensorKey);
    uses.set(key, (uses.get(key) ?? 0) + 1);
  }
  assert.deepEqual([...uses.keys()].sort(), ['demo-sensor-key-01', 'demo-sensor-key-02', 'demo-sensor-key-03', 'demo-sensor-key-04']);
  assert.deepEqual([...uses.values()], [3, 3, 3, 3]);
});

test('any run of `count` consecutive deals covers every identity once', () => {
  for (const count of [1, 3, 50]) {
    const dealt = Array.from({ length: count }, () => dealIdentity('analyst', count));
    assert.deepEqual([...dealt].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i + 1), `count ${count}`);
  }
});
