// summary.md: a compact GitHub-flavoured Markdown summary for pull-request comments and CI step
// summaries: verdict, SLO breaches, regressions, trust warnings, the busiest endpoints. Pure.
import type { ReportModel, VerdictLevel } from './model.ts';
import { escapeMarkdown } from './escape.ts';
import { formatChange, formatCount, formatMs, formatPercent, formatRate, formatSloValue, sloComparator, VERDICT_TEXT } from './format.ts';

const md = escapeMarkdown;

const LEVEL_MARK: Record<VerdictLevel, string> = { pass: '✅', fail: '❌', untrustworthy: '⚠️', unjudged: '➖' };

export interface MarkdownOptions {
  /** How many endpoints the table lists, busiest first (default 10). */
  topEndpoints?: number;
}

export function renderMarkdown(model: ReportModel, options: MarkdownOptions = {}): string {
  const top = options.topEndpoints ?? 10;
  const out: string[] = [];
  const what = [model.run.profile === null ? null : `profile ${model.run.profile}`, model.run.runId === null ? null : `run ${model.run.runId}`]
    .filter((s): s is string => s !== null).join(', ');
  out.push(`### Rampart: ${LEVEL_MARK[model.verdict.level]} ${VERDICT_TEXT[model.verdict.level]}${what ? ` (${md(what)})` : ''}`);
  out.push('');
  out.push(md(model.verdict.headline));
  out.push('');

  const t = model.totals;
  out.push('| requests | req/s | errors | p50 ms | p95 ms | p99 ms | max ms |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|');
  out.push(`| ${formatCount(t.requests)} | ${formatRate(t.ratePerSecond)} | ${formatCount(t.errors)} (${formatPercent(t.errorRate)}) | ${formatMs(t.latency.p50)} | ${formatMs(t.latency.p95)} | ${formatMs(t.latency.p99)} | ${formatMs(t.latency.max)} |`);
  out.push('');

  const breaches = model.slo.filter((c) => !c.passed);
  if (breaches.length > 0) {
    out.push(`**SLO breaches (${breaches.length} of ${model.slo.length} checks)**`);
    out.push('');
    for (const c of breaches) {
      out.push(`- ${md(c.scope === '*' ? 'whole run' : c.scope)} ${md(c.metric)}: ${md(formatSloValue(c.actual, c.unit))}, budget ${md(`${sloComparator(c.metric, c.unit)} ${formatSloValue(c.threshold, c.unit)}`)}`);
    }
    out.push('');
  } else if (model.slo.length > 0) {
    const met = model.slo.filter((c) => c.actual !== null).length;
    out.push(met === model.slo.length ? `All ${met} SLO checks passed.` : `All ${met} SLO checks with data passed.`);
    out.push('');
  }
  const noData = model.slo.filter((c) => c.passed && c.actual === null);
  if (noData.length > 0) {
    const scopes = [...new Set(noData.map((c) => (c.scope === '*' ? `whole run ${c.metric}` : c.scope)))];
    const shown = scopes.slice(0, 10).map(md).join(', ');
    out.push(`${noData.length} SLO check${noData.length === 1 ? '' : 's'} had no data (not checked): ${shown}${scopes.length > 10 ? `, and ${scopes.length - 10} more` : ''}.`);
    out.push('');
  }

  const slower = model.comparisons.filter((c) => c.verdict === 'SLOWER');
  if (slower.length > 0) {
    out.push(`**Regressions against the baseline (${slower.length})**`);
    out.push('');
    for (const c of slower) {
      out.push(`- ${md(c.endpoint)}: SLOWER ${md(formatChange(c.ratio))}${c.pValue === null ? '' : ` (p = ${c.pValue < 0.0001 ? '&lt;0.0001' : c.pValue.toFixed(4)})`}${c.detail ? `: ${md(c.detail)}` : ''}`);
    }
    out.push('');
  }
  const unknown = model.comparisons.filter((c) => c.verdict === 'UNKNOWN').length;
  if (model.comparisons.length > 0) {
    const faster = model.comparisons.filter((c) => c.verdict === 'FASTER').length;
    const same = model.comparisons.filter((c) => c.verdict === 'SAME').length;
    out.push(`Baseline comparison: ${slower.length} slower, ${faster} faster, ${same} same, ${unknown} undecided${model.gate?.baseline ? ` (baseline ${md(model.gate.baseline.source)})` : ''}.`);
    out.push('');
  }

  const warnings = [...(model.gate?.trust.reasons ?? []), ...(model.generator?.trust.reasons ?? [])];
  const uniqueWarnings = [...new Set(warnings)];
  if (uniqueWarnings.length > 0) {
    out.push('**Trust warnings**');
    out.push('');
    for (const w of uniqueWarnings) out.push(`- ${md(w)}`);
    out.push('');
  }

  if (model.endpoints.length > 0) {
    const busiest = [...model.endpoints].sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key)).slice(0, top);
    const shown = busiest.length < model.endpoints.length ? ` (${busiest.length} busiest of ${model.endpoints.length})` : '';
    out.push(`**Endpoints${shown}**`);
    out.push('');
    out.push('| endpoint | requests | errors | p50 ms | p95 ms | p99 ms | SLO | vs baseline |');
    out.push('|---|---:|---:|---:|---:|---:|:---:|---|');
    for (const e of busiest) {
      const slo = e.slo === 'none' ? '–' : e.slo === 'pass' ? 'pass' : '**breached**';
      const cmp = e.comparison === null ? '–' : `${formatChange(e.comparison.ratio)} ${e.comparison.verdict === 'SLOWER' ? '**SLOWER**' : e.comparison.verdict}`;
      out.push(`| ${md(e.key)} | ${formatCount(e.requests)} | ${formatCount(e.errors)} | ${formatMs(e.p50)} | ${formatMs(e.p95)} | ${formatMs(e.p99)} | ${slo} | ${cmp} |`);
    }
    out.push('');
  }

  if (model.security.length > 0) {
    const timeouts = model.customCounters.filter((c) => /timeout/.test(c.name) && /detection|correlation/.test(c.name) && c.count > 0);
    out.push('**Security metrics**: ' + model.security.map((m) => `${md(m.label)} p95 ${formatMs(m.p95)} ms (${formatCount(m.count)} sample${m.count === 1 ? '' : 's'})`).join('; ')
      + timeouts.map((c) => `; ${md(c.name)}: ${formatCount(c.count)}`).join(''));
    out.push('');
  }

  for (const note of model.notes) out.push(`> ${md(note)}`);
  if (model.notes.length > 0) out.push('');
  out.push('<sub>Full figures and charts: report.html in the run bundle.</sub>');
  return `${out.join('\n')}\n`;
}
