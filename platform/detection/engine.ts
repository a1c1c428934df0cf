// The detection engine: evaluates enabled rules on a batch of newly ingested events and turns the
// conditions it finds into alert candidates. Pattern rules are evaluated in memory; brute force and
// impossible travel look at the database window (not just the batch); indicator matches look the
// batch's values up in `indicators`. Inputs: events + rules + a transaction client. Output: alert
// candidates, merged per (rule, dedup key). Writing them is store.ts's job.
import type pg from 'pg';
import type { EventType, IndicatorType, Severity } from '../domain/vocabulary.ts';
import {
  parseRuleParams,
  type BruteForceParams,
  type ImpossibleTravelParams,
  type IndicatorField,
  type IndicatorMatchParams,
  type PatternParams,
  type RuleParams,
} from './params.ts';

export type Querier = Pick<pg.PoolClient, 'query'>;

export type DetectionEvent = {
  id: number;
  occurredAt: Date;
  type: EventType;
  host: string;
  username: string | null;
  srcIp: string | null;
  dstIp: string | null;
  outcome: string | null;
  country: string | null;
  domain: string | null;
  process: string | null;
  fileHash: string | null;
  message: string;
};

export type ActiveRule = { id: number; name: string; severity: Severity; technique: string | null; spec: RuleParams };

export type AlertCandidate = {
  ruleId: number;
  ruleName: string;
  severity: Severity;
  title: string;
  dedupKey: string;
  /** The event whose arrival made the condition true; its ingested_at starts the detection latency. */
  triggerEventId: number;
  host: string | null;
  username: string | null;
  srcIp: string | null;
  eventIds: number[];
};

export type RuleRow = { id: string | number; name: string; kind: string; severity: Severity; technique: string | null; params: unknown };

/** Turns stored rules into evaluable ones; rules whose params do not validate are returned separately. */
export function activateRules(rows: RuleRow[]): { rules: ActiveRule[]; invalid: { id: number; name: string; message: string }[] } {
  const rules: ActiveRule[] = [];
  const invalid: { id: number; name: string; message: string }[] = [];
  for (const row of rows) {
    const parsed = parseRuleParams(row.kind, row.params);
    if (parsed.ok) rules.push({ id: Number(row.id), name: row.name, severity: row.severity, technique: row.technique, spec: parsed.value });
    else invalid.push({ id: Number(row.id), name: row.name, message: parsed.message });
  }
  return { rules, invalid };
}

/** The dedup window an event falls in: events of one attack within a window share one alert. */
export const dedupBucket = (at: Date, windowSeconds: number): number => Math.floor(at.getTime() / 1000 / windowSeconds);

const PATTERN_VALUE: Record<PatternParams['field'], (e: DetectionEvent) => string | null> = {
  process: (e) => e.process,
  domain: (e) => e.domain,
  host: (e) => e.host,
  username: (e) => e.username,
  message: (e) => e.message,
  file_hash: (e) => e.fileHash,
  country: (e) => e.country,
  outcome: (e) => e.outcome,
};

/** Whether one event satisfies a pattern rule. Pure. */
export function matchesPattern(event: DetectionEvent, p: PatternParams): boolean {
  if (p.eventType !== null && event.type !== p.eventType) return false;
  const raw = PATTERN_VALUE[p.field](event);
  if (raw === null) return false;
  const actual = p.caseSensitive ? raw : raw.toLowerCase();
  const wanted = p.caseSensitive ? p.value : p.value.toLowerCase();
  switch (p.op) {
    case 'equals':
      return actual === wanted;
    case 'contains':
      return actual.includes(wanted);
    case 'ends_with':
      return actual.endsWith(wanted);
  }
}

function groupValue(e: DetectionEvent, groupBy: PatternParams['groupBy']): string {
  const v = groupBy === 'host' ? e.host : groupBy === 'src_ip' ? e.srcIp : e.username;
  return v ?? '-';
}

function evaluatePattern(rule: ActiveRule, p: PatternParams, events: DetectionEvent[]): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const e of events) {
    if (!matchesPattern(e, p)) continue;
    const shown = PATTERN_VALUE[p.field](e) ?? '';
    out.push({
      ruleId: rule.id,
      ruleName: rule.name,
      severity: rule.severity,
      title: `${rule.name}: ${p.field} "${shown.slice(0, 120)}" on ${e.host}`,
      dedupKey: `${p.groupBy}=${groupValue(e, p.groupBy)}|w=${dedupBucket(e.occurredAt, p.dedupWindowSeconds)}`,
      triggerEventId: e.id,
      host: e.host,
      username: e.username,
      srcIp: e.srcIp,
      eventIds: [e.id],
    });
  }
  return out;
}

