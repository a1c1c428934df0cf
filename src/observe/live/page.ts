// The live page's HTML (pure): the periods Artillery has printed so far and the platform's samples,
// drawn by the report's own assets (uPlot and src/report/assets/report.js, from the same JSON data
// block and chart containers as report.html) and escaped by the report's functions. While the run
// goes the page reloads itself every few seconds; once it has ended it stops and links the final
// report. Its policy allows no network at all: the only requests are its own reloads from 127.0.0.1.
import type { PlannedPhase } from '../../core/bundle/types.ts';
import type { ChartAssets } from '../../report/html.ts';
import type { ChartSpec, SeriesLine } from '../../report/model.ts';
import { escapeHtml as h, jsonForScript } from '../../report/escape.ts';
import { pageHead } from '../../report/page-head.ts';
import { chartBlock } from '../../report/html-sections.ts';
import { plannedArrivals } from '../status.ts';
import { endpointSummaries, type LivePeriod } from './console-feed.ts';
import type { PlatformSample } from './platform-feed.ts';

export interface LiveModel {
  runId: string;
  profile: string;
  startedAtMs: number;
  phases: readonly PlannedPhase[];
  periods: readonly LivePeriod[];
  platform: readonly PlatformSample[];
  nowMs: number;
  /** set once the run has ended */
  finished: { verdict: string; reportHref: string | null; bundleDir: string } | null;
  refreshSeconds: number;
}

const PERIOD_MS = 10_000;
const sumWhere = (counters: Record<string, number>, test: (name: string) => boolean): number =>
  Object.entries(counters).reduce((n, [name, v]) => (test(name) ? n + v : n), 0);
const isError = (name: string): boolean => name.startsWith('errors.') || /^http\.codes\.5\d\d$/.test(name);

function chart(id: string, title: string, unit: string, x: number[], lines: SeriesLine[]): ChartSpec | null {
  if (x.length === 0 || lines.every((l) => l.values.every((v) => v === null))) return null;
  return { id, title, unit, x, lines };
}

/** The charts of the page, in the report's ChartSpec shape (pure). */
export function liveCharts(m: LiveModel): ChartSpec[] {
  const x = m.periods.map((p) => p.end - PERIOD_MS);
  const pick = (f: (p: LivePeriod) => number | null): (number | null)[] => m.periods.map(f);
  const overall = (stat: string) => (p: LivePeriod): number | null => p.summaries['http.response_time']?.[stat] ?? null;
  const endpoints = [...new Set(m.periods.flatMap((p) => [...endpointSummaries(p).keys()]))].sort().slice(0, 10);
  const sinceStart = (t: number): number => (t - m.startedAtMs) / 1000;
  const planned = (p: LivePeriod): number => plannedArrivals(m.phases, sinceStart(p.end)) - plannedArrivals(m.phases, sinceStart(p.end - PERIOD_MS));
  const px = m.platform.map((s) => s.at);
  const platformLine = (label: string, f: (s: PlatformSample) => number | null): SeriesLine => ({ label, values: m.platform.map(f) });
  return [
    chart('chart-throughput', 'Throughput', 'req/s', x, [{ label: 'requests/s', values: pick((p) => (p.counters['http.requests'] ?? 0) / (PERIOD_MS / 1000)) }]),
    chart('chart-latency', 'Latency, all endpoints (Artillery, ms)', 'ms', x, [
      { label: 'median', values: pick(overall('median')) },
      { label: 'p95', values: pick(overall('p95')) },
      { label: 'p99', values: pick(overall('p99')) },
    ]),
    chart('chart-endpoint-p95', 'p95 by endpoint', 'ms', x, endpoints.map((key) => ({ label: key, values: pick((p) => endpointSummaries(p).get(key)?.p95 ?? null) }))),
    chart('chart-errors', 'Errors per period', 'count', x, [
      { label: 'errors (transport + 5xx)', values: pick((p) => sumWhere(p.counters, isError)) },
      { label: '4xx responses', values: pick((p) => sumWhere(p.counters, (n) => /^http\.codes\.4\d\d$/.test(n))) },
    ]),
    chart('chart-arrivals', 'Generator: users created vs planned', 'users', x, [
      { label: 'created', values: pick((p) => p.counters['vusers.created'] ?? 0) },
      { label: 'planned', values: pick(planned) },
    ]),
    chart('chart-platform-cpu', 'Platform CPU', 'cores', px, [platformLine('cpu', (s) => s.cpuCores)]),
    chart('chart-platform-memory', 'Platform memory (RSS)', 'MB', px, [platformLine('rss', (s) => (s.rssBytes === null ? null : s.rssBytes / 1e6))]),
    chart('chart-platform-lag', 'Platform event-loop lag p99 and pool', 'ms / conns', px, [
      platformLine('event-loop lag p99 (ms)', (s) => s.eventLoopLagP99Ms),
      platformLine('pool in use', (s) => s.poolInUse),
      platformLine('pool waiting', (s) => s.poolWaiting),
    ]),
  ].filter((c): c is ChartSpec => c !== null);
}

