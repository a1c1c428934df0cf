// The history seed's alerts: each raised by a real rule from a real seeded event, with its
// alert_events links; the analysts they are assigned to.
import { EVENT_TYPES } from '../../domain/vocabulary.ts';
import { nextBase, poolTable, syncSequence, unit } from './sql.ts';
import type { SeedContext } from './sql.ts';
import type { SeededEvents } from './events.ts';

export type SeedRule = { id: string; kind: string; params: Record<string, unknown> };

/** Where the seeded alerts are (ids alertBase + 1 .. alertBase + count) and who may be assigned. */
export type SeededAlerts = { alertBase: number; count: number; assignees: { id: string }[] };

export async function seedAlerts(ctx: SeedContext, rules: SeedRule[], events: SeededEvents): Promise<SeededAlerts> {
  const { client, preset, size, now, salt, log, started } = ctx;
  const { eventBase, total } = events;
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
  return { alertBase, count: nAlerts, assignees };
}
