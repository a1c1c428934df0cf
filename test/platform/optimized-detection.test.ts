// Detection gives the same results with and without its optimisations (docs/optimizations.md): two
// databases seeded identically (small preset, one fixed `now`), the same events ingested in the same
// order, detected in the same passes, once as first written (OPTIMIZATIONS=none: no optional index,
// one lookup per source IP / sign-in) and once with OPTIMIZATIONS=all (partial auth indexes,
// set-based rules). The alerts (rule, key, title, severity, trigger, linked events), dedup and the
// incidents correlation built must be identical. Real PostgreSQL, real worker, real plans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, freshDatabase, TEST_BCRYPT_COST, type TestDatabase } from './helper.ts';
import { seed } from '../../platform/db/seed/index.ts';
import { applyOptionalSchema, parseOptimizations } from '../../platform/optimizations.ts';
import { DetectionWorker } from '../../platform/detection/worker.ts';
import type { Db } from '../../platform/db/pool.ts';

const NOW = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const SILENT = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child() { return SILENT; }, level: 'silent', silent() {} };

/** A small deterministic generator, so both databases get exactly the same events. */
function lcg(seedValue: number): () => number {
  let state = seedValue;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

async function knownValues(db: Db): Promise<{ ips: string[]; domains: string[] }> {
  const ip = await db.query<{ value: string }>("SELECT value FROM indicators WHERE type = 'ip' AND (expires_at IS NULL OR expires_at > now()) ORDER BY id LIMIT 3");
  const dom = await db.query<{ value: string }>("SELECT value FROM indicators WHERE type = 'domain' AND (expires_at IS NULL OR expires_at > now()) ORDER BY id LIMIT 3");
  return { ips: ip.rows.map((r) => r.value), domains: dom.rows.map((r) => r.value) };
}

/** About 700 events over 3 hours before NOW: sign-ins from several countries (seeded and new users), failure bursts, indicators, patterns. */
function makeEvents(known: { ips: string[]; domains: string[] }): object[] {
  const rand = lcg(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const users = ['analyst03', 'analyst07', 'analyst11', 'traveller-a', 'traveller-b', 'svc-backup'];
  const countries = ['US', 'DE', 'KP', 'FR'];
  const sources = ['203.0.113.10', '203.0.113.11', '198.51.100.7', '10.1.2.3', ...known.ips];
  const events: object[] = [];
  for (let i = 0; i < 700; i += 1) {
    const occurredAt = new Date(NOW.getTime() - 3 * 3_600_000 + Math.floor(rand() * 3 * 3_600_000)).toISOString();
    const host = `ws-${Math.floor(rand() * 12)}`;
    const roll = rand();
    if (roll < 0.35) {
      events.push({ occurredAt, type: 'auth', host, username: pick(users), srcIp: pick(sources), outcome: 'success', country: rand() < 0.7 ? 'US' : pick(countries), message: 'login success' });
    } else if (roll < 0.7) {
      // Failures cluster on two sources inside a few minutes, so brute-force windows cross passes.
      const burst = rand() < 0.6;
      const at = burst ? new Date(NOW.getTime() - 3_600_000 + Math.floor(rand() * 240_000)).toISOString() : occurredAt;
      events.push({ occurredAt: at, type: 'auth', host, username: pick(users), srcIp: burst ? pick(sources.slice(0, 2)) : pick(sources), outcome: 'failure', country: pick(countries), message: 'login failure' });
    } else if (roll < 0.85) {
      events.push({ occurredAt, type: 'dns', host, domain: rand() < 0.2 ? pick(known.domains) : rand() < 0.2 ? 'evil.duckdns.org' : 'example.org', message: 'dns query' });
    } else {
      events.push({ occurredAt, type: 'process', host, username: pick(users), process: rand() < 0.1 ? 'mimikatz.exe' : 'svchost.exe', message: rand() < 0.05 ? 'powershell -EncodedCommand abc' : 'process start' });
    }
  }
  return events;
}

async function ingest(app: FastifyInstance, events: object[]): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/events/batch', headers: { 'x-api-key': 'demo-sensor-key-07' }, payload: { batchId: `same-${i}`, events: events.slice(i, i + 100) } });
    assert.equal(response.statusCode, 202, response.body);
  }
}

