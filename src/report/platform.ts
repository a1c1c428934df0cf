// The report's platform section, from resources.json and statements.json (src/sample): resource
// charts on the run's time axis and the top-statements table. Pure; html-platform.ts renders it.
import type { ResourceSample, ResourcesFile, StatementPlan, StatementsFile } from '../core/bundle/types.ts';
import type { ChartSpec, PlatformSection, SeriesLine, StatementRow } from './model.ts';

const MIB = 2 ** 20;
const KIB = 2 ** 10;

type Pick = (s: ResourceSample, seconds: number) => number | null | undefined;

function resourceChart(id: string, title: string, unit: string, samples: readonly ResourceSample[], intervalMs: number, lines: [string, Pick][]): ChartSpec | null {
  const x = samples.map((s) => s.t);
  const seconds = samples.map((s, i) => (i === 0 ? intervalMs : s.t - samples[i - 1].t) / 1000);
  const series: SeriesLine[] = lines
    .map(([label, pick]) => ({ label, values: samples.map((s, i) => pick(s, seconds[i]) ?? null) }))
    .filter((l) => l.values.some((v) => v !== null));
  return series.length === 0 ? null : { id, title, unit, x, lines: series };
}

const r2 = (n: number): number => Math.round(n * 100) / 100;
const perSecond = (bytes: number | undefined, seconds: number, unit: number): number | null => (bytes === undefined ? null : r2(bytes / unit / seconds));
const mib = (bytes: number | undefined): number | null => (bytes === undefined ? null : r2(bytes / MIB));

function resourceCharts(r: ResourcesFile): ChartSpec[] {
  const s = r.samples;
  const queueNames = [...new Set(s.flatMap((x) => Object.keys(x.queues ?? {})))].sort();
  const chart = (id: string, title: string, unit: string, lines: [string, Pick][]): ChartSpec | null => resourceChart(id, title, unit, s, r.intervalMs, lines);
  const charts = [
    chart('chart-res-cpu', 'CPU: platform, PostgreSQL, generator', '% of a core', [
      ['platform user', (x) => x.platform?.cpuUserPercent],
      ['platform system', (x) => x.platform?.cpuSystemPercent],
      ['PostgreSQL (all its processes)', (x) => x.databaseProcess?.cpuPercent],
      ['generator (Artillery)', (x) => x.generator?.cpuPercent],
    ]),
    chart('chart-res-host', 'Machine CPU (all cores)', '%', [['machine', (x) => x.host?.cpuPercent]]),
    chart('chart-res-memory', 'Memory', 'MiB', [
      ['platform RSS', (x) => mib(x.platform?.rssBytes)],
      ['platform heap used', (x) => mib(x.platform?.heapUsedBytes)],
      ['PostgreSQL RSS (sum)', (x) => mib(x.databaseProcess?.rssBytes)],
      ['generator RSS', (x) => mib(x.generator?.rssBytes)],
    ]),
    chart('chart-res-event-loop', 'Platform event loop and GC', 'ms', [
      ['event-loop delay p99', (x) => x.platform?.eventLoopDelayP99Ms],
      ['GC time per second', (x, sec) => (x.platform?.gcSeconds === undefined ? null : r2((x.platform.gcSeconds * 1000) / sec))],
    ]),
    chart('chart-res-pool', 'Database connections', 'count', [
      ['pool in use', (x) => x.pool?.inUse],
      ['pool waiting', (x) => x.pool?.waiting],
      ['backends active', (x) => x.database?.active],
      ['idle in transaction', (x) => x.database?.idleInTransaction],
      ['waiting on a lock', (x) => x.database?.waitingOnLock],
    ]),
    chart('chart-res-rows', 'Database rows', 'rows/s', [
      ['read', (x, sec) => (x.database === undefined ? null : Math.round(x.database.rowsRead / sec))],
      ['written', (x, sec) => (x.database === undefined ? null : Math.round(x.database.rowsWritten / sec))],
    ]),
    chart('chart-res-cache', 'Database cache hits', '%', [['shared buffer hit ratio', (x) => (x.database?.cacheHitRatio == null ? null : r2(100 * x.database.cacheHitRatio))]]),
    chart('chart-res-io', 'Disk and network', 'KiB/s', [
      ['platform disk read', (x, sec) => perSecond(x.platform?.diskReadBytes, sec, KIB)],
      ['platform disk write', (x, sec) => perSecond(x.platform?.diskWriteBytes, sec, KIB)],
      ['PostgreSQL disk read', (x, sec) => perSecond(x.databaseProcess?.diskReadBytes, sec, KIB)],
      ['PostgreSQL disk write', (x, sec) => perSecond(x.databaseProcess?.diskWriteBytes, sec, KIB)],
      ['network received (machine)', (x, sec) => perSecond(x.host?.netRxBytes, sec, KIB)],
      ['network sent (machine)', (x, sec) => perSecond(x.host?.netTxBytes, sec, KIB)],
    ]),
    chart('chart-res-queues', 'Platform queues', 'depth', queueNames.map((name): [string, Pick] => [name, (x) => x.queues?.[name]])),
  ];
  return charts.filter((c): c is ChartSpec => c !== null);
}

