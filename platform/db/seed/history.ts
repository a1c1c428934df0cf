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
import type pg from 'pg';
import { Faker, base, en } from '@faker-js/faker';
import type { Db } from '../pool.ts';
import { generateReport, REPORT_KINDS } from '../../services/reports.ts';
import type { ReportKind } from '../../services/reports.ts';

export type HistoryPreset = 'small' | 'representative';

export interface HistorySize {
  events: number;
  alerts: number;
  indicators: number;
  incidents: number;
  comments: number;
  auditEntries: number;
  reports: number;
  /** Users in total after seeding; extra analysts are added up to this number (0: add none). */
  usersTotal: number;
  hosts: number;
  externalIps: number;
  internalIps: number;
  domains: number;
}

export const HISTORY_SIZES: Record<HistoryPreset, HistorySize> = {
  small: {
    events: 20_000, alerts: 1_000, indicators: 500, incidents: 10, comments: 200,
    auditEntries: 300, reports: 4, usersTotal: 0,
    hosts: 60, externalIps: 400, internalIps: 120, domains: 150,
  },
  representative: {
    events: 5_000_000, alerts: 200_000, indicators: 20_000, incidents: 2_000, comments: 40_000,
    auditEntries: 50_000, reports: 12, usersTotal: 500,
    hosts: 2_500, externalIps: 30_000, internalIps: 4_000, domains: 8_000,
  },
};

export const HISTORY_DAYS = 30;

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

const EVENTS_PER_BATCH = 500;
const EVENT_TYPES = ['auth', 'network', 'process', 'dns', 'file'] as const;
const EVENT_CHUNK = 250_000;
const SERVICE_ACCOUNTS = ['svc-backup', 'svc-deploy', 'svc-monitor', 'svc-sql', 'svc-web', 'root', 'administrator', 'guest'];
const PROCESSES = [
  'powershell.exe', 'cmd.exe', 'explorer.exe', 'chrome.exe', 'winword.exe', 'excel.exe', 'outlook.exe',
  'svchost.exe', 'rundll32.exe', 'regsvr32.exe', 'mshta.exe', 'wscript.exe', 'certutil.exe', 'psexec.exe',
  'bash', 'sshd', 'curl', 'wget', 'python3', 'java', 'nginx', 'postgres', 'systemd', 'cron', 'sudo', 'nc',
];
const PORTS = [443, 80, 22, 3389, 445, 53, 8080, 25, 993, 5432, 1433, 6379];
const AUTH_METHODS = ['ssh', 'kerberos', 'saml', 'ldap', 'vpn', 'rdp'];
const INDICATOR_SOURCES = ['abuse.ch', 'alienvault-otx', 'misp-community', 'internal-hunt', 'crowd-feed', 'spamhaus', 'vendor-intel'];
const COMMENT_BODIES = [
  'Checked the source host, looks like a scheduled job.', 'Escalating: matches a known campaign.',
  'User confirmed the activity, closing as expected behaviour.', 'Blocked the source IP at the perimeter.',
  'Reset the account password and revoked sessions.', 'Waiting for the endpoint team to collect triage data.',
  'Duplicate of an earlier alert on the same host.', 'False positive: vulnerability scanner.',
  'Isolated the host from the network.', 'Indicator is stale, requested feed update.',
];

/** A seeded faker of its own, so the platform's other users of faker are never disturbed. */
function seededFaker(seed: number): Faker {
  const f = new Faker({ locale: [en, base] });
  f.seed(seed);
  return f;
}

function uniqueValues(count: number, make: () => string, taken: Set<string> = new Set()): string[] {
  const out: string[] = [];
  let attempts = 0;
  while (out.length < count) {
    let v = make();
    attempts += 1;
    if (taken.has(v)) {
      if (attempts > count * 20) v = `${v}-${out.length}`;
      else continue;
    }
    if (taken.has(v)) continue;
    taken.add(v);
    out.push(v);
  }
  return out;
}

