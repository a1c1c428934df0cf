// The bulk history seed (platform/db/seed/history.ts and its steps), preset `small`, over a real PostgreSQL:
// documented sizes, referential sanity (alerts -> real rules, alert_events -> real events), the
// 30-day window, and determinism (same seed + same end time -> the same rows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase, TEST_BCRYPT_COST } from './helper.ts';
import type { TestDatabase } from './helper.ts';
import { seedPrincipals } from '../../platform/db/seed/index.ts';
import { seedRules } from '../../platform/detection/rules-seed.ts';
import { seedHistory } from '../../platform/db/seed/history.ts';
import { HISTORY_SIZES, HISTORY_DAYS } from '../../platform/db/seed/sizes.ts';
import type { SeedHistoryResult } from '../../platform/db/seed/history.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');

async function seeded(seed: number): Promise<{ database: TestDatabase; result: SeedHistoryResult }> {
  const database = await freshDatabase();
  await seedPrincipals(database.db, { seed, bcryptCost: TEST_BCRYPT_COST });
  await seedRules(database.db);
  const result = await seedHistory(database.db, 'small', { seed, now: NOW });
  return { database, result };
}

/** md5 over a sample of every seeded table, ids included. */
async function checksums(database: TestDatabase): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  const queries: Record<string, string> = {
    events: `SELECT md5(string_agg(concat_ws('|', id, sensor_id, batch_id, occurred_at, ingested_at, type, host, username, src_ip, dst_ip,
                    dst_port, outcome, country, domain, process, file_hash, message, attributes::text), ',' ORDER BY id)) AS s
               FROM events WHERE id % 37 = 0`,
    alerts: `SELECT md5(string_agg(concat_ws('|', id, rule_id, severity, status, title, host, username, src_ip, assignee_id, incident_id,
                    created_at, detection_latency_ms, correlation_ms), ',' ORDER BY id)) AS s FROM alerts`,
    alertEvents: `SELECT md5(string_agg(alert_id || ':' || event_id, ',' ORDER BY alert_id, event_id)) AS s FROM alert_events`,
    indicators: `SELECT md5(string_agg(concat_ws('|', id, type, value, severity, source, description, first_seen, last_seen, expires_at), ',' ORDER BY id)) AS s FROM indicators`,
    incidents: `SELECT md5(string_agg(concat_ws('|', id, title, status, severity, assignee_id, correlation_key, created_at), ',' ORDER BY id)) AS s FROM incidents`,
    comments: `SELECT md5(string_agg(concat_ws('|', alert_id, author_id, body, created_at), ',' ORDER BY id)) AS s FROM alert_comments`,
  };
  for (const [name, sql] of Object.entries(queries)) {
    sums[name] = (await database.db.query<{ s: string }>(sql)).rows[0].s;
  }
  return sums;
}