function endpointRows(m: LiveModel): string {
  // the latest period with per-endpoint figures (the last one printed may still be being written)
  const last = m.periods.findLast((p) => endpointSummaries(p).size > 0);
  if (last === undefined) return '<p class="muted">No period reported yet (Artillery reports every 10 s).</p>';
  const rows = [...endpointSummaries(last)].sort(([a], [b]) => a.localeCompare(b)).map(([key, s]) =>
    `<tr><td>${h(key)}</td><td class="num">${h(String(s.median ?? ''))}</td><td class="num">${h(String(s.p95 ?? ''))}</td><td class="num">${h(String(s.p99 ?? ''))}</td><td class="num">${h(String(s.max ?? ''))}</td></tr>`);
  return `<table><thead><tr><th>endpoint</th><th>median ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function livePage(m: LiveModel, assets: ChartAssets): string {
  const charts = liveCharts(m);
  const totals = m.periods.reduce((t, p) => ({ requests: t.requests + (p.counters['http.requests'] ?? 0), errors: t.errors + sumWhere(p.counters, isError), users: t.users + (p.counters['vusers.created'] ?? 0) }), { requests: 0, errors: 0, users: 0 });
  const planned = m.phases.reduce((s, p) => s + p.duration, 0);
  const elapsed = Math.round((m.nowMs - m.startedAtMs) / 1000);
  const status = m.finished === null
    ? `<p>Running: ${String(elapsed)} s of ~${String(Math.round(planned))} s planned; this page reloads every ${String(m.refreshSeconds)} s.</p>`
    : `<p class="verdict">Finished: ${h(m.finished.verdict)}. ${m.finished.reportHref === null ? `The bundle: <code>${h(m.finished.bundleDir)}</code>` : `<a id="final-report" href="${h(m.finished.reportHref)}">The final report</a> (<code>${h(m.finished.bundleDir)}</code>)`}</p>`;
  const refresh = m.finished === null ? `<meta http-equiv="refresh" content="${String(m.refreshSeconds)}">` : '';
  return `${pageHead({ title: `live: ${m.profile} ${m.runId}`, scripts: [assets.uplotJs, assets.pageJs], styles: [assets.uplotCss, assets.pageCss], extra: refresh })}
<header><h1>${h(`Live: profile ${m.profile}, run ${m.runId}`)}</h1>${status}</header>
<main>
<section><h2>So far</h2><p id="totals">${String(totals.requests)} requests, ${String(totals.errors)} errors, ${String(totals.users)} users created, ${String(m.periods.length)} periods</p></section>
<section><h2>Endpoints, latest period</h2>${endpointRows(m)}</section>
<section><h2>Charts</h2><div class="charts">${charts.map((c) => chartBlock(c, '')).join('\n')}</div></section>
</main>
<script type="application/json" id="rampart-data">${jsonForScript({ charts })}</script>
<script>${assets.uplotJs}</script>
<script>${assets.pageJs}</script>
</body>
</html>
`;
}
