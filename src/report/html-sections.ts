// The lower sections of report.html: virtual users, security metrics, load-generator health.
// Pure: escaped HTML from the report model (html.ts assembles the page).
import type { ChartSpec, CustomMetricRow, ReportModel } from './model.ts';
import { escapeHtml } from './escape.ts';
import { formatCount, formatMs, formatPercent } from './format.ts';

const h = escapeHtml;

export function tile(label: string, value: string, tone = ''): string {
  return `<div class="tile${tone ? ` tile-${tone}` : ''}"><div class="tile-value">${h(value)}</div><div class="tile-label">${h(label)}</div></div>`;
}

export function badge(kind: string, text: string, title?: string): string {
  return `<span class="badge badge-${kind}"${title ? ` title="${h(title)}"` : ''}>${h(text)}</span>`;
}

export function chartBlock(spec: ChartSpec | null, fallback: string): string {
  if (spec === null) return `<figure class="chart chart-empty"><p class="muted">${h(fallback)}</p></figure>`;
  return `<figure class="chart"><div class="chart-canvas" id="${h(spec.id)}" data-chart></div></figure>`;
}

function countTable(title: string, rows: { name: string; count: number }[], empty: string): string {
  const heading = title === '' ? '' : `<h3>${h(title)}</h3>`;
  if (rows.length === 0) return `<div>${heading}<p class="muted">${h(empty)}</p></div>`;
  return `<div>${heading}<table><tbody>${rows.map((r) => `<tr><td class="key">${h(r.name)}</td><td class="num">${formatCount(r.count)}</td></tr>`).join('')}</tbody></table></div>`;
}

export function renderVusers(model: ReportModel): string {
  const v = model.vusers;
  const tiles = [
    tile('created', formatCount(v.created)),
    tile('completed', formatCount(v.completed)),
    tile('failed', formatCount(v.failed), v.failed > 0 ? 'bad' : ''),
  ];
  if (v.skipped > 0) tiles.push(tile('skipped', formatCount(v.skipped), 'bad'));
  return `<section><h2 id="scenarios">Scenarios and virtual users</h2>
<div class="tiles">${tiles.join('')}</div>
${model.charts.vusers === null ? '' : `<div class="charts">${chartBlock(model.charts.vusers, '')}</div>`}
<div class="columns">
${countTable('Virtual users created per scenario', model.scenarios.map((s) => ({ name: s.name, count: s.created })), 'Artillery reported no per-scenario counts.')}
${countTable('HTTP status codes', model.httpCodes.map((c) => ({ name: c.code, count: c.count })), 'No HTTP responses were recorded.')}
${countTable('Errors (no response)', model.errorsByCode.map((c) => ({ name: c.code, count: c.count })), 'No transport errors.')}
${model.expect === null ? '' : countTable(`Expect assertions: ${formatCount(model.expect.ok)} passed, ${formatCount(model.expect.failed)} failed`, model.expect.failedByKind.map((k) => ({ name: `failed ${k.kind}`, count: k.count })), 'No assertion failed.')}
</div></section>`;
}

export function sloCell(slo: 'pass' | 'fail' | 'none', failures: string[]): string {
  return slo === 'none' ? '<span class="muted">–</span>' : slo === 'pass' ? badge('pass', 'pass') : badge('fail', 'breached', failures.join('; '));
}

function metricTable(rows: CustomMetricRow[]): string {
  return `<div class="scroll"><table><thead><tr><th>Metric</th><th class="num">Samples</th><th class="num">p50</th><th class="num">p90</th><th class="num">p95</th><th class="num">p99</th><th class="num">max</th><th>SLO</th></tr></thead><tbody>`
    + rows.map((m) => `<tr class="${m.slo === 'fail' ? 'row-bad' : ''}"><td><span class="metric-label">${h(m.label)}</span> <code>${h(m.name)}</code></td><td class="num">${formatCount(m.count)}</td>`
      + `<td class="num">${formatMs(m.p50)}</td><td class="num">${formatMs(m.p90)}</td><td class="num">${formatMs(m.p95)}</td><td class="num">${formatMs(m.p99)}</td><td class="num">${formatMs(m.max)}</td>`
      + `<td>${sloCell(m.slo, m.sloFailures)}</td></tr>`).join('')
    + '</tbody></table></div>';
}

