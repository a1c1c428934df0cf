// Bulk seed of the platform's history (INSIGHT): indicators, events, alerts with alert_events,
// incidents, comments, audit entries and finished reports, plus extra users for `representative`.
//
// Input: a migrated database where users, sensors (CORE) and detection rules (DETECT) are already
// seeded. Output: rows in the tables above, spread over the 30 days before `now`.
//
// Deterministic: value pools (hosts, IPs, domains, hashes, ...) come from faker seeded with `seed`;
// every row is then picked from the pools by hashint8extended(row number, seed-derived salt) inside
// INSERT ... SELECT FROM generate_series, so the same seed and the same `now` give the same rows
// (ids included, on an empty database). Everything runs in one transaction: a failed seed leaves
// nothing half-written.
//
// The steps, in order: value pools (pools.ts), extra users and indicators (here), events (events.ts),
// alerts (alerts.ts), incidents, comments and audit entries (triage.ts), finished reports (here).
import type { Db } from '../pool.ts';
import { REPORT_KINDS, type ReportKind } from '../../domain/vocabulary.ts';
import { generateReport } from '../../plugins/app/reports/report-content.ts';
import { HISTORY_DAYS, HISTORY_SIZES } from './sizes.ts';
import type { HistoryPreset, HistorySize } from './sizes.ts';
import { buildPools } from './pools.ts';
import { unit } from './sql.ts';
import type { SeedContext } from './sql.ts';
import { seedEvents } from './events.ts';
import { seedAlerts } from './alerts.ts';
import type { SeedRule } from './alerts.ts';
import { seedTriage } from './triage.ts';

export interface SeedHistoryOptions {
  seed?: number;
  /** End of the seeded window (default: the current time, truncated to the second). */
  now?: Date;
  log?: (message: string) => void;
}

export interface SeedHistoryResult {
  preset: HistoryPreset;
  seed: number;
  now: string;
  users: number;
  indicators: number;
  events: number;
  alerts: number;
  alertEvents: number;
  incidents: number;
  comments: number;
  auditEntries: number;
  reports: number;
  durationMs: number;
}

