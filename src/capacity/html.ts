// capacity.html: the search on one self-contained page (no network), like report.html: the result,
// the latency-versus-load curve (uPlot inlined from its package, the report's stylesheet) and every
// step. Everything from the run passes through the report's escaping. Pure: takes the document and
// the assets' text.
import { escapeHtml as h, jsonForScript } from '../report/escape.ts';
import { pageHead } from '../report/page-head.ts';
import type { ChartAssets } from '../report/html.ts';
import type { CapacityFile } from './document.ts';

// Draws the curves: x is the step's arrival rate (not time); one line per series, points only.
const CURVE_JS = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('capacity-data').textContent);
  var palette = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bc4c00', '#1b7c83', '#bf3989'];
  data.charts.forEach(function (chart) {
    var el = document.getElementById(chart.id);
    if (!el) return;
    var series = [{ label: 'arrivals/s' }];
    chart.lines.forEach(function (line, i) {
      series.push({ label: line.label, stroke: palette[i % palette.length], width: 1.5, points: { show: true, size: 7 } });
    });
    var opts = { title: chart.title, width: Math.max(320, el.clientWidth || 640), height: 300,
      scales: { x: { time: false }, y: { distr: chart.log ? 3 : 1 } }, series: series,
      axes: [{ label: 'arrivals/s' }, { label: chart.unit, size: 60 }] };
    var columns = [chart.x];
    chart.lines.forEach(function (line) { columns.push(line.values); });
    new uPlot(opts, columns, el);
  });
  window.__rampartCharts = data.charts.length;
})();
`;

interface Chart { id: string; title: string; unit: string; log: boolean; x: number[]; lines: { label: string; values: (number | null)[] }[] }

function charts(doc: CapacityFile): Chart[] {
  const steps = [...doc.steps].sort((a, b) => a.rate - b.rate);
  const x = steps.map((s) => s.rate);
  const latency: Chart = {
    id: 'curve-latency', title: 'Latency versus load (all endpoints)', unit: 'ms', log: true, x,
    lines: (['p50', 'p95', 'p99'] as const).map((p) => ({ label: p, values: steps.map((s) => s.latencyMs?.[p] ?? null) })),
  };
  const busiest = new Map<string, number>();
  for (const s of steps) for (const e of s.endpoints) busiest.set(e.endpoint, (busiest.get(e.endpoint) ?? 0) + e.requests);
  const keys = [...busiest.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k]) => k);
  const perEndpoint: Chart = {
    id: 'curve-endpoints', title: `p95 versus load of the ${keys.length} busiest endpoints`, unit: 'ms', log: true, x,
    lines: keys.map((key) => ({ label: key, values: steps.map((s) => s.endpoints.find((e) => e.endpoint === key)?.latencyMs?.p95 ?? null) })),
  };
  const throughput: Chart = {
    id: 'curve-throughput', title: 'Requests per second and error rate versus load', unit: 'req/s or %', log: false, x,
    lines: [
      { label: 'requests/s', values: steps.map((s) => s.throughput) },
      { label: 'error rate %', values: steps.map((s) => s.errorRate * 100) },
    ],
  };
  return [latency, ...(keys.length > 1 ? [perEndpoint] : []), throughput];
}

const ms = (n: number | undefined): string => (n === undefined ? '–' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n).toString());

function headline(doc: CapacityFile): { level: string; css: string; text: string } {
  const r = doc.result;
  const scale = r.sustainableRateScale === null ? '' : ` (rate-scale ${r.sustainableRateScale} of the profile's peak ${doc.step.peakRate}/s)`;
  switch (r.outcome) {
    case 'generator-bound': return { level: 'UNTRUSTWORTHY', css: 'untrustworthy', text: r.stoppedBecause };
    case 'none-passed': return { level: 'NONE PASSED', css: 'fail', text: r.stoppedBecause };
    default: return { level: 'CAPACITY', css: 'pass', text: `sustains ${String(r.sustainableRate)} arrivals/s${scale}; ${r.stoppedBecause}` };
  }
}

