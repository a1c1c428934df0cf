// The history seed's events: the value pools loaded as temp tables, then `size.events` events spread
// over the window in INSERT ... SELECT FROM generate_series chunks, each column picked by a hash of
// the row number; the sensors' batches recorded in event_batches.
import { HISTORY_DAYS } from './sizes.ts';
import type { ValuePools } from './pools.ts';
import { nextBase, poolTable, syncSequence, unit } from './sql.ts';
import type { SeedContext } from './sql.ts';

const EVENTS_PER_BATCH = 500;
const EVENT_CHUNK = 250_000;
const SERVICE_ACCOUNTS = ['svc-backup', 'svc-deploy', 'svc-monitor', 'svc-sql', 'svc-web', 'root', 'administrator', 'guest'];
const PROCESSES = [
  'powershell.exe', 'cmd.exe', 'explorer.exe', 'chrome.exe', 'winword.exe', 'excel.exe', 'outlook.exe',
  'svchost.exe', 'rundll32.exe', 'regsvr32.exe', 'mshta.exe', 'wscript.exe', 'certutil.exe', 'psexec.exe',
  'bash', 'sshd', 'curl', 'wget', 'python3', 'java', 'nginx', 'postgres', 'systemd', 'cron', 'sudo', 'nc',
];
const PORTS = [443, 80, 22, 3389, 445, 53, 8080, 25, 993, 5432, 1433, 6379];
const AUTH_METHODS = ['ssh', 'kerberos', 'saml', 'ldap', 'vpn', 'rdp'];

/** Where the seeded events are: ids eventBase + 1 .. eventBase + total, oldest first. */
export type SeededEvents = { eventBase: number; total: number };

/** Inserts the events; `existingUsernames` are the users already in the database, in id order. */
export async function seedEvents(ctx: SeedContext, pools: ValuePools, existingUsernames: string[], sensors: number[]): Promise<SeededEvents> {
  const { client, preset, size, seed, now, salt, log, started } = ctx;
  const spanSeconds = HISTORY_DAYS * 86_400;
  // Value pools as temp tables, joined by index (arrays of text are walked per access: too slow at 5M rows).
  const usernames = [...existingUsernames, ...pools.extraUsers.map((u) => u.username), ...SERVICE_ACCOUNTS];
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
  return { eventBase, total };
}
