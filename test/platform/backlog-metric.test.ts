// rampart_detection_backlog_events on /metrics: the number of ingested events detection has not evaluated
// yet, counted at scrape time through the partial index on undetected events (real PostgreSQL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { buildTestApp, startDatabase } from './helper.ts';

const backlog = (body: string): number => {
  const line = body.split('\n').find((l) => l.startsWith('rampart_detection_backlog_events '));
  assert.ok(line !== undefined, 'rampart_detection_backlog_events is on /metrics');
  return Number(line.slice('rampart_detection_backlog_events '.length));
};

test('rampart_detection_backlog_events counts the events not yet detected', async (t) => {
  const app = await buildTestApp(t, { workers: false });
  const { db } = await startDatabase();
  const scrape = async (): Promise<number> => backlog((await app.inject({ method: 'GET', url: '/metrics' })).body);
  assert.equal(await scrape(), 0, 'the seed stores its history already detected');

  const batchId = `backlog-${randomUUID()}`;
  const events = [1, 2, 3].map((i) => ({ occurredAt: new Date().toISOString(), type: 'dns', host: `ws-${i}`, domain: 'example.org', message: `lookup ${i}` }));
  const response = await app.inject({ method: 'POST', url: '/api/v1/events/batch', headers: { 'x-api-key': 'demo-sensor-key-05' }, payload: { batchId, events } });
  assert.equal(response.statusCode, 202, response.body);
  assert.equal(await scrape(), 3);

  await db.query('UPDATE events SET detected_at = clock_timestamp() WHERE batch_id = $1', [batchId]);
  assert.equal(await scrape(), 0);
});