export async function seedHistory(db: Db, preset: HistoryPreset, options: SeedHistoryOptions = {}): Promise<SeedHistoryResult> {
  // Callers from JavaScript (scripts, SEED_PRESET) may pass any string: name it.
  const size = (HISTORY_SIZES as Partial<Record<string, HistorySize>>)[preset];
  if (size === undefined) throw new Error(`seedHistory: unknown preset "${preset}"; use small or representative`);
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 1_000_000) throw new Error(`seedHistory: seed must be an integer 0..1000000, got ${seed}`);
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const log = options.log ?? (() => {});
  const started = Date.now();
  const salt = (k: number): number => seed * 1000 + k;

  const result = await db.transaction(async (client) => {
    await client.query('LOCK TABLE events, alerts, incidents, indicators IN SHARE ROW EXCLUSIVE MODE');
    const sensors = (await client.query<{ id: string }>('SELECT id FROM sensors ORDER BY id')).rows.map((r) => Number(r.id));
    if (sensors.length === 0) throw new Error('seedHistory: no sensors; seed users and sensors first');
    const rules = (await client.query<SeedRule>('SELECT id, kind, params FROM rules ORDER BY id')).rows;
    if (rules.length === 0) throw new Error('seedHistory: no detection rules; run seedRules first');
    const existing = (await client.query<{ username: string; role: string; password_hash: string }>(
      'SELECT username, role, password_hash FROM users ORDER BY id')).rows;
    if (existing.length === 0) throw new Error('seedHistory: no users; seed users first');

    log(`history(${preset}): building value pools (seed ${seed})`);
    const pools = buildPools(size, seed, existing.map((u) => u.username), existing.length);

    // Extra users (representative only): they share the demo analysts' password hash, so no hashing.
    if (pools.extraUsers.length > 0) {
      const hash = (existing.find((u) => u.role === 'analyst') ?? existing[0]).password_hash;
      await client.query(
        `INSERT INTO users (username, email, display_name, role, password_hash, created_at, updated_at)
         SELECT u, u || '@corp.example', d, r, $4, $5::timestamptz - (ord || ' hours')::interval, $5::timestamptz - (ord || ' hours')::interval
           FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(u, d, r, ord)`,
        [pools.extraUsers.map((u) => u.username), pools.extraUsers.map((u) => u.displayName), pools.extraUsers.map((u) => u.role),
          hash, new Date(now.getTime() - HISTORY_DAYS * 86_400_000).toISOString()],
      );
      log(`history(${preset}): ${pools.extraUsers.length} users added`);
    }

    // Indicators: values already present (an earlier import) are kept as they are.
    const spanSeconds = HISTORY_DAYS * 86_400;
    const ind = await client.query(
      `INSERT INTO indicators (type, value, severity, source, description, first_seen, last_seen, expires_at)
       SELECT t, v, s, src, d,
              $6::timestamptz - ((${unit('ord', salt(1))} * ${spanSeconds * 3}) || ' seconds')::interval,
              $6::timestamptz - ((${unit('ord', salt(2))} * ${spanSeconds}) || ' seconds')::interval,
              CASE WHEN ${unit('ord', salt(3))} < 0.2 THEN $6::timestamptz + ((${unit('ord', salt(4))} * 90) || ' days')::interval END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS x(t, v, s, src, d, ord)
       ON CONFLICT (type, value) DO NOTHING`,
      [pools.indicators.map((i) => i.type), pools.indicators.map((i) => i.value), pools.indicators.map((i) => i.severity),
        pools.indicators.map((i) => i.source), pools.indicators.map((i) => i.description), now.toISOString()],
    );
    log(`history(${preset}): ${ind.rowCount ?? 0} indicators`);

    const ctx: SeedContext = { client, preset, size, seed, now, salt, log, started };
    const events = await seedEvents(ctx, pools, existing.map((u) => u.username), sensors);
    const { eventBase } = events;
    const alerts = await seedAlerts(ctx, rules, events);
    const { alertBase, assignees } = alerts;
    const incidentBase = await seedTriage(ctx, alerts);

    log(`history(${preset}): analysing tables (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    await client.query('ANALYZE events, event_batches, alerts, alert_events, incidents, alert_comments, indicators, audit_log, users');

    // Finished reports, produced by the report generator itself over past days of the seeded data.
    const requester = Number(assignees[0].id);
    for (let k = 0; k < size.reports; k++) {
      const kind: ReportKind = REPORT_KINDS[k % REPORT_KINDS.length];
      const to = new Date(now.getTime() - (k + 1) * 86_400_000);
      const from = new Date(to.getTime() - 86_400_000);
      const params = { from: from.toISOString(), to: to.toISOString() };
      const report = await generateReport(client, kind, params);
      await client.query(
        `INSERT INTO reports (kind, params, status, requested_by, content_type, content, created_at, started_at, finished_at)
         VALUES ($1, $2, 'done', $3, $4, $5, $6, $6, $6::timestamptz + interval '2 seconds')`,
        [kind, JSON.stringify(params), requester, report.contentType, report.content, to.toISOString()]);
    }

    const count = async (sql: string): Promise<number> => Number((await client.query<{ n: string }>(sql)).rows[0].n);
    return {
      users: await count('SELECT count(*) AS n FROM users'),
      indicators: await count('SELECT count(*) AS n FROM indicators'),
      events: await count(`SELECT count(*) AS n FROM events WHERE id > ${eventBase}`),
      alerts: await count(`SELECT count(*) AS n FROM alerts WHERE id > ${alertBase}`),
      alertEvents: await count(`SELECT count(*) AS n FROM alert_events WHERE alert_id > ${alertBase}`),
      incidents: await count(`SELECT count(*) AS n FROM incidents WHERE id > ${incidentBase}`),
      comments: await count(`SELECT count(*) AS n FROM alert_comments WHERE alert_id > ${alertBase}`),
      auditEntries: await count(`SELECT count(*) AS n FROM audit_log WHERE target_type IN ('alert', 'incident')`),
      reports: await count("SELECT count(*) AS n FROM reports WHERE status = 'done'"),
    };
  });
  const durationMs = Date.now() - started;
  log(`history(${preset}): done in ${(durationMs / 1000).toFixed(1)} s`);
  return { preset, seed, now: now.toISOString(), ...result, durationMs };
}