export interface ValuePools {
  hosts: string[];
  internalIps: string[];
  externalIps: string[];
  domains: string[];
  hashes: string[];
  countries: string[];
  extraUsers: { username: string; displayName: string; role: 'analyst' | 'admin' }[];
  indicators: { type: 'ip' | 'domain' | 'hash'; value: string; severity: string; source: string; description: string }[];
}

/** Builds every value pool from a seeded faker. Pure: the same seed gives the same pools. */
export function buildPools(size: HistorySize, seed: number, existingUsernames: string[], existingUsers: number): ValuePools {
  const f = seededFaker(seed);
  const hosts = uniqueValues(size.hosts, () => {
    const kind = f.helpers.arrayElement(['ws', 'ws', 'ws', 'srv', 'db', 'web', 'dc', 'lap']);
    return `${kind}-${f.word.noun().toLowerCase().replace(/[^a-z]/g, '')}-${f.number.int({ min: 1, max: 999 }).toString().padStart(3, '0')}`;
  });
  const internalIps = uniqueValues(size.internalIps, () =>
    `10.${f.number.int({ min: 0, max: 40 })}.${f.number.int({ min: 0, max: 255 })}.${f.number.int({ min: 1, max: 254 })}`);
  const isPublic = (ip: string): boolean => !/^(10|127|0|169\.254|192\.168|172\.(1[6-9]|2\d|3[01]))\./.test(ip) && !/^(22[4-9]|2[3-5]\d)\./.test(ip);
  const ipTaken = new Set<string>(internalIps);
  const publicIp = (): string => {
    for (;;) {
      const ip = f.internet.ipv4();
      if (isPublic(ip)) return ip;
    }
  };
  const externalIps = uniqueValues(size.externalIps, publicIp, ipTaken);
  const domainTaken = new Set<string>();
  const domains = uniqueValues(size.domains, () => f.internet.domainName().toLowerCase(), domainTaken);
  const hashTaken = new Set<string>();
  const hashes = uniqueValues(Math.max(200, Math.floor(size.domains / 2)), () => f.string.hexadecimal({ length: 64, casing: 'lower', prefix: '' }), hashTaken);
  const countries = uniqueValues(40, () => f.location.countryCode('alpha-2'));

  const nIp = Math.floor(size.indicators * 0.4);
  const nDomain = Math.floor(size.indicators * 0.35);
  const nHash = size.indicators - nIp - nDomain;
  const badIps = uniqueValues(nIp, publicIp, ipTaken);
  const badDomains = uniqueValues(nDomain, () =>
    `${f.word.adjective().toLowerCase().replace(/[^a-z]/g, '')}-${f.word.noun().toLowerCase().replace(/[^a-z]/g, '')}.${f.helpers.arrayElement(['xyz', 'top', 'ru', 'cn', 'info', 'biz', 'net', 'io'])}`,
  domainTaken);
  const badHashes = uniqueValues(nHash, () => f.string.hexadecimal({ length: f.helpers.arrayElement([32, 40, 64]), casing: 'lower', prefix: '' }), hashTaken);
  const severities = ['low', 'medium', 'medium', 'high', 'high', 'critical'];
  const indicator = (type: 'ip' | 'domain' | 'hash', value: string) => ({
    type, value,
    severity: f.helpers.arrayElement(severities),
    source: f.helpers.arrayElement(INDICATOR_SOURCES),
    description: `${f.helpers.arrayElement(['C2 server', 'phishing', 'malware dropper', 'scanner', 'botnet node', 'ransomware', 'credential stuffing'])} reported by ${f.company.name()}`,
  });
  const indicators = [
    ...badIps.map((v) => indicator('ip', v)),
    ...badDomains.map((v) => indicator('domain', v)),
    ...badHashes.map((v) => indicator('hash', v)),
  ];

  const usernameTaken = new Set<string>(existingUsernames);
  const extraCount = Math.max(0, size.usersTotal - existingUsers);
  const extraUsers: ValuePools['extraUsers'] = [];
  for (let k = 0; k < extraCount; k++) {
    const first = f.person.firstName();
    const last = f.person.lastName();
    let username = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    if (usernameTaken.has(username)) username = `${username}${k}`;
    usernameTaken.add(username);
    extraUsers.push({ username, displayName: `${first} ${last}`, role: k % 50 === 0 ? 'admin' : 'analyst' });
  }
  return { hosts, internalIps, externalIps, domains, hashes, countries, extraUsers, indicators };
}