/** What detection produced, without the clock-dependent columns, in alert order. */
async function outcome(db: Db): Promise<unknown> {
  const alerts = await db.query(
    `SELECT r.name AS rule, a.dedup_key, a.title, a.severity, a.host, a.username, host(a.src_ip) AS src_ip, a.status,
            (SELECT e.id FROM events e WHERE e.ingested_at = a.event_ingested_at ORDER BY e.id LIMIT 1)::int AS trigger,
            (SELECT array_agg(ae.event_id ORDER BY ae.event_id)::int[] FROM alert_events ae WHERE ae.alert_id = a.id) AS events,
            (SELECT i.correlation_key FROM incidents i WHERE i.id = a.incident_id) AS incident
       FROM alerts a JOIN rules r ON r.id = a.rule_id
      WHERE a.dedup_key IS NOT NULL ORDER BY a.id`);
  const incidents = await db.query(
    `SELECT i.correlation_key, i.severity, i.title, i.summary, (SELECT count(*)::int FROM alerts a WHERE a.incident_id = i.id) AS alerts
       FROM incidents i WHERE i.correlation_key IS NOT NULL AND i.created_at > $1 ORDER BY i.id`, [NOW]);
  return { alerts: alerts.rows, incidents: incidents.rows };
}

async function detectWith(t: Parameters<typeof buildTestApp>[0], setting: string, database: TestDatabase, events: object[]): Promise<{ result: unknown; passes: number }> {
  const parsed = parseOptimizations(setting);
  assert.ok(parsed.ok);
  await applyOptionalSchema(database.db, parsed.value);
  const app = await buildTestApp(t, { database, workers: false, config: { optimizations: parsed.value } });
  await ingest(app, events);
  const worker = new DetectionWorker(database.db, { detection() {}, correlation() {} }, SILENT as never, {
    enabled: false, batchSize: 64, setBased: parsed.value.has('set-detection'), correlationWindowOnce: parsed.value.has('correlation-window'),
  });
  let passes = 0;
  for (;;) {
    const pass = await worker.runPass();
    if (pass.events === 0) break;
    passes += 1;
  }
  return { result: await outcome(database.db), passes };
}

test('detection raises the same alerts, dedup and incidents with OPTIMIZATIONS=none and =all', async (t) => {
  const [plain, optimized] = await Promise.all([freshDatabase(), freshDatabase()]);
  await Promise.all([plain, optimized].map((database) => seed(database.db, 'small', { seed: 1, now: NOW, bcryptCost: TEST_BCRYPT_COST })));
  const events = makeEvents(await knownValues(plain.db));
  const before = await detectWith(t, 'none', plain, events);
  const after = await detectWith(t, 'all', optimized, events);
  assert.equal(before.passes, after.passes);
  const { alerts } = before.result as { alerts: { rule: string; incident: string | null }[] };
  const rules = new Set(alerts.map((a) => a.rule));
  for (const rule of ['Brute-force login', 'Impossible travel', 'Known-bad indicator', 'Credential dumping tool', 'Dynamic DNS domain']) {
    assert.ok(rules.has(rule), `the events raise ${rule} alerts (got ${[...rules].join(', ')})`);
  }
  assert.ok(alerts.some((a) => a.incident !== null), 'some alerts are correlated into incidents');
  assert.deepEqual(after.result, before.result);

  const plans = await optimized.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname IN ('events_auth_success_user_idx', 'events_auth_failure_src_idx')");
  assert.equal(plans.rows[0].n, 2, 'OPTIMIZATIONS=all created the partial auth indexes');
  await applyOptionalSchema(optimized.db, new Set());
  const dropped = await optimized.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname LIKE 'events\\_auth\\_%'");
  assert.equal(dropped.rows[0].n, 0, 'OPTIMIZATIONS=none drops them again');
});
