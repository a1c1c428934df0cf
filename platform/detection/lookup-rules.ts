// The rules that look beyond the batch, in the database: brute force (failed logins from one source
// within a window, earlier batches included), impossible travel (one user signing in from two
// countries close in time) and indicator match (the batch's values looked up in `indicators`).
import type { IndicatorType, Severity } from '../domain/vocabulary.ts';
import type { BruteForceParams, ImpossibleTravelParams, IndicatorField, IndicatorMatchParams } from './params.ts';
import { dedupBucket } from './candidates.ts';
import type { ActiveRule, AlertCandidate, DetectionEvent, Querier } from './candidates.ts';

/** The auth failures of each source IP in the batch, in batch order, with the latest of each group. */
export function failuresBySource(events: DetectionEvent[]): { srcIp: string; group: DetectionEvent[]; latest: DetectionEvent }[] {
  const bySource = new Map<string, DetectionEvent[]>();
  for (const e of events) {
    if (e.type !== 'auth' || e.outcome !== 'failure' || e.srcIp === null) continue;
    const list = bySource.get(e.srcIp) ?? [];
    list.push(e);
    bySource.set(e.srcIp, list);
  }
  return [...bySource].map(([srcIp, group]) => ({ srcIp, group, latest: group.reduce((a, b) => (b.occurredAt > a.occurredAt ? b : a)) }));
}

/** How many window rows brute force reads for a source: enough to link the threshold and 100 events. */
export const bruteForceLimit = (p: BruteForceParams): number => Math.max(p.threshold, 100);

/** The brute-force candidate of one source from its window (ids in occurred_at, id order; total before the limit). */
export function bruteForceCandidate(rule: ActiveRule, p: BruteForceParams, source: { srcIp: string; group: DetectionEvent[]; latest: DetectionEvent }, windowIds: number[], total: number): AlertCandidate | null {
  if (total < p.threshold) return null;
  const { srcIp, group, latest } = source;
  const inBatch = new Set(group.map((e) => e.id));
  // The trigger is the event that crossed the threshold, or the first of this batch after it.
  const crossing = windowIds[p.threshold - 1];
  const trigger = (inBatch.has(crossing)
    ? group.find((e) => e.id === crossing)
    : windowIds.slice(p.threshold - 1).map((id) => group.find((e) => e.id === id)).find((e) => e !== undefined)) ?? latest;
  return {
    ruleId: rule.id,
    ruleName: rule.name,
    severity: rule.severity,
    title: `Brute force: ${total} failed logins from ${srcIp} within ${p.windowSeconds} s`,
    dedupKey: `src_ip=${srcIp}|w=${dedupBucket(trigger.occurredAt, p.dedupWindowSeconds)}`,
    triggerEventId: trigger.id,
    host: trigger.host,
    username: trigger.username,
    srcIp,
    eventIds: windowIds,
  };
}

export async function evaluateBruteForce(db: Querier, rule: ActiveRule, p: BruteForceParams, events: DetectionEvent[]): Promise<AlertCandidate[]> {
  const out: AlertCandidate[] = [];
  for (const source of failuresBySource(events)) {
    // The window is counted in the database: failures from earlier batches count too.
    const { rows } = await db.query<{ id: string; total: number }>(
      `SELECT id, count(*) OVER ()::int AS total
         FROM events
        WHERE type = 'auth' AND outcome = 'failure' AND src_ip = $1::inet
          AND occurred_at > $2::timestamptz - make_interval(secs => $3) AND occurred_at <= $2::timestamptz
        ORDER BY occurred_at, id
        LIMIT $4`,
      [source.srcIp, source.latest.occurredAt.toISOString(), p.windowSeconds, bruteForceLimit(p)],
    );
    const candidate = bruteForceCandidate(rule, p, source, rows.map((r) => Number(r.id)), rows.length > 0 ? rows[0].total : 0);
    if (candidate !== null) out.push(candidate);
  }
  return out;
}

/** The events impossible travel looks around: successful sign-ins with a user and a country. */
export const travelSignIns = (events: DetectionEvent[]): DetectionEvent[] =>
  events.filter((e) => e.type === 'auth' && e.outcome === 'success' && e.username !== null && e.country !== null);

