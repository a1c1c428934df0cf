// Artillery's ensure checks (config.ensure / config.plugins.ensure: thresholds, conditions,
// maxErrorRate), read back from Artillery's console output: the plugin prints them after the summary
// ("Checks:", then "ok: <expression>" or "fail: <expression>[ (optional)]") and never writes them to
// the --output JSON. Each check's value is looked up in the run's aggregate when the expression is a
// plain "<metric> <op> <number>" (as every threshold is). Pure.
import type { ArtilleryPeriod } from '../core/bundle/types.ts';

export interface EnsureCheck {
  /** the expression as Artillery printed it, e.g. "http.response_time.p95 < 500" */
  expression: string;
  passed: boolean;
  /** false for a condition marked `strict: false`, which Artillery reports but does not fail on */
  strict: boolean;
  /** the number on the right of a plain comparison, else null */
  limit: number | null;
  /** the metric's value in the aggregate for a plain comparison, else null */
  value: number | null;
  /** whether the limit is a floor (> or >=) rather than a ceiling */
  floor: boolean;
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const CHECK_LINE = /^(ok|fail): (.+?)( \(optional\))?$/;
const PLAIN = /^([A-Za-z_][\w.\-]*)\s*(<=|<|>=|>|==)\s*(-?\d+(?:\.\d+)?)$/;
// Artillery's legacy top-level ensure keys are about http.response_time.
const LEGACY = new Set(['min', 'max', 'median', 'p95', 'p99']);

function valueOf(name: string, aggregate: Pick<ArtilleryPeriod, 'counters' | 'rates' | 'summaries'>): number | null {
  const { counters, rates, summaries } = aggregate;
  if (name === 'maxErrorRate') {
    const created = counters['vusers.created'] ?? 0;
    return created > 0 ? ((created - (counters['vusers.completed'] ?? 0)) / created) * 100 : null;
  }
  const metric = LEGACY.has(name) ? `http.response_time.${name}` : name;
  if (Object.hasOwn(counters, metric)) return counters[metric];
  if (Object.hasOwn(rates, metric)) return rates[metric];
  const dot = metric.lastIndexOf('.');
  const summary = dot < 0 ? undefined : (summaries[metric.slice(0, dot)] as unknown as Record<string, number> | undefined);
  const value = summary?.[metric.slice(dot + 1)];
  return typeof value === 'number' ? value : null;
}

/** The ensure checks of a run from its console output, or null when the output has none. */
export function ensureChecks(consoleText: string, aggregate: Pick<ArtilleryPeriod, 'counters' | 'rates' | 'summaries'>): EnsureCheck[] | null {
  const lines = consoleText.replace(ANSI, '').split(/\r?\n/);
  const header = lines.lastIndexOf('Checks:');
  if (header < 0) return null;
  const checks: EnsureCheck[] = [];
  for (const line of lines.slice(header + 1)) {
    const match = CHECK_LINE.exec(line.trim());
    if (match === null) {
      if (line.trim() === '') continue;
      break;
    }
    const expression = match[2];
    const plain = PLAIN.exec(expression);
    checks.push({
      expression,
      passed: match[1] === 'ok',
      strict: match[3] !== ' (optional)',
      limit: plain === null ? null : Number(plain[3]),
      value: plain === null ? null : valueOf(plain[1], aggregate),
      floor: plain !== null && plain[2].startsWith('>'),
    });
  }
  return checks;
}
