// Pattern rules, evaluated in memory on the batch: one event field compared with a value (equals,
// contains, ends_with), optionally for one event type; one alert per group value and dedup window.
import type { PatternParams } from './params.ts';
import { dedupBucket } from './candidates.ts';
import type { ActiveRule, AlertCandidate, DetectionEvent } from './candidates.ts';

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

export function evaluatePattern(rule: ActiveRule, p: PatternParams, events: DetectionEvent[]): AlertCandidate[] {
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
