// report.html's findings section: what limited the run, as `rampart analyze` ranks it (src/analyze),
// the first finding being the top bottleneck. Pure: escaped HTML from the findings; the report's
// stylesheet already styles its tables, badges and code. docs/analysis.md explains every rule.
import type { Evidence, Finding } from '../analyze/types.ts';
import { escapeHtml } from './escape.ts';
import { badge } from './html-sections.ts';

const h = escapeHtml;
/** Findings shown in the page; the rest are in `rampart analyze <bundle>`. */
const SHOWN = 10;

function evidenceText(e: Evidence): string {
  const value = Number.isInteger(e.value) ? e.value.toLocaleString('en-US') : String(e.value);
  if (e.unit === '%' || e.unit.startsWith('% ')) return `${e.label}: ${value}${e.unit}`;
  if (e.unit === 'count' || e.unit === 'p' || e.unit === 'ratio') return `${e.label}: ${value}`;
  return `${e.label}: ${value} ${e.unit}`;
}

function row(f: Finding): string {
  const share = `${(f.share * 100).toFixed(1)}% of ${f.shareOf === 'run' ? 'the run' : f.shareOf}`;
  return `<tr><td class="num" data-v="${f.rank}">${f.rank}</td>`
    + `<td>${badge(f.tier === 'bottleneck' ? 'fail' : 'neutral', f.rule, f.tier)}</td>`
    + `<td class="num" data-v="${f.share}">${h(share)}</td>`
    + `<td class="sql"><code>${h(f.subject)}</code><br>${h(f.title)}</td>`
    + `<td><ul>${f.evidence.map((e) => `<li>${h(evidenceText(e))}</li>`).join('')}</ul></td>`
    + `<td>${h(f.recommendation)}</td></tr>`;
}

/** The section, or nothing when the report was built without findings. */
export function renderFindings(findings: readonly Finding[] | undefined): string {
  if (findings === undefined) return '';
  const head = '<h2 id="findings">What limited this run</h2>';
  if (findings.length === 0) return `<section>${head}<p class="muted">No finding: nothing in the bundle stood out (docs/analysis.md says what each rule looks for).</p></section>`;
  const more = findings.length > SHOWN ? ` The first ${SHOWN} of ${findings.length}; <code>rampart analyze &lt;bundle&gt;</code> lists them all.` : '';
  return `<section>${head}
<p class="muted">Ranked by <code>rampart analyze</code>: the load generator first when it was the limit, then bottlenecks (causes) and then symptoms (where it shows), each by the share of the run’s time, database time or errors it explains.${more}</p>
<div class="scroll"><table class="statements findings"><thead><tr><th class="num">#</th><th>Finding</th><th class="num">Share</th><th>What</th><th>Evidence</th><th>What to do</th></tr></thead>
<tbody>${findings.slice(0, SHOWN).map(row).join('\n')}</tbody></table></div></section>`;
}