interface PlanNode { 'Node Type'?: unknown; 'Relation Name'?: unknown; 'Index Name'?: unknown; Plans?: unknown }

/** The plan's nodes, outermost first, as "Seq Scan on events" / "Index Scan using x on events" (at most 6). */
export function planSummary(plan: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (parts.length >= 6 || typeof node !== 'object' || node === null) return;
    const n = node as PlanNode;
    const type = typeof n['Node Type'] === 'string' ? n['Node Type'] : '?';
    const index = typeof n['Index Name'] === 'string' ? ` using ${n['Index Name']}` : '';
    const relation = typeof n['Relation Name'] === 'string' ? ` on ${n['Relation Name']}` : '';
    parts.push(`${type}${index}${relation}`);
    if (Array.isArray(n.Plans)) for (const child of n.Plans) walk(child);
  };
  walk(plan);
  return parts.join(' › ');
}

function statementRows(st: StatementsFile, top: number): StatementRow[] {
  const plans = new Map<string, StatementPlan>(st.plans.map((p) => [p.queryId, p]));
  return st.statements.slice(0, top).map((s) => {
    const plan = plans.get(s.queryId);
    const blocks = s.sharedBlksHit + s.sharedBlksRead;
    return {
      queryId: s.queryId,
      query: s.query.replace(/\s+/g, ' ').trim(),
      calls: s.calls,
      totalExecMs: s.totalExecMs,
      meanExecMs: s.meanExecMs,
      rows: s.rows,
      share: st.totalExecMs > 0 ? s.totalExecMs / st.totalExecMs : null,
      sharedBlksHit: s.sharedBlksHit,
      sharedBlksRead: s.sharedBlksRead,
      hitRatio: blocks === 0 ? null : s.sharedBlksHit / blocks,
      plan: plan === undefined ? null : plan.plan === null ? null : planSummary(plan.plan),
      planError: plan?.error ?? null,
    };
  });
}

/** The section; null when the bundle has neither file (a plain Artillery run, an older bundle). */
export function buildPlatformSection(resources: ResourcesFile | null | undefined, statements: StatementsFile | null | undefined, topStatements = 20): PlatformSection | null {
  if ((resources ?? null) === null && (statements ?? null) === null) return null;
  return {
    sources: resources?.sources ?? null,
    intervalMs: resources?.intervalMs ?? null,
    samples: resources?.samples.length ?? 0,
    missing: resources?.missing ?? ['resources: the bundle has no resources.json'],
    samplerCpuMsPerSample: resources?.sampler?.cpuMsPerSample ?? null,
    charts: resources === null || resources === undefined ? [] : resourceCharts(resources),
    statements: statements === null || statements === undefined ? null : {
      windowSeconds: (statements.window.end - statements.window.start) / 1000,
      totalExecMs: statements.totalExecMs,
      count: statements.statements.length,
      rows: statementRows(statements, topStatements),
    },
  };
}

/**
 * Every time chart of the report on one x range (ms since the epoch), so the resource samples line up
 * with the latency periods; each chart's own x values stay as they are.
 */
export function alignCharts(charts: readonly ChartSpec[]): void {
  const xs = charts.flatMap((c) => (c.x.length === 0 ? [] : [c.x[0], c.x[c.x.length - 1]]));
  if (xs.length === 0) return;
  const range: [number, number] = [Math.min(...xs), Math.max(...xs)];
  for (const chart of charts) chart.range = range;
}