async function evaluateBruteForce(db: Querier, rule: ActiveRule, p: BruteForceParams, events: DetectionEvent[]): Promise<AlertCandidate[]> {
  const bySource = new Map<string, DetectionEvent[]>();
  for (const e of events) {
    if (e.type !== 'auth' || e.outcome !== 'failure' || e.srcIp === null) continue;
    const list = bySource.get(e.srcIp) ?? [];
    list.push(e);
    bySource.set(e.srcIp, list);
  }
  const out: AlertCandidate[] = [];
  for (const [srcIp, group] of bySource) {
    const latest = group.reduce((a, b) => (b.occurredAt > a.occurredAt ? b : a));
    // The window is counted in the database: failures from earlier batches count too.
    const { rows } = await db.query<{ id: string; total: number }>(
      `SELECT id, count(*) OVER ()::int AS total
         FROM events
        WHERE type = 'auth' AND outcome = 'failure' AND src_ip = $1::inet
          AND occurred_at > $2::timestamptz - make_interval(secs => $3) AND occurred_at <= $2::timestamptz
        ORDER BY occurred_at, id
        LIMIT $4`,
      [srcIp, latest.occurredAt.toISOString(), p.windowSeconds, Math.max(p.threshold, 100)],
    );
    const total = rows.length > 0 ? rows[0].total : 0;
    if (total < p.threshold) continue;
    const windowIds = rows.map((r) => Number(r.id));
    const inBatch = new Set(group.map((e) => e.id));
    // The trigger is the event that crossed the threshold, or the first of this batch after it.
    const crossing = windowIds[p.threshold - 1];
    const trigger = (inBatch.has(crossing)
      ? group.find((e) => e.id === crossing)
      : windowIds.slice(p.threshold - 1).map((id) => group.find((e) => e.id === id)).find((e) => e !== undefined)) ?? latest;
    out.push({
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
    });
  }
  return out;
}

async function evaluateImpossibleTravel(db: Querier, rule: ActiveRule, p: ImpossibleTravelParams, events: DetectionEvent[]): Promise<AlertCandidate[]> {
  const out: AlertCandidate[] = [];
  for (const e of events) {
    if (e.type !== 'auth' || e.outcome !== 'success' || e.username === null || e.country === null) continue;
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
    if (rows.length === 0) continue;
    const other = rows[0];
    out.push({
      ruleId: rule.id,
      ruleName: rule.name,
      severity: rule.severity,
      title: `Impossible travel: ${e.username} signed in from ${other.country} and ${e.country} within ${p.windowMinutes} min`,
      dedupKey: `username=${e.username}|w=${dedupBucket(e.occurredAt, p.dedupWindowSeconds)}`,
      triggerEventId: e.id,
      host: e.host,
      username: e.username,
      srcIp: e.srcIp,
      eventIds: [Number(other.id), e.id],
    });
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

async function evaluateIndicatorMatch(db: Querier, rule: ActiveRule, p: IndicatorMatchParams, events: DetectionEvent[]): Promise<AlertCandidate[]> {
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

/**
 * Merges candidates that share (rule, dedup key): one alert per condition, carrying every event
 * that contributed, triggered by the earliest candidate's event. Pure; keeps first-seen order.
 */
export function mergeCandidates(candidates: AlertCandidate[]): AlertCandidate[] {
  const merged = new Map<string, AlertCandidate>();
  for (const c of candidates) {
    const key = `${c.ruleId}\u0000${c.dedupKey}`;
    const seen = merged.get(key);
    if (seen === undefined) {
      merged.set(key, { ...c, eventIds: [...c.eventIds] });
      continue;
    }
    for (const id of c.eventIds) if (!seen.eventIds.includes(id)) seen.eventIds.push(id);
  }
  return [...merged.values()];
}

/** Evaluates every rule on the events; returns merged alert candidates. */
export async function evaluate(db: Querier, rules: ActiveRule[], events: DetectionEvent[]): Promise<AlertCandidate[]> {
  const candidates: AlertCandidate[] = [];
  for (const rule of rules) {
    const { spec } = rule;
    switch (spec.kind) {
      case 'pattern':
        candidates.push(...evaluatePattern(rule, spec.params, events));
        break;
      case 'brute_force':
        candidates.push(...(await evaluateBruteForce(db, rule, spec.params, events)));
        break;
      case 'impossible_travel':
        candidates.push(...(await evaluateImpossibleTravel(db, rule, spec.params, events)));
        break;
      case 'indicator_match':
        candidates.push(...(await evaluateIndicatorMatch(db, rule, spec.params, events)));
        break;
    }
  }
  return mergeCandidates(candidates);
}