/** The impossible-travel candidate of sign-in `e` and the other sign-in found near it. */
export function travelCandidate(rule: ActiveRule, p: ImpossibleTravelParams, e: DetectionEvent, other: { id: string; country: string }): AlertCandidate {
  return {
    ruleId: rule.id,
    ruleName: rule.name,
    severity: rule.severity,
    title: `Impossible travel: ${e.username ?? ''} signed in from ${other.country} and ${e.country ?? ''} within ${p.windowMinutes} min`,
    dedupKey: `username=${e.username ?? ''}|w=${dedupBucket(e.occurredAt, p.dedupWindowSeconds)}`,
    triggerEventId: e.id,
    host: e.host,
    username: e.username,
    srcIp: e.srcIp,
    eventIds: [Number(other.id), e.id],
  };
}

export async function evaluateImpossibleTravel(db: Querier, rule: ActiveRule, p: ImpossibleTravelParams, events: DetectionEvent[]): Promise<AlertCandidate[]> {
  const out: AlertCandidate[] = [];
  for (const e of travelSignIns(events)) {
    // Another successful sign-in of the same user from another country, close in time.
    const { rows } = await db.query<{ id: string; country: string }>(
      `SELECT id, country
         FROM events
        WHERE type = 'auth' AND outcome = 'success' AND username = $1
          AND country IS NOT NULL AND country <> $2 AND id <> $3
          AND occurred_at BETWEEN $4::timestamptz - make_interval(mins => $5) AND $4::timestamptz + make_interval(mins => $5)
        ORDER BY abs(extract(epoch FROM occurred_at - $4::timestamptz)), id
        LIMIT 1`,
      [e.username, e.country, e.id, e.occurredAt.toISOString(), p.windowMinutes],
    );
    if (rows.length === 1) out.push(travelCandidate(rule, p, e, rows[0]));
  }
  return out;
}

const INDICATOR_TYPE: Record<IndicatorField, IndicatorType> = { src_ip: 'ip', dst_ip: 'ip', domain: 'domain', file_hash: 'hash' };
// Indicators are stored normalised (domains and hashes lower-case, no trailing dot: the indicators
// import), so event values are normalised the same way before the lookup.
const INDICATOR_VALUE: Record<IndicatorField, (e: DetectionEvent) => string | null> = {
  src_ip: (e) => e.srcIp,
  dst_ip: (e) => e.dstIp,
  domain: (e) => (e.domain === null ? null : e.domain.toLowerCase().replace(/\.$/, '')),
  file_hash: (e) => (e.fileHash === null ? null : e.fileHash.toLowerCase()),
};

export async function evaluateIndicatorMatch(db: Querier, rule: ActiveRule, p: IndicatorMatchParams, events: DetectionEvent[]): Promise<AlertCandidate[]> {
  const wanted = { ip: new Set<string>(), domain: new Set<string>(), hash: new Set<string>() };
  for (const e of events) {
    for (const f of p.fields) {
      const v = INDICATOR_VALUE[f](e);
      if (v !== null) wanted[INDICATOR_TYPE[f]].add(v);
    }
  }
  if (wanted.ip.size + wanted.domain.size + wanted.hash.size === 0) return [];
  const { rows } = await db.query<{ type: IndicatorType; value: string; severity: Severity }>(
    `SELECT type, value, severity
       FROM indicators
      WHERE ((type = 'ip' AND value = ANY($1::text[]))
          OR (type = 'domain' AND value = ANY($2::text[]))
          OR (type = 'hash' AND value = ANY($3::text[])))
        AND (expires_at IS NULL OR expires_at > now())`,
    [[...wanted.ip], [...wanted.domain], [...wanted.hash]],
  );
  if (rows.length === 0) return [];
  const known = new Map(rows.map((r) => [`${r.type}:${r.value}`, r]));
  const out: AlertCandidate[] = [];
  for (const e of events) {
    for (const f of p.fields) {
      const v = INDICATOR_VALUE[f](e);
      if (v === null) continue;
      const hit = known.get(`${INDICATOR_TYPE[f]}:${v}`);
      if (hit === undefined) continue;
      out.push({
        ruleId: rule.id,
        ruleName: rule.name,
        // A known-bad indicator raises an alert at the indicator's own severity.
        severity: hit.severity,
        title: `Known-bad ${hit.type} ${v} seen on ${e.host} (${f})`,
        dedupKey: `ioc=${hit.type}:${v}|host=${e.host}|w=${dedupBucket(e.occurredAt, p.dedupWindowSeconds)}`,
        triggerEventId: e.id,
        host: e.host,
        username: e.username,
        srcIp: e.srcIp,
        eventIds: [e.id],
      });
    }
  }
  return out;
}
