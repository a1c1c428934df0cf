// Set-based brute force and impossible travel (optimisation `set-detection`, docs/optimizations.md):
// the same lookups as lookup-rules.ts, but one statement per rule per pass instead of one per source
// IP or per sign-in. The batch's lookup keys go in as arrays (unnest ... WITH ORDINALITY) and each key
// runs the very subquery of the per-event version through a LATERAL join, so every key gets the same
// rows in the same order, and the candidates are built by the same functions in the same order.
import type { BruteForceParams, ImpossibleTravelParams } from './params.ts';
import type { ActiveRule, AlertCandidate, DetectionEvent, Querier } from './candidates.ts';
import { bruteForceCandidate, bruteForceLimit, failuresBySource, travelCandidate, travelSignIns } from './lookup-rules.ts';

export async function evaluateBruteForceSet(db: Querier, rule: ActiveRule, p: BruteForceParams, events: DetectionEvent[]): Promise<AlertCandidate[]> {
  const sources = failuresBySource(events);
  if (sources.length === 0) return [];
  const { rows } = await db.query<{ ord: string; id: string; total: number }>(
    `SELECT k.ord, w.id, w.total
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(src_ip, latest, ord)
      CROSS JOIN LATERAL (
        SELECT id, occurred_at, count(*) OVER ()::int AS total
          FROM events
         WHERE type = 'auth' AND outcome = 'failure' AND src_ip = k.src_ip::inet
           AND occurred_at > k.latest::timestamptz - make_interval(secs => $3) AND occurred_at <= k.latest::timestamptz
         ORDER BY occurred_at, id
         LIMIT $4) w
      ORDER BY k.ord, w.occurred_at, w.id`,
    [sources.map((s) => s.srcIp), sources.map((s) => s.latest.occurredAt.toISOString()), p.windowSeconds, bruteForceLimit(p)],
  );
  const windows = sources.map(() => ({ ids: [] as number[], total: 0 }));
  for (const r of rows) {
    const w = windows[Number(r.ord) - 1];
    w.ids.push(Number(r.id));
    w.total = r.total;
  }
  const out: AlertCandidate[] = [];
  sources.forEach((source, i) => {
    const candidate = bruteForceCandidate(rule, p, source, windows[i].ids, windows[i].total);
    if (candidate !== null) out.push(candidate);
  });
  return out;
}

export async function evaluateImpossibleTravelSet(db: Querier, rule: ActiveRule, p: ImpossibleTravelParams, events: DetectionEvent[]): Promise<AlertCandidate[]> {
  const signIns = travelSignIns(events);
  if (signIns.length === 0) return [];
  const { rows } = await db.query<{ ord: string; id: string; country: string }>(
    `SELECT k.ord, o.id, o.country
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY AS k(username, country, event_id, at, ord)
      CROSS JOIN LATERAL (
        SELECT id, country
          FROM events
         WHERE type = 'auth' AND outcome = 'success' AND username = k.username
           AND country IS NOT NULL AND country <> k.country AND id <> k.event_id
           AND occurred_at BETWEEN k.at::timestamptz - make_interval(mins => $5) AND k.at::timestamptz + make_interval(mins => $5)
         ORDER BY abs(extract(epoch FROM occurred_at - k.at::timestamptz)), id
         LIMIT 1) o
      ORDER BY k.ord`,
    [signIns.map((e) => e.username), signIns.map((e) => e.country), signIns.map((e) => e.id), signIns.map((e) => e.occurredAt.toISOString()), p.windowMinutes],
  );
  const found = new Map(rows.map((r) => [Number(r.ord) - 1, r]));
  const out: AlertCandidate[] = [];
  signIns.forEach((e, i) => {
    const other = found.get(i);
    if (other !== undefined) out.push(travelCandidate(rule, p, e, other));
  });
  return out;
}