test('small preset: documented sizes, real references, a 30-day window, deterministic per seed', async (t) => {
  const first = await seeded(7);
  const size = HISTORY_SIZES.small;

  await t.test('sizes match the preset', () => {
    assert.equal(first.result.events, size.events);
    assert.equal(first.result.alerts, size.alerts);
    assert.equal(first.result.indicators, size.indicators);
    assert.equal(first.result.comments, size.comments);
    assert.equal(first.result.reports, size.reports);
    // ~20% of alerts are grouped in `incidents` blocks; an empty block is possible but unlikely.
    assert.ok(first.result.incidents >= size.incidents - 1 && first.result.incidents <= size.incidents, `incidents ${first.result.incidents}`);
    assert.ok(first.result.alertEvents >= size.alerts, 'every alert links at least one event');
  });

  await t.test('rows reference real rules, events, users and sensors, and stay inside the window', async () => {
    const db = first.database.db;
    const { rows: [r] } = await db.query<{ orphan_alerts: string; unlinked: string; undetected: string; batches: string; batch_events: string; too_old: string; future: string; last_day: string; alert_last_day: string }>(
      `SELECT (SELECT count(*) FROM alerts a LEFT JOIN rules r ON r.id = a.rule_id WHERE r.id IS NULL) AS orphan_alerts,
              (SELECT count(*) FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM alert_events ae WHERE ae.alert_id = a.id)) AS unlinked,
              (SELECT count(*) FROM events WHERE detected_at IS NULL) AS undetected,
              (SELECT count(*) FROM event_batches) AS batches,
              (SELECT sum(event_count) FROM event_batches) AS batch_events,
              (SELECT count(*) FROM events WHERE occurred_at < $1::timestamptz - make_interval(days => ${HISTORY_DAYS}) - interval '1 minute') AS too_old,
              (SELECT count(*) FROM events WHERE occurred_at > $1::timestamptz) AS future,
              (SELECT count(*) FROM events WHERE occurred_at >= $1::timestamptz - interval '1 day') AS last_day,
              (SELECT count(*) FROM alerts WHERE created_at >= $1::timestamptz - interval '1 day') AS alert_last_day`, [NOW]);
    assert.equal(Number(r.orphan_alerts), 0);
    assert.equal(Number(r.unlinked), 0);
    assert.equal(Number(r.undetected), 0, 'seeded events are marked as already evaluated by detection');
    assert.equal(Number(r.batch_events), size.events);
    assert.ok(Number(r.batches) >= size.events / 500);
    assert.equal(Number(r.too_old), 0);
    assert.equal(Number(r.future), 0);
    // An even spread over 30 days puts about 1/30 of the rows in the last day.
    assert.ok(Number(r.last_day) > size.events / 60 && Number(r.last_day) < size.events / 15, `last day events ${r.last_day}`);
    assert.ok(Number(r.alert_last_day) > 0);
    // Brute-force alerts link several events; indicator types are all present.
    const { rows: kinds } = await db.query<{ type: string; n: string }>('SELECT type, count(*) AS n FROM indicators GROUP BY type ORDER BY type');
    assert.deepEqual(kinds.map((k) => k.type), ['domain', 'hash', 'ip']);
    // The triggering event (the highest linked id) fits the rule: brute force and impossible travel
    // come from auth events, pattern rules from their own event type.
    const { rows: [misfit] } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM alerts a JOIN rules r ON r.id = a.rule_id
         JOIN events e ON e.id = (SELECT max(event_id) FROM alert_events ae WHERE ae.alert_id = a.id)
        WHERE (r.kind IN ('brute_force', 'impossible_travel') AND e.type <> 'auth')
           OR (r.kind = 'pattern' AND r.params ? 'eventType' AND e.type <> r.params->>'eventType')
           OR a.host IS DISTINCT FROM e.host`);
    assert.equal(Number(misfit.n), 0);
    const { rows: statuses } = await db.query<{ status: string }>('SELECT DISTINCT status FROM alerts ORDER BY status');
    assert.ok(statuses.length >= 4, 'alerts are spread over triage statuses');
  });

  await t.test('the same seed and end time give the same rows; another seed gives others', async () => {
    const again = await seeded(7);
    const other = await seeded(8);
    const a = await checksums(first.database);
    const b = await checksums(again.database);
    const c = await checksums(other.database);
    assert.deepEqual(b, a);
    assert.notEqual(c.events, a.events);
    assert.notEqual(c.indicators, a.indicators);
  });

  await t.test('seedHistory refuses a database without rules, and leaves it untouched', async () => {
    const empty = await freshDatabase();
    await seedPrincipals(empty.db, { seed: 1, bcryptCost: TEST_BCRYPT_COST });
    await assert.rejects(seedHistory(empty.db, 'small', { seed: 1, now: NOW }), /no detection rules/);
    const { rows } = await empty.db.query<{ n: string }>('SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM indicators) AS n');
    assert.equal(Number(rows[0].n), 0);
  });
});
