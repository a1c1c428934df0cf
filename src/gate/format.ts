// The gate's verdict as text for the terminal and CI logs: returns a string, never prints.
import type { GateResult, SloCheck } from '../core/bundle/types.ts';

export interface FormatContext {
  profile: string | null;
  runs: number;
  sloSources: string[];
  baselineWritten: string | null;
}

function value(check: SloCheck, n: number | null): string {
  if (n === null) return 'no data';
  if (check.unit === 'ratio') return `${(n * 100).toFixed(2)}%`;
  if (check.unit === 'rps') return `${n.toFixed(2)} req/s`;
  if (check.unit === 'count') return String(Math.round(n * 100) / 100);
  if (check.unit === 'rate') return `${n.toFixed(2)}/s`;
  return `${n.toFixed(1)} ms`;
}

export function describeCheck(check: SloCheck): string {
  const relation = check.metric === 'minThroughput' || check.metric === 'min' || (check.scope === 'ensure' && / >=? /.test(check.metric)) ? (check.passed ? '>=' : '<') : check.passed ? '<=' : '>';
  return `${check.scope} ${check.metric} ${value(check, check.actual)} ${relation} ${value(check, check.threshold)}`;
}

/**
 * The budgets that checked nothing, one line per scope: an endpoint key the run never called (every
 * one of its checks without data: a misspelt key or a flow that did not run), a custom metric the
 * run never emitted (metrics: budgets, or a security metric), or a run metric the run does not have.
 */
function noDataWarnings(checks: readonly SloCheck[]): string[] {
  const byScope = new Map<string, SloCheck[]>();
  for (const check of checks) byScope.set(check.scope, [...(byScope.get(check.scope) ?? []), check]);
  const warnings: string[] = [];
  for (const [scope, scoped] of byScope) {
    const empty = scoped.filter((c) => c.actual === null);
    if (empty.length === 0 || scope === 'ensure') continue; // an ensure check was judged by Artillery, even when Rampart cannot read its value
    const metrics = empty.map((c) => c.metric).join(', ');
    if (scope === '*') warnings.push(`whole run ${metrics}: no data, not checked`);
    else if (empty.length === scoped.length && /^[A-Z]+ \//.test(scope)) warnings.push(`${scope}: the run never called it, so its budgets (${metrics}) were not checked`);
    else if (empty.length === scoped.length) warnings.push(`${scope}: the run never emitted this metric, so its budgets (${metrics}) were not checked`);
    else warnings.push(`${scope} ${metrics}: no data, not checked`);
  }
  return warnings;
}

export function formatGateResult(result: GateResult, context: FormatContext): string {
  const lines: string[] = [];
  const head = result.outcome === 'pass' ? 'PASS' : result.outcome === 'fail' ? 'FAIL' : 'UNTRUSTWORTHY (not judged)';
  lines.push(`rampart gate: ${head} — profile ${context.profile ?? 'unknown'}, ${context.runs} run(s)`);
  if (result.outcome === 'untrustworthy') {
    for (const reason of result.trust.reasons) lines.push(`  untrustworthy: ${reason}`);
    return `${lines.join('\n')}\n`;
  }
  const breaches = result.slo.filter((c) => !c.passed);
  const withData = result.slo.filter((c) => c.actual !== null || c.scope === 'ensure');
  const noData = result.slo.length - withData.length;
  lines.push(`SLOs (${context.sloSources.length > 0 ? context.sloSources.join(' + ') : 'no SLO files'}): ${withData.length - breaches.length} of ${withData.length} met, ${breaches.length} breached${noData === 0 ? '' : `, ${noData} with no data (not checked)`}`);
  for (const check of breaches) lines.push(`  BREACHED ${describeCheck(check)}`);
  for (const warning of noDataWarnings(result.slo)) lines.push(`  WARNING  ${warning}`);
  if (result.baseline === null) {
    lines.push('Baseline: none (comparison skipped; create one with --update-baseline)');
  } else if (result.baseline.runs === 0) {
    lines.push(`Baseline ${result.baseline.source}: it holds no run but the judged one(s), so nothing was compared`);
  } else {
    const counts = new Map<string, number>();
    for (const c of result.comparisons) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
    const summary = ['SLOWER', 'FASTER', 'SAME', 'UNKNOWN'].map((v) => `${counts.get(v) ?? 0} ${v}`).join(', ');
    lines.push(`Baseline ${result.baseline.source} (${result.baseline.runs} run(s)): ${summary}`);
    const width = Math.max(0, ...result.comparisons.map((c) => c.endpoint.length));
    for (const c of result.comparisons) {
      if (c.verdict === 'SAME') continue;
      lines.push(`  ${c.verdict.padEnd(7)} ${c.endpoint.padEnd(width)}  ${c.detail}`);
    }
  }
  if (context.baselineWritten !== null) lines.push(`Baseline updated: ${context.baselineWritten}`);
  return `${lines.join('\n')}\n`;
}
