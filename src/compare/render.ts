// compare's text table (stdout) and compare.html (self-contained, the report's stylesheet; no
// script at all: tables only). Everything from the runs passes through the report's escaping. Pure.
import { escapeHtml as h } from '../report/escape.ts';
import { pageHead } from '../report/page-head.ts';
import type { CompareFile, RatioInterval, ResourceFigures } from './document.ts';

const change = (ratio: number): string => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
const interval = (r: RatioInterval | null): string => (r === null ? '–' : `${r.ratio.toFixed(2)}x [${r.lower.toFixed(2)}, ${r.upper.toFixed(2)}]`);
const ms = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n).toString());
const fixed = (n: number | null, digits = 1): string => (n === null ? '–' : n.toFixed(digits));

type ResourceKey = Exclude<keyof ResourceFigures, 'queuesMax' | 'missing' | 'runs' | 'samples'>;
const RESOURCE_ROWS: [ResourceKey, string][] = [
  ['platformCpuPercent', 'platform CPU % (mean)'],
  ['databaseCpuPercent', 'database CPU % (mean)'],
  ['hostCpuPercent', 'host CPU % (mean)'],
  ['generatorCpuPercent', 'generator CPU % (mean)'],
  ['poolWaitingMean', 'pool waiting (mean)'],
  ['poolWaitingMax', 'pool waiting (max)'],
  ['poolInUseMean', 'pool in use (mean)'],
  ['databaseActiveMean', 'database active backends (mean)'],
  ['waitingOnLockMax', 'waiting on a lock (max)'],
  ['cacheHitRatioMean', 'cache hit ratio (mean)'],
  ['eventLoopDelayP99MaxMs', 'event-loop delay p99 ms (max)'],
  ['platformRssMaxBytes', 'platform RSS MB (max)'],
];

function resourceRows(doc: CompareFile): [string, string, string][] {
  const { a, b } = doc.resources;
  if (a === null && b === null) return [];
  const value = (r: ResourceFigures | null, key: ResourceKey): string => {
    const v = r?.[key] ?? null;
    if (v === null) return '–';
    if (key === 'platformRssMaxBytes') return (v / 1e6).toFixed(0);
    return key === 'cacheHitRatioMean' ? v.toFixed(3) : fixed(v);
  };
  const rows: [string, string, string][] = RESOURCE_ROWS.map(([key, label]) => [label, value(a, key), value(b, key)]);
  const queues = new Set([...Object.keys(a?.queuesMax ?? {}), ...Object.keys(b?.queuesMax ?? {})]);
  for (const q of [...queues].sort()) rows.push([`${q} (max)`, String(a?.queuesMax[q] ?? '–'), String(b?.queuesMax[q] ?? '–')]);
  return rows.filter(([, x, y]) => x !== '–' || y !== '–');
}

