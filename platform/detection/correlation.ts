// Alert-to-incident correlation, run in the detection transaction right after new alerts are written.
// An alert is keyed by its source IP (or, without one, its username). It joins the open incident
// with that correlation key that was active within the window; otherwise, when at least one other
// alert with the same key and no incident exists within the window, a new incident groups them all.
// Every alert that joins records correlated_at and correlation_ms (correlated_at - created_at).
import type { Querier } from './candidates.ts';
import type { Severity } from '../domain/vocabulary.ts';
import { maxSeverity } from './params.ts';
import type { RaisedAlert } from './store.ts';

export const DEFAULT_CORRELATION_WINDOW_SECONDS = 3600;

export type Joined = { alertId: number; incidentId: number; correlationMs: number };
export type CorrelationResult = { joined: Joined[]; incidentsCreated: number[] };

/** The key an alert correlates on, or null when it has neither a source IP nor a username. Pure. */
export function correlationKey(alert: Pick<RaisedAlert, 'srcIp' | 'username'>): { key: string; column: 'src_ip' | 'username'; value: string } | null {
  if (alert.srcIp !== null) return { key: `src_ip:${alert.srcIp}`, column: 'src_ip', value: alert.srcIp };
  if (alert.username !== null) return { key: `username:${alert.username}`, column: 'username', value: alert.username };
  return null;
}

async function attach(db: Querier, incidentId: number, alertIds: number[]): Promise<Joined[]> {
  const { rows } = await db.query<{ id: string; correlation_ms: number }>(
    `WITH clock AS (SELECT clock_timestamp() AS now)
     UPDATE alerts a
        SET incident_id = $1, correlated_at = clock.now,
            correlation_ms = extract(epoch FROM clock.now - a.created_at) * 1000, updated_at = clock.now
       FROM clock
      WHERE a.id = ANY($2::bigint[]) AND a.incident_id IS NULL
     RETURNING a.id, a.correlation_ms`,
    [incidentId, alertIds],
  );
  return rows.map((r) => ({ alertId: Number(r.id), incidentId, correlationMs: r.correlation_ms }));
}

/**
 * The start of the correlation window in SQL. As first written it is `clock_timestamp() - window`,
 * which is volatile, so PostgreSQL evaluates it per row and cannot use alerts_created_at_idx: every
 * lookup reads the whole alerts table. With `windowOnce` (optimisation correlation-window) it is an
 * uncorrelated scalar subquery, evaluated once per statement (an InitPlan), which an index can use:
 * the optimisation's indexes alerts (src_ip, created_at) and (username, created_at) turn the lookup
 * into one short range scan. The window is the same up to the microseconds between rows.
 */
const windowStart = (param: string, windowOnce: boolean): string =>
  windowOnce ? `(SELECT clock_timestamp() - make_interval(secs => ${param}))` : `clock_timestamp() - make_interval(secs => ${param})`;

export async function correlate(db: Querier, alerts: RaisedAlert[], windowSeconds: number, windowOnce = false): Promise<CorrelationResult> {
  const joined: Joined[] = [];
  const incidentsCreated: number[] = [];
  // Keys are locked in a fixed order, so two workers correlating overlapping keys cannot deadlock.
  const keyed = alerts
    .map((alert) => ({ alert, k: correlationKey(alert) }))
    .filter((x): x is { alert: RaisedAlert; k: NonNullable<ReturnType<typeof correlationKey>> } => x.k !== null)
    .sort((a, b) => (a.k.key < b.k.key ? -1 : a.k.key > b.k.key ? 1 : a.alert.id - b.alert.id));
  for (const { alert, k } of keyed) {
    // Serialise correlation per key across workers, so two workers never open two incidents for one source.
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [k.key]);

    const open = await db.query<{ id: string; severity: Severity }>(
      `SELECT id, severity FROM incidents
        WHERE correlation_key = $1 AND status <> 'closed'
          AND updated_at > ${windowStart('$2', windowOnce)}
        ORDER BY id DESC LIMIT 1`,
      [k.key, windowSeconds],
    );
    if (open.rows.length === 1) {
      const incidentId = Number(open.rows[0].id);
      const got = await attach(db, incidentId, [alert.id]);
      if (got.length === 0) continue; // already in an incident
      joined.push(...got);
      await db.query('UPDATE incidents SET severity = $2, updated_at = clock_timestamp() WHERE id = $1', [
        incidentId,
        maxSeverity(open.rows[0].severity, alert.severity),
      ]);
      continue;
    }

    const peerFilter = k.column === 'src_ip' ? 'src_ip = $1::inet' : 'username = $1';
    const peers = await db.query<{ id: string; severity: Severity }>(
      `SELECT id, severity FROM alerts
        WHERE ${peerFilter} AND incident_id IS NULL AND id <> $2 AND status <> 'false_positive'
          AND created_at > ${windowStart('$3', windowOnce)}
        ORDER BY id`,
      [k.value, alert.id, windowSeconds],
    );
    if (peers.rows.length === 0) continue;
    const severity = peers.rows.reduce<Severity>((s, r) => maxSeverity(s, r.severity), alert.severity);
    const ids = [...peers.rows.map((r) => Number(r.id)), alert.id];
    const created = await db.query<{ id: string }>(
      `INSERT INTO incidents (title, severity, correlation_key, summary, created_at, updated_at)
       VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp())
       RETURNING id`,
      [
        `Correlated activity from ${k.value}`,
        severity,
        k.key,
        `Opened automatically: ${ids.length} alerts share ${k.column} ${k.value} within ${windowSeconds} s.`,
      ],
    );
    const incidentId = Number(created.rows[0].id);
    incidentsCreated.push(incidentId);
    joined.push(...(await attach(db, incidentId, ids)));
  }
  return { joined, incidentsCreated };
}
