// The database killed during a spike of ingestion, then restarted: six sensors post batches
// concurrently over real HTTP while the embedded PostgreSQL (durable, as the platform runs it) is
// killed with SIGKILL and started again on the same data directory (crash recovery from the WAL).
// The platform must answer only 202 or 503 (never 500), every batch it acknowledged must be stored
// whole (acknowledged = found, counted by the events' own ids), a batch it did not acknowledge is
// stored whole or not at all, and sending that batch again stores it exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { buildApp } from '../../../platform/app.ts';
import { createDb } from '../../../platform/db/pool.ts';
import { startEmbeddedDatabase, withDatabase } from '../../../platform/db/embedded.ts';
import { migrate } from '../../../platform/db/migrate.ts';
import { sha256Hex } from '../../../platform/lib/tokens.ts';
import { testConfig } from '../helper.ts';

const SENSORS = 6;
const EVENTS_PER_BATCH = 50;

/** When a batch was sent and answered: before the kill, while the server is dead, while it restarts, after. */
type Phase = 'before' | 'outage' | 'restarting' | 'after';
type Sent = { sensor: number; batchId: string; eventIds: string[]; status: number; phase: Phase; answered: Phase };

function batchBody(batchId: string, eventIds: string[]): string {
  const occurredAt = new Date().toISOString();
  return JSON.stringify({
    batchId,
    events: eventIds.map((id, i) => ({ type: 'auth', occurredAt, host: `fault-host-${i % 7}`, outcome: 'success', message: 'fault test', attributes: { eventId: id } })),
  });
}

test('database killed during an ingestion spike: 503 never 500, every acknowledged batch stored whole', { timeout: 120_000 }, async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rampart-fault-pg-'));
  await fs.chmod(dir, 0o755);
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  // Its own server, durable and in its own process group, so that kill() reaches every backend.
  const server = await startEmbeddedDatabase({ dataDir: path.join(dir, 'data') });
  t.after(() => server.stop());
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE fault');
  await admin.end();
  const url = withDatabase(server.url, 'fault');
  const check = createDb({ connectionString: url, max: 2, onError: () => undefined });
  t.after(() => check.close());
  await migrate(check);
  const keys = Array.from({ length: SENSORS }, (_, i) => `fault-sensor-key-${i}`);
  for (const [i, key] of keys.entries()) await check.query('INSERT INTO sensors (name, api_key_hash) VALUES ($1, $2)', [`fault-sensor-${i}`, sha256Hex(key)]);

  const app = await buildApp(testConfig(url, { rateLimitPerMinute: 1_000_000 }), { logger: false });
  t.after(() => app.close());
  const target = await app.listen({ port: 0, host: '127.0.0.1' });

  let phase: Phase = 'before';
  let running = true;
  const sent: Sent[] = [];
  const post = async (sensor: number, batchId: string, eventIds: string[]): Promise<number> => {
    const response = await fetch(`${target}/api/v1/events/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': keys[sensor] },
      body: batchBody(batchId, eventIds),
      signal: AbortSignal.timeout(30_000),
    });
    await response.arrayBuffer();
    return response.status;
  };
  const sensorLoop = async (sensor: number): Promise<void> => {
    for (let n = 0; running; n += 1) {
      const batchId = `s${sensor}-b${n}`;
      const eventIds = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => `${batchId}-e${i}`);
      const sentIn = phase;
      const status = await post(sensor, batchId, eventIds);
      sent.push({ sensor, batchId, eventIds, status, phase: sentIn, answered: phase });
      if (status !== 202) await sleep(20); // a sensor backs off a little before its next batch
    }
  };
  const loops = Array.from({ length: SENSORS }, (_, sensor) => sensorLoop(sensor));

  await sleep(1500);
  await server.kill();
  phase = 'outage';
  await sleep(1500);
  phase = 'restarting';
  await server.start();
  phase = 'after';
  // Until every sensor has had batches acknowledged again (or 20 s pass).
  for (let i = 0; i < 200 && new Set(sent.filter((s) => s.phase === 'after' && s.status === 202).map((s) => s.sensor)).size < SENSORS; i++) await sleep(100);
  await sleep(500);
  running = false;
  await Promise.all(loops);

  const statuses = new Map<number, number>();
  for (const s of sent) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
  t.diagnostic(`batches sent ${sent.length}: ${[...statuses].map(([status, n]) => `${status}: ${n}`).join(', ')}`);
  assert.deepEqual([...statuses.keys()].filter((status) => status !== 202 && status !== 503), [], 'only 202 and 503');
  assert.ok(sent.some((s) => s.phase === 'before' && s.status === 202), 'batches were acknowledged before the kill');
  assert.ok(sent.some((s) => s.phase === 'outage' && s.status === 503), 'the outage was answered 503');
  assert.ok(sent.filter((s) => s.phase === 'outage' && s.answered === 'outage').every((s) => s.status === 503), 'nothing is acknowledged while the database is down');
  assert.ok(sent.some((s) => s.phase === 'after' && s.status === 202), 'ingestion recovered without a restart of the platform');

  /** The event ids stored for a batch (read straight from the recovered database). */
  const stored = async (s: Sent): Promise<Set<string>> => {
    const { rows } = await check.query<{ id: string }>(
      "SELECT e.attributes->>'eventId' AS id FROM events e JOIN sensors s ON s.id = e.sensor_id WHERE s.name = $1 AND e.batch_id = $2",
      [`fault-sensor-${s.sensor}`, s.batchId]);
    return new Set(rows.map((r) => r.id));
  };
  const acknowledged = sent.filter((s) => s.status === 202);
  let found = 0;
  for (const s of acknowledged) {
    const ids = await stored(s);
    assert.deepEqual([...ids].sort(), [...s.eventIds].sort(), `acknowledged batch ${s.batchId} is stored whole`);
    found += 1;
  }
  t.diagnostic(`acknowledged ${acknowledged.length} batches, found ${found} whole (${found * EVENTS_PER_BATCH} events)`);

  // Refused batches: stored whole or not at all; sent again, each ends up stored exactly once.
  let storedThoughRefused = 0;
  for (const s of sent.filter((r) => r.status === 503)) {
    const before = (await stored(s)).size;
    assert.ok(before === 0 || before === EVENTS_PER_BATCH, `batch ${s.batchId} is not partial (${before})`);
    if (before === EVENTS_PER_BATCH) storedThoughRefused += 1;
    assert.equal(await post(s.sensor, s.batchId, s.eventIds), 202, `batch ${s.batchId} sent again`);
    assert.equal((await stored(s)).size, EVENTS_PER_BATCH);
  }
  t.diagnostic(`refused batches already stored (committed as the connection broke): ${storedThoughRefused}`);
  const { rows: [totals] } = await check.query<{ batches: number; events: number }>(
    'SELECT (SELECT count(*)::int FROM event_batches) AS batches, (SELECT count(*)::int FROM events) AS events');
  assert.equal(totals.batches, sent.length, 'every batch sent is stored once');
  assert.equal(totals.events, sent.length * EVENTS_PER_BATCH, 'no event twice');
  assert.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200);
});
