// The detection worker over a real PostgreSQL: concurrent workers share a backlog without
// evaluating an event twice, and a database outage leaves events undetected until it returns, after
// which the poll picks them up (no acknowledged event is lost, the process does not crash).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { freshDatabase } from '../helper.ts';
import { DetectionWorker, type DetectionObservers } from '../../../platform/detection/worker.ts';
import { seedRules } from '../../../platform/detection/rules-seed.ts';
import type { Db } from '../../../platform/db/pool.ts';

function recorder(): DetectionObservers & { detections: string[]; correlations: number[] } {
  const detections: string[] = [];
  const correlations: number[] = [];
  return {
    detections,
    correlations,
    detection: (rule, severity, seconds) => {
      assert.ok(seconds >= 0);
      detections.push(`${rule}/${severity}`);
    },
    correlation: (seconds) => correlations.push(seconds),
  };
}

/** A Fastify logger whose lines are kept, to check what the worker reports. */
function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const app = Fastify({ logger: { level: 'info', stream } });
  return { log: app.log, lines };
}

async function sensor(db: Db, name: string): Promise<number> {
  const { rows } = await db.query<{ id: string }>("INSERT INTO sensors (name, api_key_hash) VALUES ($1, md5($1)) RETURNING id", [name]);
  return Number(rows[0].id);
}

const undetected = async (db: Db, batchId: string): Promise<number> =>
  (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE batch_id = $1 AND detected_at IS NULL', [batchId])).rows[0].n;

test('two workers drain one backlog together: every event evaluated once, one alert per condition', async () => {
  const { db } = await freshDatabase();
  await seedRules(db);
  const sensorId = await sensor(db, 'worker-test-1');
  // 1,200 process events; 200 of them run mimikatz, each on its own host.
  await db.query(
    `INSERT INTO events (sensor_id, batch_id, occurred_at, type, host, process, message)
     SELECT $1, 'backlog', now() - interval '1 minute', 'process', 'host-' || (g % 200),
            CASE WHEN g <= 200 THEN 'mimikatz.exe' ELSE 'notepad.exe' END, 'started'
       FROM generate_series(1, 1200) AS g`,
    [sensorId],
  );
  const { log } = capturedLogger();
  const seenA = recorder();
  const seenB = recorder();
  const a = new DetectionWorker(db, seenA, log, { enabled: false, batchSize: 100 });
  const b = new DetectionWorker(db, seenB, log, { enabled: false, batchSize: 100 });
  const [ra, rb] = await Promise.all([a.drain(), b.drain()]);

  assert.equal(ra.events + rb.events, 1200);
  assert.equal(ra.alerts + rb.alerts, 200);
  assert.equal(await undetected(db, 'backlog'), 0);
  const alerts = await db.query<{ n: number; hosts: number }>('SELECT count(*)::int AS n, count(DISTINCT host)::int AS hosts FROM alerts');
  assert.deepEqual(alerts.rows[0], { n: 200, hosts: 200 });
  const links = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_events');
  assert.equal(links.rows[0].n, 200);
  assert.equal(seenA.detections.length + seenB.detections.length, 200);
  assert.ok([...seenA.detections, ...seenB.detections].every((d) => d === 'Credential dumping tool/critical'));
  // Nothing left: another pass finds no work.
  assert.deepEqual(await a.runPass(), { events: 0, alerts: 0, deduplicated: 0, correlated: 0, incidentsCreated: 0 });
});

test('a database outage keeps events undetected; the worker logs it, survives, and detects them once the database is back', async (t) => {
  const { db, server } = await freshDatabase();
  if (server === undefined) {
    t.skip('needs the embedded server (DATABASE_URL points at an external one)');
    return;
  }
  await seedRules(db);
  const sensorId = await sensor(db, 'worker-test-2');
  await db.query(
    `INSERT INTO events (sensor_id, batch_id, occurred_at, type, host, process, message)
     SELECT $1, 'outage', now(), 'process', 'outage-host-' || g, 'mimikatz.exe', 'started' FROM generate_series(1, 30) AS g`,
    [sensorId],
  );
  const { log, lines } = capturedLogger();
  const seen = recorder();
  const worker = new DetectionWorker(db, seen, log, { enabled: true, batchSize: 10, pollIntervalMs: 100 });
  t.after(() => worker.stop());

  await server.stop();
  let restarted = false;
  try {
    worker.start();
    const deadline = Date.now() + 20_000;
    while (!lines.some((l) => l.includes('detection pass failed'))) {
      if (Date.now() > deadline) throw new Error('the worker did not report the outage');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Several polls fail during the outage; the error is logged once, not at every poll.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(lines.filter((l) => l.includes('detection pass failed')).length, 1);
    await server.start();
    restarted = true;
  } finally {
    if (!restarted) await server.start();
  }

  const deadline = Date.now() + 30_000;
  for (;;) {
    let pending = -1;
    try {
      pending = await undetected(db, 'outage');
    } catch {
      // The pool may hand out a connection broken by the restart once; try again.
    }
    if (pending === 0) break;
    if (Date.now() > deadline) throw new Error(`events still undetected after the database came back (${pending})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const alerts = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM alerts WHERE host LIKE 'outage-host-%'");
  assert.equal(alerts.rows[0].n, 30);
  assert.equal(seen.detections.length, 30);
  assert.ok(lines.some((l) => l.includes('detection worker recovered')));
});
