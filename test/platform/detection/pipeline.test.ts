// The detection pipeline end to end over a real PostgreSQL: events go in through the batch API, the
// worker (woken by ingestion) raises alerts for each rule kind, records detection latency (API field,
// database, Prometheus histogram) and correlates alerts sharing a source into an incident.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, login, bearer, startDatabase } from '../helper.ts';
import type { Db } from '../../../platform/db/pool.ts';

const SENSOR = { 'x-api-key': 'demo-sensor-key-03' };
const WAIT_MS = 20_000;

/** A fixed hour-aligned base, so every event of a test falls in one dedup window. */
const BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000 + 10 * 60_000;
const at = (secondsAfterBase: number): string => new Date(BASE + secondsAfterBase * 1000).toISOString();

async function ingest(app: FastifyInstance, events: object[]): Promise<string> {
  const batchId = `pipeline-${randomUUID()}`;
  const response = await app.inject({ method: 'POST', url: '/api/v1/events/batch', headers: SENSOR, payload: { batchId, events } });
  assert.equal(response.statusCode, 202, response.body);
  return batchId;
}

/** Waits (bounded) until the worker has evaluated every event of the batch. */
async function detected(db: Db, batchId: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const { rows } = await db.query<{ pending: number; total: number }>(
      'SELECT count(*) FILTER (WHERE detected_at IS NULL)::int AS pending, count(*)::int AS total FROM events WHERE batch_id = $1',
      [batchId],
    );
    if (rows[0].total > 0 && rows[0].pending === 0) return;
    if (Date.now() > deadline) throw new Error(`batch ${batchId} not detected within ${WAIT_MS} ms (${rows[0].pending} pending)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type AlertDbRow = { id: string; rule: string; severity: string; incident_id: string | null; detection_latency_ms: number; correlation_ms: number | null; event_ingested_at: Date; created_at: Date };

async function alertsFor(db: Db, where: string, params: unknown[]): Promise<AlertDbRow[]> {
  const { rows } = await db.query<AlertDbRow>(
    `SELECT a.id, r.name AS rule, a.severity, a.incident_id, a.detection_latency_ms, a.correlation_ms, a.event_ingested_at, a.created_at
       FROM alerts a JOIN rules r ON r.id = a.rule_id WHERE ${where} ORDER BY a.id`,
    params,
  );
  return rows;
}

const metricValue = (body: string, series: string): number => {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};

test('brute force over two batches raises one alert, deduplicated, correlated with an indicator match into an incident', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const admin = await login(app, 'admin', 'admin-demo-pass');
  const ip = '203.0.113.66';
  const host = `web-${randomUUID().slice(0, 6)}`;
  const imported = await app.inject({
    method: 'POST',
    url: '/api/v1/indicators/import',
    headers: bearer(admin),
    payload: { indicators: [{ type: 'ip', value: ip, severity: 'critical', source: 'pipeline-test' }] },
  });
  assert.equal(imported.statusCode, 200, imported.body);

  const failure = (s: number) => ({ type: 'auth', occurredAt: at(s), host, username: 'victim', srcIp: ip, outcome: 'failure', message: 'bad password' });
  // Six failures: below the threshold of 10, but the source is a known-bad indicator.
  const first = await ingest(app, [0, 5, 10, 15, 20, 25].map(failure));
  await detected(db, first);
  let alerts = await alertsFor(db, 'a.src_ip = $1::inet', [ip]);
  assert.deepEqual(alerts.map((a) => [a.rule, a.severity]), [['Known-bad indicator', 'critical']]);

  // Six more within five minutes: the database window holds twelve, so brute force fires now.
  const second = await ingest(app, [30, 35, 40, 45, 50, 55].map(failure));
  await detected(db, second);
  alerts = await alertsFor(db, 'a.src_ip = $1::inet', [ip]);
  assert.deepEqual(alerts.map((a) => a.rule), ['Known-bad indicator', 'Brute-force login']);
  const bruteForce = alerts[1];
  // The trigger is the tenth failure (occurred at +45 s); latency runs from its ingestion.
  const tenth = await db.query<{ ingested_at: Date }>('SELECT ingested_at FROM events WHERE batch_id = $1 AND occurred_at = $2', [second, at(45)]);
  assert.equal(bruteForce.event_ingested_at.getTime(), tenth.rows[0].ingested_at.getTime());
  assert.ok(bruteForce.detection_latency_ms > 0);
  assert.ok(Math.abs(bruteForce.created_at.getTime() - bruteForce.event_ingested_at.getTime() - bruteForce.detection_latency_ms) < 1.5);

  // Correlation: both alerts share the source IP, so an incident groups them.
  assert.ok(alerts.every((a) => a.incident_id !== null && a.incident_id === alerts[0].incident_id));
  assert.ok(alerts.every((a) => a.correlation_ms !== null && a.correlation_ms >= 0));
  const incident = await db.query<{ correlation_key: string; severity: string; status: string }>('SELECT correlation_key, severity, status FROM incidents WHERE id = $1', [alerts[0].incident_id]);
  assert.deepEqual(incident.rows[0], { correlation_key: `src_ip:${ip}`, severity: 'critical', status: 'open' });

  // More of the same attack: no new alert, the events join the existing ones.
  const third = await ingest(app, [60, 65, 70].map(failure));
  await detected(db, third);
  alerts = await alertsFor(db, 'a.src_ip = $1::inet', [ip]);
  assert.equal(alerts.length, 2);
  const linked = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_events WHERE alert_id = $1', [bruteForce.id]);
  assert.equal(linked.rows[0].n, 15);

  // The API shows the latency and the related events.
  const analyst = await login(app, 'analyst04', 'analyst-demo-pass');
  const detail = await app.inject({ method: 'GET', url: `/api/v1/alerts/${bruteForce.id}`, headers: bearer(analyst) });
  assert.equal(detail.statusCode, 200);
  const body = detail.json<{ ruleName: string; technique: string; detectionLatencyMs: number; incidentId: number; events: Array<{ srcIp: string }>; correlationMs: number }>();
  assert.equal(body.ruleName, 'Brute-force login');
  assert.equal(body.technique, 'T1110');
  assert.equal(body.detectionLatencyMs, bruteForce.detection_latency_ms);
  assert.equal(body.incidentId, Number(bruteForce.incident_id));
  assert.equal(body.events.length, 15);
  assert.ok(body.events.every((e) => e.srcIp === ip));
  const incidentDetail = await app.inject({ method: 'GET', url: `/api/v1/incidents/${bruteForce.incident_id}`, headers: bearer(analyst) });
  assert.equal(incidentDetail.statusCode, 200);
  assert.deepEqual((incidentDetail.json<{ alerts: Array<{ id: number }> }>()).alerts.map((a) => a.id), alerts.map((a) => Number(a.id)));

  // ...and Prometheus has the histograms.
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.equal(metricValue(metrics, 'rampart_detection_latency_seconds_count{rule="Brute-force login",severity="high"}'), 1);
  assert.equal(metricValue(metrics, 'rampart_detection_latency_seconds_count{rule="Known-bad indicator",severity="critical"}'), 1);
  assert.ok(metricValue(metrics, 'rampart_detection_latency_seconds_sum{rule="Brute-force login",severity="high"}') > 0);
  assert.equal(metricValue(metrics, 'rampart_alert_correlation_seconds_count'), 2);
  assert.equal(metricValue(metrics, 'rampart_detection_backlog_events'), 0);
});

test('impossible travel: one user signing in from two countries within the window raises an alert', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const traveller = `traveller-${randomUUID().slice(0, 6)}`;
  const homebody = `homebody-${randomUUID().slice(0, 6)}`;
  const signIn = (username: string, country: string, s: number, srcIp: string) => ({
    type: 'auth', occurredAt: at(s), host: 'vpn-gw', username, srcIp, outcome: 'success', country, message: 'login ok',
  });
  const first = await ingest(app, [signIn(traveller, 'US', 0, '198.51.100.21'), signIn(homebody, 'FR', 0, '198.51.100.22')]);
  await detected(db, first);
  const second = await ingest(app, [signIn(traveller, 'KP', 20 * 60, '198.51.100.23'), signIn(homebody, 'FR', 20 * 60, '198.51.100.24')]);
  await detected(db, second);
  const alerts = await alertsFor(db, 'a.username = ANY($1)', [[traveller, homebody]]);
  assert.deepEqual(alerts.map((a) => a.rule), ['Impossible travel']);
  const { rows } = await db.query<{ title: string; username: string; countries: string[] }>(
    `SELECT a.title, a.username, array_agg(e.country ORDER BY e.occurred_at) AS countries
       FROM alerts a JOIN alert_events ae ON ae.alert_id = a.id JOIN events e ON e.id = ae.event_id
      WHERE a.id = $1 GROUP BY a.id`,
    [alerts[0].id],
  );
  assert.equal(rows[0].username, traveller);
  assert.deepEqual(rows[0].countries, ['US', 'KP']);
  assert.match(rows[0].title, /US and KP/);
});

test('pattern rules and indicator matches on domains and hashes raise alerts; harmless events do not', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const admin = await login(app, 'admin', 'admin-demo-pass');
  const tag = randomUUID().slice(0, 6);
  const badDomain = `c2-${tag}.example.net`;
  const badHash = tag.padEnd(64, 'a');
  const imported = await app.inject({
    method: 'POST',
    url: '/api/v1/indicators/import',
    headers: bearer(admin),
    payload: { indicators: [{ type: 'domain', value: badDomain, severity: 'medium', source: 'pipeline-test' }, { type: 'hash', value: badHash, severity: 'high', source: 'pipeline-test' }] },
  });
  assert.equal(imported.statusCode, 200, imported.body);
  const hosts = { dump: `ws-dump-${tag}`, ddns: `ws-ddns-${tag}`, ioc: `ws-ioc-${tag}`, clean: `ws-clean-${tag}` };
  const batch = await ingest(app, [
    { type: 'process', occurredAt: at(1), host: hosts.dump, username: 'eve', process: 'MimiKatz.EXE', message: 'process started' },
    { type: 'process', occurredAt: at(2), host: hosts.dump, username: 'eve', process: 'mimikatz.exe', message: 'process started again' },
    { type: 'dns', occurredAt: at(3), host: hosts.ddns, domain: `beacon-${tag}.duckdns.org`, message: 'query' },
    { type: 'dns', occurredAt: at(4), host: hosts.ioc, domain: `${badDomain.toUpperCase()}.`, message: 'query' },
    { type: 'file', occurredAt: at(5), host: hosts.ioc, fileHash: badHash.toUpperCase(), message: 'file written' },
    { type: 'process', occurredAt: at(6), host: hosts.clean, process: 'notepad.exe', message: 'process started' },
    { type: 'dns', occurredAt: at(7), host: hosts.clean, domain: 'duckdns.org.example.com', message: 'query' },
  ]);
  await detected(db, batch);
  const alerts = await db.query<{ host: string; rule: string; severity: string; events: number }>(
    `SELECT a.host, r.name AS rule, a.severity, (SELECT count(*)::int FROM alert_events ae WHERE ae.alert_id = a.id) AS events
       FROM alerts a JOIN rules r ON r.id = a.rule_id WHERE a.host = ANY($1) ORDER BY r.id, a.id`,
    [Object.values(hosts)],
  );
  assert.deepEqual(alerts.rows, [
    // One indicator alert per indicator and host, at the indicator's severity.
    { host: hosts.ioc, rule: 'Known-bad indicator', severity: 'medium', events: 1 },
    { host: hosts.ioc, rule: 'Known-bad indicator', severity: 'high', events: 1 },
    // Two mimikatz runs on one host within the dedup window: one alert with both events.
    { host: hosts.dump, rule: 'Credential dumping tool', severity: 'critical', events: 2 },
    { host: hosts.ddns, rule: 'Dynamic DNS domain', severity: 'medium', events: 1 },
  ]);
});

test('rule changes apply to the next pass: a disabled rule stays silent, a new rule fires', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const admin = await login(app, 'admin', 'admin-demo-pass');
  const tag = randomUUID().slice(0, 6);
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/admin/rules',
    headers: bearer(admin),
    payload: {
      name: `Netcat listener ${tag}`,
      kind: 'pattern',
      severity: 'low',
      technique: 'T1095',
      params: { field: 'process', op: 'equals', value: `nc-${tag}`, eventType: 'process', groupBy: 'host' },
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  const rules = await db.query<{ id: string }>("SELECT id FROM rules WHERE name = 'Credential dumping tool'");
  const dumpingRule = Number(rules.rows[0].id);
  const disabled = await app.inject({ method: 'PATCH', url: `/api/v1/admin/rules/${dumpingRule}`, headers: bearer(admin), payload: { enabled: false } });
  assert.equal(disabled.statusCode, 200);
  t.after(() => db.query('UPDATE rules SET enabled = true WHERE id = $1', [dumpingRule]));

  const host = `srv-${tag}`;
  const batch = await ingest(app, [
    { type: 'process', occurredAt: at(1), host, process: 'mimikatz.exe', message: 'x' },
    { type: 'process', occurredAt: at(2), host, process: `nc-${tag}`, message: 'listening' },
  ]);
  await detected(db, batch);
  const alerts = await alertsFor(db, 'a.host = $1', [host]);
  assert.deepEqual(alerts.map((a) => [a.rule, a.severity]), [[`Netcat listener ${tag}`, 'low']]);
});

test('correlation by username: two alerts open an incident, a later alert joins it while it is open', async (t) => {
  const app = await buildTestApp(t);
  const { db } = await startDatabase();
  const tag = randomUUID().slice(0, 6);
  const user = `mallory-${tag}`;
  const first = await ingest(app, [
    { type: 'process', occurredAt: at(1), host: `ws-a-${tag}`, username: user, process: 'mimikatz.exe', message: 'started' },
    { type: 'process', occurredAt: at(2), host: `ws-a-${tag}`, username: user, process: 'powershell.exe', message: 'powershell.exe -EncodedCommand SQBFAFgA' },
  ]);
  await detected(db, first);
  let alerts = await alertsFor(db, 'a.username = $1', [user]);
  assert.deepEqual(alerts.map((a) => a.rule), ['Credential dumping tool', 'Encoded PowerShell command']);
  const incidentId = alerts[0].incident_id;
  assert.ok(incidentId !== null && alerts.every((a) => a.incident_id === incidentId));
  const incident = await db.query<{ correlation_key: string; severity: string }>('SELECT correlation_key, severity FROM incidents WHERE id = $1', [incidentId]);
  assert.deepEqual(incident.rows[0], { correlation_key: `username:${user}`, severity: 'critical' });

  const second = await ingest(app, [{ type: 'process', occurredAt: at(3), host: `ws-b-${tag}`, username: user, process: 'wevtutil.exe', message: 'wevtutil cl Security' }]);
  await detected(db, second);
  alerts = await alertsFor(db, 'a.username = $1', [user]);
  assert.deepEqual(alerts.map((a) => a.rule), ['Credential dumping tool', 'Encoded PowerShell command', 'Event log cleared']);
  assert.equal(alerts[2].incident_id, incidentId);
  assert.ok(alerts[2].correlation_ms !== null && alerts[2].correlation_ms >= 0);
  const analyst = await login(app, 'analyst05', 'analyst-demo-pass');
  const listed = await app.inject({ method: 'GET', url: `/api/v1/alerts?incidentId=${incidentId}`, headers: bearer(analyst) });
  assert.equal(listed.statusCode, 200);
  assert.deepEqual((listed.json<{ items: Array<{ id: number }> }>()).items.map((a) => a.id).sort((x, y) => x - y), alerts.map((a) => Number(a.id)));
});
