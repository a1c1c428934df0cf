// The detection engine: evaluates enabled rules on a batch of newly ingested events and turns the
// conditions it finds into alert candidates. Pattern rules are evaluated in memory; brute force and
// impossible travel look at the database window (not just the batch); indicator matches look the
// batch's values up in `indicators`. Inputs: events + rules + a transaction client. Output: alert
// candidates, merged per (rule, dedup key). Writing them is store.ts's job.
// The evaluators: pattern.ts (in memory) and lookup-rules.ts (database lookups); the shared types
// and the merge: candidates.ts.
import { parseRuleParams } from './params.ts';
import { mergeCandidates } from './candidates.ts';
import type { ActiveRule, AlertCandidate, DetectionEvent, Querier } from './candidates.ts';
import { evaluatePattern } from './pattern.ts';
import { evaluateBruteForce, evaluateImpossibleTravel, evaluateIndicatorMatch } from './lookup-rules.ts';
import { evaluateBruteForceSet, evaluateImpossibleTravelSet } from './set-rules.ts';
import type { Severity } from '../domain/vocabulary.ts';

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

/**
 * Evaluates every rule on the events; returns merged alert candidates. `setBased` (optimisation
 * set-detection) runs brute force and impossible travel as one statement per rule (set-rules.ts)
 * instead of one per source IP / sign-in; the candidates are the same.
 */
export async function evaluate(db: Querier, rules: ActiveRule[], events: DetectionEvent[], setBased = false): Promise<AlertCandidate[]> {
  const candidates: AlertCandidate[] = [];
  const bruteForce = setBased ? evaluateBruteForceSet : evaluateBruteForce;
  const impossibleTravel = setBased ? evaluateImpossibleTravelSet : evaluateImpossibleTravel;
  for (const rule of rules) {
    const { spec } = rule;
    switch (spec.kind) {
      case 'pattern':
        candidates.push(...evaluatePattern(rule, spec.params, events));
        break;
      case 'brute_force':
        candidates.push(...(await bruteForce(db, rule, spec.params, events)));
        break;
      case 'impossible_travel':
        candidates.push(...(await impossibleTravel(db, rule, spec.params, events)));
        break;
      case 'indicator_match':
        candidates.push(...(await evaluateIndicatorMatch(db, rule, spec.params, events)));
        break;
    }
  }
  return mergeCandidates(candidates);
}
