// What the detection engine produces and its evaluators share: an event as detection sees it, an
// active (validated) rule, an alert candidate, the dedup window, and the merge of candidates that
// describe one condition. Pure; no SQL.
import type pg from 'pg';
import type { EventType, Severity } from '../domain/vocabulary.ts';
import type { RuleParams } from './params.ts';

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

/** The dedup window an event falls in: events of one attack within a window share one alert. */
export const dedupBucket = (at: Date, windowSeconds: number): number => Math.floor(at.getTime() / 1000 / windowSeconds);

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