export function renderSecurity(model: ReportModel): string {
  // The security explanation only for a run that has security metrics; any run's own metrics below.
  const security = model.security.length === 0 ? ''
    : `<h2 id="security">Security metrics</h2><p class="muted">Milliseconds, from the injection of an attack to the platform’s alert (detection) or incident (correlation).</p>${metricTable(model.security)}`;
  const other = model.otherMetrics.length === 0 ? '' : `<h3>Custom metrics</h3><p class="muted">Histograms and summaries the run’s processors recorded.</p>${metricTable(model.otherMetrics)}`;
  const counters = model.customCounters.length === 0 ? ''
    : `<h3>Custom counters</h3><p class="muted">Counters the run’s processors recorded (rampart.* are the probes’; a <code>…_timeout</code> counts attacks whose alert or incident was not seen within the probe’s time limit).</p>`
      + `<div class="columns">${countTable('', model.customCounters.map((c) => ({ name: c.name, count: c.count })), '')}</div>`;
  if (security === '' && other === '' && counters === '') return '';
  return `<section>${security === '' ? '<h2 id="custom">Custom metrics</h2>' : security}${counters}${other}</section>`;
}

export function renderGenerator(model: ReportModel): string {
  const head = '<h2 id="generator">Load generator health</h2>';
  const g = model.generator;
  if (g === null) {
    return `<section>${head}<p class="muted">No generator record (generator.json): this run did not use the measurement plugin, so whether the generator kept to the planned schedule cannot be told.</p></section>`;
  }
  const ratio = g.planned.arrivals > 0 ? g.actual.arrivals / g.planned.arrivals : null;
  const trust = g.trust.trustworthy
    ? `<p>${badge('pass', 'trustworthy')} The generator kept to the planned schedule.</p>`
    : `<p>${badge('warn', 'untrustworthy')} The generator's own limits distorted this run's figures: behind its schedule, latencies are understated; delayed, they are overstated.</p><ul>${g.trust.reasons.map((r) => `<li>${h(r)}</li>`).join('')}</ul>`;
  const tiles = [
    tile('planned arrivals', formatCount(g.planned.arrivals)),
    tile('actual arrivals', `${formatCount(g.actual.arrivals)}${ratio === null ? '' : ` (${formatPercent(ratio)})`}`, ratio !== null && ratio < 0.99 ? 'bad' : ''),
    tile('full periods below plan', `${formatCount(g.periodsBelowPlan)} / ${formatCount(g.fullPeriods)}`, g.periodsBelowPlan > 0 ? 'bad' : ''),
    tile('peak process CPU (% of a core)', `${g.peakCpuPercent.toFixed(0)}%`),
  ];
  if (g.peakWorkerUtilization !== null) {
    tiles.push(tile('busiest worker event loop, peak', formatPercent(g.peakWorkerUtilization), g.peakWorkerUtilization >= g.workerUtilizationLimit ? 'bad' : ''));
  }
  tiles.push(tile('worst event-loop delay', `${formatMs(g.worstEventLoopDelayMs)} ms`));
  if (g.trust.generatorDelayMs !== undefined) tiles.push(tile('generator delay p99 (error bar)', `± ${formatMs(g.trust.generatorDelayMs)} ms`));
  return `<section>${head}${trust}<div class="tiles">${tiles.join('')}</div>
<div class="charts">
${chartBlock(model.charts.arrivals, 'No arrival figures per period.')}
${chartBlock(model.charts.generatorCpu, 'No CPU figures per period.')}
${chartBlock(model.charts.eventLoopDelay, 'No event-loop delay figures per period.')}
</div></section>`;
}
