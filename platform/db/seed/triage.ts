// The history seed's triage: incidents grouping about a fifth of the seeded alerts, comments on
// alerts, and the audit entries of alert and incident updates.
import { SEVERITIES } from '../../domain/vocabulary.ts';
import { nextBase, poolTable, syncSequence, unit } from './sql.ts';
import type { SeedContext } from './sql.ts';
import type { SeededAlerts } from './alerts.ts';

const COMMENT_BODIES = [
  'Checked the source host, looks like a scheduled job.', 'Escalating: matches a known campaign.',
  'User confirmed the activity, closing as expected behaviour.', 'Blocked the source IP at the perimeter.',
  'Reset the account password and revoked sessions.', 'Waiting for the endpoint team to collect triage data.',
  'Duplicate of an earlier alert on the same host.', 'False positive: vulnerability scanner.',
  'Isolated the host from the network.', 'Indicator is stale, requested feed update.',
];

/** SQL array of the severities, least severe first: an incident takes its most severe alert's. */
const SEVERITY_ARRAY = `ARRAY['${SEVERITIES.join("', '")}']`;

/** Seeds incidents, comments and audit entries; returns the id below the seeded incidents. */
export async function seedTriage(ctx: SeedContext, alerts: SeededAlerts): Promise<number> {
  const { client, size, now, salt } = ctx;
  const { alertBase, count: nAlerts, assignees } = alerts;
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
            (${SEVERITY_ARRAY})[max_sev], first_assignee,
            CASE WHEN first_src IS NOT NULL THEN 'src_ip:' || host(first_src) ELSE 'host:' || first_host END,
            'Grouped ' || n || ' alerts by correlation.', first_at, last_at
       FROM (
         SELECT ${incidentOf} AS k, count(*) AS n, min(al.created_at) AS first_at, max(al.updated_at) AS last_at,
                max(array_position(${SEVERITY_ARRAY}, al.severity)) AS max_sev,
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
  return incidentBase;
}