/** SQL expression: a deterministic uniform number in [0, 1) for row `expr` and salt `salt`. */
function unit(expr: string, salt: number): string {
  return `((hashint8extended((${expr})::bigint, ${salt}) & 4294967295)::float8 / 4294967296.0)`;
}

async function poolTable(client: pg.PoolClient, name: string, values: string[]): Promise<void> {
  await client.query(`CREATE TEMP TABLE ${name} (i integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP`);
  await client.query(`INSERT INTO ${name} (i, v) SELECT ord::integer, v FROM unnest($1::text[]) WITH ORDINALITY AS t(v, ord)`, [values]);
  await client.query(`ANALYZE ${name}`);
}

async function nextBase(client: pg.PoolClient, table: string): Promise<number> {
  const { rows } = await client.query<{ base: string }>(
    `SELECT GREATEST((SELECT COALESCE(max(id), 0) FROM ${table}),
                     (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM ${table}_id_seq)) AS base`);
  return Number(rows[0].base);
}

async function syncSequence(client: pg.PoolClient, table: string): Promise<void> {
  await client.query(`SELECT setval('${table}_id_seq', GREATEST((SELECT COALESCE(max(id), 0) FROM ${table}), 1))`);
}

export async function seedHistory(db: Db, preset: HistoryPreset, options: SeedHistoryOptions = {}): Promise<SeedHistoryResult> {
  const size = HISTORY_SIZES[preset];
  if (!size) throw new Error(`seedHistory: unknown preset "${String(preset)}"; use small or representative`);
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
    const rules = (await client.query<{ id: string; kind: string; params: Record<string, unknown> }>('SELECT id, kind, params FROM rules ORDER BY id')).rows;
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

    // Value pools as temp tables, joined by index (arrays of text are walked per access: too slow at 5M rows).
    const usernames = [...existing.map((u) => u.username), ...pools.extraUsers.map((u) => u.username), ...SERVICE_ACCOUNTS];
    await poolTable(client, 'seed_hosts', pools.hosts);
    await poolTable(client, 'seed_users', usernames);
    await poolTable(client, 'seed_int_ips', pools.internalIps);
    await poolTable(client, 'seed_ext_ips', pools.externalIps);
    await poolTable(client, 'seed_bad_ips', pools.indicators.filter((i) => i.type === 'ip').map((i) => i.value));
    await poolTable(client, 'seed_domains', pools.domains);
    await poolTable(client, 'seed_bad_domains', pools.indicators.filter((i) => i.type === 'domain').map((i) => i.value));
    await poolTable(client, 'seed_hashes', pools.hashes);
    await poolTable(client, 'seed_bad_hashes', pools.indicators.filter((i) => i.type === 'hash').map((i) => i.value));
    await poolTable(client, 'seed_countries', pools.countries);
    await poolTable(client, 'seed_processes', PROCESSES);
    await poolTable(client, 'seed_sensors', sensors.map(String));
    const n = (values: unknown[]): number => Math.max(1, values.length);
    const nBadIps = n(pools.indicators.filter((i) => i.type === 'ip'));
    const nBadDomains = n(pools.indicators.filter((i) => i.type === 'domain'));
    const nBadHashes = n(pools.indicators.filter((i) => i.type === 'hash'));

    // Events: ids grow with time (as ingestion does); a small jitter keeps them from being exactly ordered.
    const eventBase = await nextBase(client, 'events');
    const total = size.events;
    const startMs = now.getTime() - spanSeconds * 1000;
    const skew = (k: number, count: number, power: number): string => `(1 + floor(${count} * power(${unit('i', salt(k))}, ${power})))::integer`;
    for (let from = 1; from <= total; from += EVENT_CHUNK) {
      const to = Math.min(total, from + EVENT_CHUNK - 1);
      await client.query(
        `INSERT INTO events (id, sensor_id, batch_id, occurred_at, ingested_at, type, host, username, src_ip, dst_ip,
                             dst_port, outcome, country, domain, process, file_hash, message, attributes, detected_at)
         SELECT ${eventBase} + g.i, s.v::bigint, 'seed-${seed}-' || lpad(g.b::text, 6, '0'),
                g.occurred, g.occurred + g.delay, g.type, h.v,
                CASE WHEN g.type IN ('auth', 'process', 'file') THEN u.v END,
                CASE WHEN g.type = 'auth' THEN CASE WHEN g.r1 < 0.03 THEN bi.v WHEN g.r1 < 0.35 THEN ei.v ELSE ii.v END
                     WHEN g.type IN ('network', 'dns') THEN ii.v END::inet,
                CASE WHEN g.type = 'network' THEN CASE WHEN g.r2 < 0.01 THEN bi.v WHEN g.r2 < 0.6 THEN ei.v ELSE ii2.v END END::inet,
                CASE WHEN g.type = 'network' THEN (ARRAY[${PORTS.join(',')}])[1 + floor(power(g.r3, 2) * ${PORTS.length})::integer] END,
                CASE g.type WHEN 'auth' THEN CASE WHEN g.r3 < 0.12 THEN 'failure' ELSE 'success' END
                            WHEN 'network' THEN CASE WHEN g.r1 < 0.08 THEN 'blocked' ELSE 'allowed' END
                            WHEN 'dns' THEN CASE WHEN g.r3 < 0.05 THEN 'nxdomain' ELSE 'resolved' END END,
                CASE WHEN g.type = 'auth' THEN CASE WHEN g.r1 < 0.35 THEN c.v ELSE 'US' END END,
                CASE WHEN g.type = 'dns' THEN CASE WHEN g.r2 < 0.02 THEN bd.v ELSE d.v END END,
                CASE WHEN g.type IN ('process', 'file') THEN p.v END,
                CASE WHEN g.type = 'file' OR (g.type = 'process' AND g.r2 < 0.5) THEN CASE WHEN g.r1 < 0.01 THEN bh.v ELSE fh.v END END,
                CASE g.type
                  WHEN 'auth' THEN 'Login ' || CASE WHEN g.r3 < 0.12 THEN 'failure' ELSE 'success' END || ' for ' || u.v || ' via '
                                   || (ARRAY['${AUTH_METHODS.join("','")}'])[1 + floor(g.r2 * ${AUTH_METHODS.length})::integer] || ' on ' || h.v
                  WHEN 'network' THEN 'Connection ' || CASE WHEN g.r1 < 0.08 THEN 'blocked' ELSE 'allowed' END || ' from ' || ii.v || ' on ' || h.v
                  WHEN 'process' THEN 'Process ' || p.v || ' started by ' || u.v || ' on ' || h.v
                  WHEN 'dns' THEN 'DNS query for ' || CASE WHEN g.r2 < 0.02 THEN bd.v ELSE d.v END || ' from ' || h.v
                  ELSE 'File written by ' || p.v || ' on ' || h.v END,
                CASE g.type
                  WHEN 'auth' THEN jsonb_build_object('method', (ARRAY['${AUTH_METHODS.join("','")}'])[1 + floor(g.r2 * ${AUTH_METHODS.length})::integer])
                  WHEN 'network' THEN jsonb_build_object('protocol', CASE WHEN g.r3 < 0.9 THEN 'tcp' ELSE 'udp' END, 'bytes', floor(g.r2 * 1000000)::integer)
                  WHEN 'process' THEN jsonb_build_object('pid', 100 + floor(g.r3 * 60000)::integer)
                  WHEN 'dns' THEN jsonb_build_object('qtype', CASE WHEN g.r1 < 0.8 THEN 'A' ELSE 'AAAA' END)
                  ELSE jsonb_build_object('sizeBytes', floor(g.r3 * 5000000)::integer) END,
                g.occurred + g.delay + interval '150 milliseconds'
           FROM (
             SELECT i, (i - 1) / ${EVENTS_PER_BATCH} AS b,
                    to_timestamp(${startMs / 1000} + (i - 0.5 - ${unit('i', salt(10))}) * ${spanSeconds}::float8 / ${total}) AS occurred,
                    make_interval(secs => 0.05 + power(${unit('i', salt(11))}, 3) * 8) AS delay,
                    CASE WHEN ${unit('i', salt(12))} < 0.35 THEN 'auth' WHEN ${unit('i', salt(12))} < 0.65 THEN 'network'
                         WHEN ${unit('i', salt(12))} < 0.80 THEN 'process' WHEN ${unit('i', salt(12))} < 0.95 THEN 'dns' ELSE 'file' END AS type,
                    ${skew(13, pools.hosts.length, 2)} AS hi, ${skew(14, usernames.length, 1.5)} AS ui,
                    ${skew(15, pools.internalIps.length, 2)} AS iii, ${skew(16, pools.internalIps.length, 1)} AS iii2,
                    ${skew(17, pools.externalIps.length, 3)} AS eii, ${skew(18, nBadIps, 2)} AS bii,
                    ${skew(19, pools.domains.length, 2.5)} AS di, ${skew(20, nBadDomains, 2)} AS bdi,
                    ${skew(21, pools.hashes.length, 2)} AS fhi, ${skew(22, nBadHashes, 2)} AS bhi,
                    ${skew(23, pools.countries.length, 2)} AS ci, ${skew(24, PROCESSES.length, 2)} AS pi,
                    (1 + ((i - 1) / ${EVENTS_PER_BATCH}) % ${sensors.length})::integer AS si,
                    ${unit('i', salt(25))} AS r1, ${unit('i', salt(26))} AS r2, ${unit('i', salt(27))} AS r3
               FROM generate_series(${from}::bigint, ${to}::bigint) AS i
           ) g
           JOIN seed_sensors s ON s.i = g.si
           JOIN seed_hosts h ON h.i = g.hi
           JOIN seed_users u ON u.i = g.ui
           JOIN seed_int_ips ii ON ii.i = g.iii
           JOIN seed_int_ips ii2 ON ii2.i = g.iii2
           JOIN seed_ext_ips ei ON ei.i = g.eii
           LEFT JOIN seed_bad_ips bi ON bi.i = g.bii
           JOIN seed_domains d ON d.i = g.di
           LEFT JOIN seed_bad_domains bd ON bd.i = g.bdi
           JOIN seed_hashes fh ON fh.i = g.fhi
           LEFT JOIN seed_bad_hashes bh ON bh.i = g.bhi
           JOIN seed_countries c ON c.i = g.ci
           JOIN seed_processes p ON p.i = g.pi`,
      );
      log(`history(${preset}): events ${to.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    await syncSequence(client, 'events');
    await client.query(
      `INSERT INTO event_batches (sensor_id, batch_id, event_count, received_at)
       SELECT sensor_id, batch_id, count(*), max(ingested_at) FROM events WHERE id > ${eventBase} GROUP BY sensor_id, batch_id
       ON CONFLICT DO NOTHING`);

    // Alerts: each is raised by a real rule from a real event spread evenly over the window, a rule
    // that fits the event: auth events raise brute-force / impossible-travel rules, pattern rules only
    // events of their `eventType`, indicator matches any non-auth event (fallback: any rule).
    const fits = (rule: { kind: string; params: Record<string, unknown> }, type: string): boolean => {
      if (rule.kind === 'brute_force' || rule.kind === 'impossible_travel') return type === 'auth';
      if (rule.kind === 'indicator_match') return type !== 'auth';
      return rule.params.eventType === undefined || rule.params.eventType === type;
    };
    const grouped: { grp: string; i: number; id: string }[] = [];
    const groupSize: Record<string, number> = {};
    for (const type of EVENT_TYPES) {
      const matching = rules.filter((r) => fits(r, type));
      const group = matching.length > 0 ? matching : rules;
      group.forEach((r, k) => grouped.push({ grp: type, i: k + 1, id: r.id }));
      groupSize[type] = group.length;
    }
    await client.query('CREATE TEMP TABLE seed_rules (grp text, i integer, id bigint, PRIMARY KEY (grp, i)) ON COMMIT DROP');
    await client.query('INSERT INTO seed_rules SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[])',
      [grouped.map((g) => g.grp), grouped.map((g) => g.i), grouped.map((g) => g.id)]);
    const groupCount = `CASE e.type ${EVENT_TYPES.map((type) => `WHEN '${type}' THEN ${groupSize[type]}`).join(' ')} END`;
    const analysts = (await client.query<{ id: string }>("SELECT id FROM users WHERE role = 'analyst' AND NOT disabled ORDER BY id")).rows;
    const assignees = analysts.length > 0 ? analysts : (await client.query<{ id: string }>('SELECT id FROM users ORDER BY id')).rows;
    await poolTable(client, 'seed_analysts', assignees.map((a) => a.id));

    const alertBase = await nextBase(client, 'alerts');
    const nAlerts = size.alerts;
    const stride = total / nAlerts;
    await client.query(
      `INSERT INTO alerts (id, rule_id, severity, status, title, host, username, src_ip, assignee_id, dedup_key,
                           event_ingested_at, created_at, detection_latency_ms, updated_at)
       SELECT ${alertBase} + a.j, r.id, r.severity, a.status,
              r.name || ': ' || COALESCE(host(e.src_ip), e.username, e.host), e.host, e.username, e.src_ip,
              CASE WHEN a.status <> 'new' THEN an.v::bigint END, NULL,
              e.ingested_at, LEAST(e.ingested_at + make_interval(secs => a.latency_ms / 1000.0), $1::timestamptz),
              a.latency_ms,
              LEAST(e.ingested_at + make_interval(secs => a.latency_ms / 1000.0)
                    + CASE WHEN a.status <> 'new' THEN make_interval(mins => floor(a.r2 * 240)::integer) ELSE interval '0' END, $1::timestamptz)
         FROM (
           SELECT j, ${eventBase} + LEAST(${total}, GREATEST(1, floor((j - 1) * ${stride} + ${unit('j', salt(30))} * ${stride})::bigint + 1)) AS event_id,
                  40 + power(${unit('j', salt(31))}, 4) * 4000 AS latency_ms,
                  ${unit('j', salt(33))} AS r2,
                  (1 + floor(${unit('j', salt(34))} * ${assignees.length}))::integer AS ai,
                  CASE WHEN ${unit('j', salt(35))} < 0.92 * (1 - j::float8 / ${nAlerts}) + 0.02
                       THEN CASE WHEN ${unit('j', salt(36))} < 0.8 THEN 'resolved' ELSE 'false_positive' END
                       ELSE (ARRAY['new', 'new', 'new', 'acknowledged', 'in_progress'])[1 + floor(${unit('j', salt(36))} * 5)::integer] END AS status,
                  ${unit('j', salt(37))} AS rr
             FROM generate_series(1, ${nAlerts}) AS j
         ) a
         JOIN events e ON e.id = a.event_id
         JOIN seed_rules sr ON sr.grp = e.type AND sr.i = 1 + floor(a.rr * ${groupCount})::integer
         JOIN rules r ON r.id = sr.id
         JOIN seed_analysts an ON an.i = a.ai`,
      [now.toISOString()],
    );
    await syncSequence(client, 'alerts');
    // Brute-force alerts link five events, the others one (all real, from around the trigger).
    const ae = await client.query(
      `INSERT INTO alert_events (alert_id, event_id)
       SELECT al.id, trig.id - k * 3
         FROM alerts al
         JOIN rules r ON r.id = al.rule_id
         JOIN LATERAL (SELECT ${eventBase} + LEAST(${total}, GREATEST(1, floor((al.id - ${alertBase} - 1) * ${stride} + ${unit(`al.id - ${alertBase}`, salt(30))} * ${stride})::bigint + 1)) AS id) trig ON true
         CROSS JOIN generate_series(0, 4) AS k
        WHERE al.id > ${alertBase} AND (k = 0 OR r.kind = 'brute_force') AND trig.id - k * 3 > ${eventBase}
       ON CONFLICT DO NOTHING`);
    log(`history(${preset}): ${nAlerts.toLocaleString('en-US')} alerts, ${(ae.rowCount ?? 0).toLocaleString('en-US')} alert events (${((Date.now() - started) / 1000).toFixed(1)} s)`);

    // Incidents group about a fifth of the alerts, in consecutive blocks of time.
    const incidentBase = await nextBase(client, 'incidents');
    const member = `${unit(`al.id - ${alertBase}`, salt(40))} < 0.2`;
    const incidentOf = `(1 + floor((al.id - ${alertBase} - 1)::float8 * ${size.incidents} / ${nAlerts}))::bigint`;
    await client.query(
      `INSERT INTO incidents (id, title, status, severity, assignee_id, correlation_key, summary, created_at, updated_at)
       SELECT ${incidentBase} + k,
              'Correlated activity from ' || COALESCE(host(first_src), first_host),
              CASE WHEN last_at < $1::timestamptz - interval '3 days' THEN 'closed'
                   ELSE (ARRAY['open', 'investigating', 'contained'])[1 + (k % 3)::integer] END,
              (ARRAY['low', 'medium', 'high', 'critical'])[max_sev], first_assignee,
              CASE WHEN first_src IS NOT NULL THEN 'src_ip:' || host(first_src) ELSE 'host:' || first_host END,
              'Grouped ' || n || ' alerts by correlation.', first_at, last_at
         FROM (
           SELECT ${incidentOf} AS k, count(*) AS n, min(al.created_at) AS first_at, max(al.updated_at) AS last_at,
                  max(array_position(ARRAY['low', 'medium', 'high', 'critical'], al.severity)) AS max_sev,
                  (array_agg(al.src_ip ORDER BY al.id))[1] AS first_src, (array_agg(al.host ORDER BY al.id))[1] AS first_host,
                  (array_agg(al.assignee_id ORDER BY al.id) FILTER (WHERE al.assignee_id IS NOT NULL))[1] AS first_assignee
             FROM alerts al WHERE al.id > ${alertBase} AND ${member} GROUP BY 1
         ) x`,
      [now.toISOString()],
    );
    await syncSequence(client, 'incidents');
    await client.query(
      `UPDATE alerts al SET incident_id = ${incidentBase} + ${incidentOf},
              correlated_at = al.created_at + make_interval(secs => 0.2 + ${unit(`al.id - ${alertBase}`, salt(41))} * 30),
              correlation_ms = (0.2 + ${unit(`al.id - ${alertBase}`, salt(41))} * 30) * 1000
        WHERE al.id > ${alertBase} AND ${member}`);

    // Comments and audit entries on triaged alerts.
    await poolTable(client, 'seed_comments', COMMENT_BODIES);
    await client.query(
      `INSERT INTO alert_comments (alert_id, author_id, body, created_at)
       SELECT al.id, COALESCE(al.assignee_id, an.v::bigint), cb.v, LEAST(al.created_at + make_interval(mins => 1 + c % 600), $1::timestamptz)
         FROM generate_series(1, ${size.comments}) AS c
         JOIN alerts al ON al.id = ${alertBase} + 1 + floor(${unit('c', salt(50))} * ${nAlerts})::bigint
         JOIN seed_analysts an ON an.i = 1 + floor(${unit('c', salt(51))} * ${assignees.length})::integer
         JOIN seed_comments cb ON cb.i = 1 + floor(${unit('c', salt(52))} * ${COMMENT_BODIES.length})::integer`,
      [now.toISOString()]);
    await client.query(
      `INSERT INTO audit_log (actor_kind, actor_id, action, target_type, target_id, details, created_at)
       SELECT 'user', al.assignee_id, 'alert.update', 'alert', al.id::text,
              jsonb_build_object('status', al.status, 'assigneeId', al.assignee_id), al.updated_at
         FROM alerts al
        WHERE al.id > ${alertBase} AND al.assignee_id IS NOT NULL
        ORDER BY al.id LIMIT ${size.auditEntries}`);
    await client.query(
      `INSERT INTO audit_log (actor_kind, actor_id, action, target_type, target_id, details, created_at)
       SELECT 'user', i.assignee_id, 'incident.update', 'incident', i.id::text, jsonb_build_object('status', i.status), i.updated_at
         FROM incidents i WHERE i.id > ${incidentBase} AND i.status = 'closed'`);

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