export function renderCapacityHtml(doc: CapacityFile, assets: ChartAssets): string {
  const head = pageHead({ title: `Capacity of ${doc.profile}`, generator: 'rampart capacity', scripts: [assets.uplotJs, CURVE_JS], styles: [assets.uplotCss, assets.pageCss] });
  const all = charts(doc);
  const top = headline(doc);
  const r = doc.result;
  const limits = r.limits.map((l) => `<tr><td>${h(l.scope)}</td><td>${h(l.metric)}</td><td class="num">${h(String(l.firstBrokenAt))}</td><td class="num">${h(ms(l.actual))}</td><td class="num">${h(ms(l.threshold))}</td><td>${h(l.unit)}</td></tr>`).join('\n');
  const rows = doc.steps.map((s, i) => `<tr><td class="num">${i + 1}</td><td class="num">${s.rate}</td><td class="num">${s.rateScale}</td><td>${s.generatorBound ? 'generator-bound' : s.passed ? 'pass' : 'FAIL'}</td>`
    + `<td class="num">${ms(s.latencyMs?.p50)}</td><td class="num">${ms(s.latencyMs?.p95)}</td><td class="num">${ms(s.latencyMs?.p99)}</td><td class="num">${s.throughput.toFixed(1)}</td><td class="num">${(s.errorRate * 100).toFixed(2)}%</td>`
    + `<td>${s.generator.trustworthy ? 'kept schedule' : h(s.generator.reasons.join('; ') || 'untrustworthy')}</td><td>${h(s.reasons.join('; '))}</td><td><code>${h(s.bundle)}</code></td></tr>`).join('\n');
  const env = Object.entries(doc.platformEnv).map(([k, v]) => `${k}=${v}`).join(' ');
  return `${head}
<header>
<h1>${h(`Capacity of ${doc.profile}`)}</h1>
<dl class="meta"><div><dt>target</dt><dd>${h(doc.target)}</dd></div><div><dt>started</dt><dd>${h(doc.startedAt)}</dd></div>
<div><dt>steps</dt><dd>${doc.steps.length} × ${doc.step.durationSeconds} s</dd></div><div><dt>wall time</dt><dd>${r.wallSeconds} s</dd></div>
<div><dt>platform env</dt><dd>${h(env === '' ? 'defaults' : env)}</dd></div><div><dt>SLOs</dt><dd>${h(doc.slo.sources.join(', '))}</dd></div></dl>
</header>
<main>
<section class="verdict verdict-${top.css}"><div class="verdict-level">${h(top.level)}</div><div><p class="headline">${h(top.text)}</p>
<ul><li>bracket: last pass ${h(String(r.bracket.lastPass))}, first fail ${h(String(r.bracket.firstFail))} arrivals/s${r.bracket.width === null ? '' : ` (width ${(r.bracket.width * 100).toFixed(1)}%${r.precisionMet ? '' : ', wider than --precision'})`}</li>
<li>${r.firstLimit === null ? 'no limit broke' : h(`first limit to break: ${r.firstLimit.scope} ${r.firstLimit.metric} at ${r.firstLimit.firstBrokenAt} arrivals/s`)}</li>
<li>${h(doc.step.derivation)}</li></ul></div></section>
<h2>Latency versus load</h2>
${all.map((c) => `<div class="chart" id="${c.id}"></div>`).join('\n')}
<h2>Limits that broke</h2>
<table><thead><tr><th>scope</th><th>metric</th><th>first broken at (arrivals/s)</th><th>actual there</th><th>budget</th><th>unit</th></tr></thead><tbody>
${limits === '' ? '<tr><td colspan="6">none</td></tr>' : limits}
</tbody></table>
<h2>Steps</h2>
<table><thead><tr><th>#</th><th>arrivals/s</th><th>rate-scale</th><th>result</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>req/s</th><th>errors</th><th>generator</th><th>reasons</th><th>bundle</th></tr></thead><tbody>
${rows}
</tbody></table>
</main>
<footer>Generated by <code>rampart capacity</code>; each step's bundle is kept under steps/ (rampart report &lt;bundle&gt; renders it).</footer>
<script type="application/json" id="capacity-data">${jsonForScript({ charts: all })}</script>
<script>${assets.uplotJs}</script>
<script>${CURVE_JS}</script>
</body>
</html>
`;
}
