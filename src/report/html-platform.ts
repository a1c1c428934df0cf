// report.html's platform section (resources.json, statements.json): what was sampled and what not,
// the resource charts (drawn by assets/report.js on the latency charts' time axis) and the top
// statements by total time with their plans. Pure: escaped HTML from the report model.
import type { PlatformSection, StatementRow } from './model.ts';
import { escapeHtml } from './escape.ts';
import { chartBlock } from './html-sections.ts';
import { formatCount, formatMs, formatPercent } from './format.ts';

const h = escapeHtml;
const SOURCE_TEXT: Record<string, string> = {
  proc: '/proc on this machine',
  metrics: "the platform's /metrics",
  postgres: 'pg_stat_* over a read-only connection',
};

function num(text: string, value: number | null): string {
  return `<td class="num" data-v="${value === null || !Number.isFinite(value) ? '' : value}">${h(text)}</td>`;
}

function statementRow(s: StatementRow, rank: number): string {
  const text = s.query.length > 240 ? `${s.query.slice(0, 240)}…` : s.query;
  const plan = s.plan !== null
    ? `<span class="${/Seq Scan/.test(s.plan) ? 'plan-seq' : ''}">${h(s.plan)}</span>`
    : s.planError !== null ? `<span class="muted">not explained: ${h(s.planError)}</span>` : '<span class="muted">–</span>';
  return `<tr><td class="num" data-v="${rank}">${rank}</td><td class="sql"><code title="${h(s.query)}">${h(text)}</code></td>`
    + num(formatCount(s.calls), s.calls) + num(formatMs(s.totalExecMs), s.totalExecMs) + num(formatMs(s.meanExecMs), s.meanExecMs)
    + num(formatCount(s.rows), s.rows) + num(formatPercent(s.share), s.share)
    + num(formatCount(s.sharedBlksHit), s.sharedBlksHit) + num(formatCount(s.sharedBlksRead), s.sharedBlksRead)
    + `<td class="plan">${plan}</td></tr>`;
}

function renderStatements(p: PlatformSection): string {
  const head = '<h3 id="top-statements">Top statements by total time</h3>';
  const st = p.statements;
  if (st === null) return `${head}<p class="muted">No statement figures (statements.json): see what was not sampled above.</p>`;
  if (st.rows.length === 0) return `${head}<p class="muted">pg_stat_statements recorded no statements during the run.</p>`;
  return `${head}
<p class="muted">pg_stat_statements over ${h(st.windowSeconds.toFixed(0))} s: ${formatCount(st.count)} statements, ${h(formatMs(st.totalExecMs))} ms of execution in all; the ${st.rows.length} with the most total time. Times in ms; “share” is of all statement time; blocks are shared buffers hit (cache) and read (disk or OS cache). Plans: EXPLAIN (GENERIC_PLAN) of the top statements, outermost node first.</p>
<div class="scroll"><table class="statements sortable"><thead><tr><th class="num">#</th><th>Statement</th><th class="num">Calls</th><th class="num">Total</th><th class="num">Mean</th><th class="num">Rows</th><th class="num">Share</th><th class="num">Blocks hit</th><th class="num">Blocks read</th><th>Plan</th></tr></thead>
<tbody>
${st.rows.map((row, i) => statementRow(row, i + 1)).join('\n')}
</tbody></table></div>`;
}

export function renderPlatform(p: PlatformSection | null): string {
  const head = '<h2 id="platform">Platform resources and SQL</h2>';
  if (p === null) {
    return `<section>${head}<p class="muted">This bundle has no platform samples (resources.json, statements.json): <code>rampart run</code> records them; a plain Artillery run does not.</p></section>`;
  }
  const from = p.sources;
  const sources = from === null ? [] : (['platform', 'database', 'generator'] as const).map((part) => {
    const source = from[part];
    return `${part}: ${source === null ? 'not sampled' : SOURCE_TEXT[source] ?? source}`;
  });
  const every = p.intervalMs === null ? '' : `every ${(p.intervalMs / 1000).toFixed(p.intervalMs % 1000 === 0 ? 0 : 1)} s, ${formatCount(p.samples)} samples`;
  const cost = p.samplerCpuMsPerSample === null ? '' : `; the sampler used ${p.samplerCpuMsPerSample.toFixed(1)} ms of CPU per sample`;
  const missing = p.missing.length === 0 ? ''
    : `<div class="missing" id="platform-missing"><p><strong>Not sampled:</strong></p><ul>${p.missing.map((m) => `<li>${h(m)}</li>`).join('')}</ul></div>`;
  const charts = p.charts.length === 0 ? '<p class="muted">No resource samples.</p>'
    : `<div class="charts">\n${p.charts.map((c) => chartBlock(c, '')).join('\n')}\n</div>`;
  return `<section>${head}
<p class="muted">Sampled ${h(every)}${h(cost)}${sources.length === 0 ? '' : ` (${h(sources.join('; '))})`}. Resource charts share the latency charts’ time axis; CPU is percent of one core.</p>
${missing}
${charts}
${renderStatements(p)}
</section>`;
}