export function formatCompare(doc: CompareFile): string {
  const lines = [`compare: B (${doc.b.label}, ${doc.b.runs.length} run(s)) against A (${doc.a.label}, ${doc.a.runs.length} run(s))${doc.profile === null ? '' : `, profile ${doc.profile}`}`];
  if (doc.order.length > 0) lines.push(`runs made in the order ${doc.order.join(' ')}`);
  const width = Math.max(8, ...doc.endpoints.map((e) => e.endpoint.length));
  lines.push(`${'endpoint'.padEnd(width)}  verdict   ${`${doc.settings.statistic} B/A`.padEnd(10)}  ${'p50 B/A [CI]'.padEnd(24)}  ${'p95 B/A [CI]'.padEnd(24)}  p95 A ms  p95 B ms`);
  for (const e of doc.endpoints) {
    lines.push(`${e.endpoint.padEnd(width)}  ${e.verdict.padEnd(8)}  ${(e.ratio === null ? '–' : change(e.ratio)).padEnd(10)}  ${interval(e.p50).padEnd(24)}  ${interval(e.p95).padEnd(24)}  ${ms(e.a?.p95).padStart(8)}  ${ms(e.b?.p95).padStart(8)}`);
  }
  const resources = resourceRows(doc);
  if (resources.length > 0) {
    lines.push('', `${'resources'.padEnd(34)}  ${'A'.padStart(10)}  ${'B'.padStart(10)}`);
    for (const [label, a, b] of resources) lines.push(`${label.padEnd(34)}  ${a.padStart(10)}  ${b.padStart(10)}`);
  }
  if (doc.statements.rows.length > 0) {
    lines.push('', 'top statements (ms per run: A -> B; mean ms per call: A -> B)');
    for (const row of doc.statements.rows.slice(0, 5)) {
      lines.push(`  ${fixed(row.a?.totalExecMsPerRun ?? null, 0).padStart(8)} -> ${fixed(row.b?.totalExecMsPerRun ?? null, 0).padEnd(8)} ${fixed(row.a?.meanExecMs ?? null, 2).padStart(8)} -> ${fixed(row.b?.meanExecMs ?? null, 2).padEnd(8)} ${row.query.replace(/\s+/g, ' ').slice(0, 80)}`);
    }
  }
  const counts = ['SLOWER', 'FASTER', 'SAME', 'UNKNOWN'].map((v) => `${doc.endpoints.filter((e) => e.verdict === v).length} ${v}`);
  lines.push('', `${counts.join(', ')} (threshold ${Math.round(doc.settings.threshold * 100)}%, alpha ${doc.settings.alpha})`);
  const unknown = doc.endpoints.filter((e) => e.verdict === 'UNKNOWN');
  if (unknown.length > 0) {
    lines.push(`the verdict is the gate's, on the ${doc.settings.statistic} per period; the p50/p95 intervals describe the runs and decide nothing. Why UNKNOWN:`);
    for (const e of unknown) lines.push(`  ${e.endpoint}: ${e.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

const cell = (text: string, numeric = false): string => `<td${numeric ? ' class="num"' : ''}>${h(text)}</td>`;

export function renderCompareHtml(doc: CompareFile, pageCss: string): string {
  const title = `Compare: ${doc.b.label} against ${doc.a.label}${doc.profile === null ? '' : ` (${doc.profile})`}`;
  const endpoints = doc.endpoints.map((e) => `<tr>${cell(e.endpoint)}<td><span class="badge badge-${e.verdict.toLowerCase()}">${e.verdict}</span></td>${cell(e.ratio === null ? '–' : change(e.ratio), true)}${cell(interval(e.p50), true)}${cell(interval(e.p95), true)}`
    + `${cell(ms(e.a?.p95), true)}${cell(ms(e.b?.p95), true)}${cell(String(e.a?.requests ?? 0), true)}${cell(String(e.b?.requests ?? 0), true)}${cell(e.detail)}</tr>`).join('\n');
  const resources = resourceRows(doc).map(([label, a, b]) => `<tr>${cell(label)}${cell(a, true)}${cell(b, true)}</tr>`).join('\n');
  const statements = doc.statements.rows.map((r) => `<tr>${cell(fixed(r.a?.totalExecMsPerRun ?? null, 0), true)}${cell(fixed(r.b?.totalExecMsPerRun ?? null, 0), true)}${cell(fixed(r.a?.meanExecMs ?? null, 2), true)}${cell(fixed(r.b?.meanExecMs ?? null, 2), true)}${cell(fixed(r.a?.callsPerRun ?? null, 0), true)}${cell(fixed(r.b?.callsPerRun ?? null, 0), true)}<td><code>${h(r.query)}</code></td></tr>`).join('\n');
  const sides = [doc.a, doc.b].map((s, i) => `<li>${i === 0 ? 'A' : 'B'}: ${h(s.label)}${s.env === null ? '' : ` — env ${h(Object.entries(s.env).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults')}`}; runs: ${s.runs.map((r) => `<code>${h(r.bundle)}</code>`).join(', ')}</li>`).join('');
  const missing = [...new Set([...(doc.resources.a?.missing ?? []), ...(doc.resources.b?.missing ?? [])])];
  return `${pageHead({ title, generator: 'rampart compare', styles: [pageCss] })}
<header><h1>${h(title)}</h1>
<ul>${sides}${doc.order.length > 0 ? `<li>order: ${h(doc.order.join(' '))}</li>` : ''}
<li>verdicts: the gate's comparison of B's runs against A's (${h(doc.settings.statistic)} per 10 s period, threshold ${Math.round(doc.settings.threshold * 100)}%, alpha ${doc.settings.alpha}; SLO files ${h(doc.settings.sources.join(', '))}); p50/p95: B/A with the ${Math.round((1 - doc.settings.alpha) * 100)}% interval, at least ${Math.round(doc.settings.absoluteNoiseFloor * 100)}% run-to-run spread assumed; they describe the runs and decide nothing, so an UNKNOWN verdict can stand beside an interval that excludes 1 (its detail says why)</li></ul>
</header>
<main>
<h2>Endpoints</h2>
<table><thead><tr><th>endpoint</th><th>verdict</th><th>${h(doc.settings.statistic)} B/A</th><th>p50 B/A [CI]</th><th>p95 B/A [CI]</th><th>p95 A ms</th><th>p95 B ms</th><th>requests A</th><th>requests B</th><th>detail</th></tr></thead><tbody>
${endpoints}
</tbody></table>
<h2>Resources</h2>
${resources === '' ? '<p>No run of either side has platform samples (resources.json).</p>' : `<table><thead><tr><th>figure</th><th>A</th><th>B</th></tr></thead><tbody>\n${resources}\n</tbody></table>`}
${missing.length === 0 ? '' : `<p>Not sampled: ${missing.map((m) => h(m)).join('; ')}</p>`}
<h2>Top statements</h2>
${statements === '' ? '<p>No run of either side has statements.json.</p>' : `<table><thead><tr><th>A ms/run</th><th>B ms/run</th><th>A mean ms</th><th>B mean ms</th><th>A calls/run</th><th>B calls/run</th><th>statement</th></tr></thead><tbody>\n${statements}\n</tbody></table>`}
</main>
<footer>Generated by <code>rampart compare</code>.</footer>
</body>
</html>
`;
}
