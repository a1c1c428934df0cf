// Detection rule kinds and their parameters (rules.params jsonb), validated by one pure function
// used both by the rules API (400 on bad params) and by the engine (a stored rule with bad params is
// skipped and logged, never evaluated with guessed values). The rule kinds, severities and event
// types are the domain's (platform/domain/vocabulary.ts); the parameter vocabularies are here.
import { EVENT_TYPES, RULE_KINDS, SEVERITIES, type EventType, type RuleKind, type Severity } from '../domain/vocabulary.ts';

/** Event fields a pattern rule can test, by their database column names. */
export const PATTERN_FIELDS = ['process', 'domain', 'host', 'username', 'message', 'file_hash', 'country', 'outcome'] as const;
export type PatternField = (typeof PATTERN_FIELDS)[number];
export const PATTERN_OPS = ['equals', 'contains', 'ends_with'] as const;
export type PatternOp = (typeof PATTERN_OPS)[number];
/** What a pattern alert is deduplicated on: one alert per value of this field per dedup window. */
export const GROUP_BY_FIELDS = ['host', 'src_ip', 'username'] as const;
export type GroupByField = (typeof GROUP_BY_FIELDS)[number];

export const INDICATOR_FIELDS = ['src_ip', 'dst_ip', 'domain', 'file_hash'] as const;
export type IndicatorField = (typeof INDICATOR_FIELDS)[number];

/** One raised condition produces one alert per (rule, dedup key) within this many seconds, unless a rule says otherwise. */
export const DEFAULT_DEDUP_WINDOW_SECONDS = 3600;

export type BruteForceParams = { threshold: number; windowSeconds: number; dedupWindowSeconds: number };
export type IndicatorMatchParams = { fields: IndicatorField[]; dedupWindowSeconds: number };
export type ImpossibleTravelParams = { windowMinutes: number; dedupWindowSeconds: number };
export type PatternParams = {
  field: PatternField;
  op: PatternOp;
  value: string;
  eventType: EventType | null;
  groupBy: GroupByField;
  caseSensitive: boolean;
  dedupWindowSeconds: number;
};

export type RuleParams =
  | { kind: 'brute_force'; params: BruteForceParams }
  | { kind: 'indicator_match'; params: IndicatorMatchParams }
  | { kind: 'impossible_travel'; params: ImpossibleTravelParams }
  | { kind: 'pattern'; params: PatternParams };

export type ParamsResult = { ok: true; value: RuleParams } | { ok: false; message: string };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function int(o: Obj, key: string, min: number, max: number, fallback?: number): number | string {
  const v = o[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    return `params.${key} must be an integer from ${min} to ${max}`;
  }
  return v;
}

function oneOf<T extends string>(o: Obj, key: string, allowed: readonly T[], fallback?: T): T | { error: string } {
  const v = o[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    return { error: `params.${key} must be one of ${allowed.join(', ')}` };
  }
  return v as T;
}

function unknownKeys(o: Obj, allowed: readonly string[]): string | null {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  return extra.length > 0 ? `params has unknown field(s) ${extra.join(', ')}; allowed: ${allowed.join(', ')}` : null;
}

const fail = (message: string): ParamsResult => ({ ok: false, message });

/** Validates and normalises a rule's params for its kind (defaults filled in). Pure. */
export function parseRuleParams(kind: string, raw: unknown): ParamsResult {
  if (!(RULE_KINDS as readonly string[]).includes(kind)) return fail(`kind must be one of ${RULE_KINDS.join(', ')}`);
  if (!isObj(raw)) return fail('params must be an object');
  const dedup = int(raw, 'dedupWindowSeconds', 1, 30 * 86400, DEFAULT_DEDUP_WINDOW_SECONDS);
  if (typeof dedup === 'string') return fail(dedup);

  switch (kind as RuleKind) {
    case 'brute_force': {
      const extra = unknownKeys(raw, ['threshold', 'windowSeconds', 'dedupWindowSeconds']);
      if (extra) return fail(extra);
      const threshold = int(raw, 'threshold', 2, 1000);
      if (typeof threshold === 'string') return fail(threshold);
      const windowSeconds = int(raw, 'windowSeconds', 1, 86400);
      if (typeof windowSeconds === 'string') return fail(windowSeconds);
      return { ok: true, value: { kind: 'brute_force', params: { threshold, windowSeconds, dedupWindowSeconds: dedup } } };
    }
    case 'indicator_match': {
      const extra = unknownKeys(raw, ['fields', 'dedupWindowSeconds']);
      if (extra) return fail(extra);
      let fields: IndicatorField[] = [...INDICATOR_FIELDS];
      if (raw.fields !== undefined) {
        const f = raw.fields;
        if (!Array.isArray(f) || f.length === 0 || !f.every((x) => (INDICATOR_FIELDS as readonly unknown[]).includes(x))) {
          return fail(`params.fields must be a non-empty list of ${INDICATOR_FIELDS.join(', ')}`);
        }
        fields = [...new Set(f as IndicatorField[])];
      }
      return { ok: true, value: { kind: 'indicator_match', params: { fields, dedupWindowSeconds: dedup } } };
    }
    case 'impossible_travel': {
      const extra = unknownKeys(raw, ['windowMinutes', 'dedupWindowSeconds']);
      if (extra) return fail(extra);
      const windowMinutes = int(raw, 'windowMinutes', 1, 1440);
      if (typeof windowMinutes === 'string') return fail(windowMinutes);
      return { ok: true, value: { kind: 'impossible_travel', params: { windowMinutes, dedupWindowSeconds: dedup } } };
    }
    case 'pattern': {
      const extra = unknownKeys(raw, ['field', 'op', 'value', 'eventType', 'groupBy', 'caseSensitive', 'dedupWindowSeconds']);
      if (extra) return fail(extra);
      const field = oneOf(raw, 'field', PATTERN_FIELDS);
      if (typeof field !== 'string') return fail(field.error);
      const op = oneOf(raw, 'op', PATTERN_OPS, 'equals');
      if (typeof op !== 'string') return fail(op.error);
      if (typeof raw.value !== 'string' || raw.value.length === 0 || raw.value.length > 512) {
        return fail('params.value must be a string of 1 to 512 characters');
      }
      let eventType: EventType | null = null;
      if (raw.eventType !== undefined && raw.eventType !== null) {
        const t = oneOf(raw, 'eventType', EVENT_TYPES);
        if (typeof t !== 'string') return fail(t.error);
        eventType = t;
      }
      const groupBy = oneOf(raw, 'groupBy', GROUP_BY_FIELDS, 'host');
      if (typeof groupBy !== 'string') return fail(groupBy.error);
      if (raw.caseSensitive !== undefined && typeof raw.caseSensitive !== 'boolean') {
        return fail('params.caseSensitive must be true or false');
      }
      const caseSensitive = raw.caseSensitive === true;
      return {
        ok: true,
        value: { kind: 'pattern', params: { field, op, value: raw.value, eventType, groupBy, caseSensitive, dedupWindowSeconds: dedup } },
      };
    }
  }
}

/** The more severe of two severities (SEVERITIES runs from least to most severe). */
export const maxSeverity = (a: Severity, b: Severity): Severity => (SEVERITIES.indexOf(b) > SEVERITIES.indexOf(a) ? b : a);
