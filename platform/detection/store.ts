// Writes alert candidates inside the detection transaction. One alert per (rule, dedup key): a
// candidate whose key already has an alert only links its events to that alert (alerts_dedup_idx).
// created_at and detection_latency_ms come from one clock reading in the database, and the latency
// is measured from the triggering event's own ingested_at, so neither loses precision in JavaScript.
import type { AlertCandidate, Querier } from './candidates.ts';
import type { Severity } from '../domain/vocabulary.ts';

export type RaisedAlert = {
  id: number;
  ruleName: string;
  severity: Severity;
  srcIp: string | null;
  username: string | null;
  createdAt: Date;
  detectionLatencyMs: number;
};

export type WriteResult = { raised: RaisedAlert[]; deduplicated: number };

export async function writeAlerts(db: Querier, candidates: AlertCandidate[]): Promise<WriteResult> {
  const raised: RaisedAlert[] = [];
  let deduplicated = 0;
  for (const c of candidates) {
    const inserted = await db.query<{ id: string; created_at: Date; detection_latency_ms: number }>(
      `WITH clock AS (SELECT clock_timestamp() AS now)
       INSERT INTO alerts (rule_id, severity, title, host, username, src_ip, dedup_key,
                           event_ingested_at, created_at, detection_latency_ms, updated_at)
       SELECT $1, $2, $3, $4, $5, $6::inet, $7,
              e.ingested_at, clock.now, extract(epoch FROM clock.now - e.ingested_at) * 1000, clock.now
         FROM clock, events e
        WHERE e.id = $8
       ON CONFLICT (rule_id, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
       RETURNING id, created_at, detection_latency_ms`,
      [c.ruleId, c.severity, c.title, c.host, c.username, c.srcIp, c.dedupKey, c.triggerEventId],
    );
    let alertId: number;
    if (inserted.rows.length === 1) {
      const row = inserted.rows[0];
      alertId = Number(row.id);
      raised.push({
        id: alertId,
        ruleName: c.ruleName,
        severity: c.severity,
        srcIp: c.srcIp,
        username: c.username,
        createdAt: row.created_at,
        detectionLatencyMs: row.detection_latency_ms,
      });
    } else {
      const existing = await db.query<{ id: string }>('SELECT id FROM alerts WHERE rule_id = $1 AND dedup_key = $2', [c.ruleId, c.dedupKey]);
      if (existing.rows.length === 0) continue; // the triggering event vanished (deleted); nothing to attach to
      alertId = Number(existing.rows[0].id);
      deduplicated += 1;
    }
    await db.query(
      `INSERT INTO alert_events (alert_id, event_id)
       SELECT $1, e.id FROM events e WHERE e.id = ANY($2::bigint[])
       ON CONFLICT DO NOTHING`,
      [alertId, c.eventIds],
    );
  }
  return { raised, deduplicated };
}
