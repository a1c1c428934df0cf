// The platform samples of one side (its runs' resources.json and statements.json, src/sample),
// reduced to the figures compare shows side by side. Pure. A figure no run sampled is null.
import type { LoadedBundle, ResourceSample } from '../core/bundle/types.ts';
import type { ResourceFigures, StatementRow } from './document.ts';

function meanOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}

function maxOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

function pick(samples: readonly ResourceSample[], read: (s: ResourceSample) => number | null | undefined): number[] {
  const out: number[] = [];
  for (const sample of samples) {
    const value = read(sample);
    if (typeof value === 'number' && Number.isFinite(value)) out.push(value);
  }
  return out;
}

/** Means (and peaks) over every sample of every run of the side; null when no run has resources.json. */
export function resourcesOf(bundles: readonly LoadedBundle[]): ResourceFigures | null {
  const files = bundles.map((b) => b.resources ?? null).filter((f) => f !== null);
  if (files.length === 0) return null;
  const samples = files.flatMap((f) => f.samples);
  const queues: Record<string, number> = {};
  for (const sample of samples) for (const [name, depth] of Object.entries(sample.queues ?? {})) queues[name] = Math.max(queues[name] ?? 0, depth);
  return {
    runs: files.length,
    samples: samples.length,
    platformCpuPercent: meanOf(pick(samples, (s) => (s.platform === undefined ? null : s.platform.cpuUserPercent + s.platform.cpuSystemPercent))),
    platformRssMaxBytes: maxOf(pick(samples, (s) => s.platform?.rssBytes)),
    eventLoopDelayP99MaxMs: maxOf(pick(samples, (s) => s.platform?.eventLoopDelayP99Ms)),
    databaseCpuPercent: meanOf(pick(samples, (s) => s.databaseProcess?.cpuPercent)),
    hostCpuPercent: meanOf(pick(samples, (s) => s.host?.cpuPercent)),
    generatorCpuPercent: meanOf(pick(samples, (s) => s.generator?.cpuPercent)),
    poolWaitingMean: meanOf(pick(samples, (s) => s.pool?.waiting)),
    poolWaitingMax: maxOf(pick(samples, (s) => s.pool?.waiting)),
    poolInUseMean: meanOf(pick(samples, (s) => s.pool?.inUse)),
    databaseActiveMean: meanOf(pick(samples, (s) => s.database?.active)),
    waitingOnLockMax: maxOf(pick(samples, (s) => s.database?.waitingOnLock)),
    cacheHitRatioMean: meanOf(pick(samples, (s) => s.database?.cacheHitRatio)),
    queuesMax: queues,
    missing: [...new Set(files.flatMap((f) => f.missing))],
  };
}

interface Merged { query: string; calls: number; totalExecMs: number; runs: number }

function merge(bundles: readonly LoadedBundle[]): { byId: Map<string, Merged>; runs: number } {
  const byId = new Map<string, Merged>();
  const files = bundles.map((b) => b.statements ?? null).filter((f) => f !== null);
  for (const file of files) {
    for (const s of file.statements) {
      const m = byId.get(s.queryId) ?? { query: s.query, calls: 0, totalExecMs: 0, runs: 0 };
      m.calls += s.calls;
      m.totalExecMs += s.totalExecMs;
      m.runs += 1;
      byId.set(s.queryId, m);
    }
  }
  return { byId, runs: files.length };
}

/** The top `limit` statements by time per run on either side, with each side's calls and time per run. */
export function statementsSideBySide(a: readonly LoadedBundle[], b: readonly LoadedBundle[], limit: number): { rows: StatementRow[]; runs: { a: number; b: number } } {
  const left = merge(a);
  const right = merge(b);
  const perRun = (m: Merged | undefined, runs: number): StatementRow['a'] => (m === undefined || runs === 0 ? null : {
    callsPerRun: m.calls / runs, totalExecMsPerRun: m.totalExecMs / runs, meanExecMs: m.calls === 0 ? 0 : m.totalExecMs / m.calls,
  });
  const ids = new Set([...left.byId.keys(), ...right.byId.keys()]);
  const rows: StatementRow[] = [...ids].map((queryId) => {
    const l = left.byId.get(queryId);
    const r = right.byId.get(queryId);
    const query = (l ?? r)?.query ?? '';
    return { queryId, query: query.length > 200 ? `${query.slice(0, 200)}...` : query, a: perRun(l, left.runs), b: perRun(r, right.runs) };
  });
  const weight = (row: StatementRow): number => Math.max(row.a?.totalExecMsPerRun ?? 0, row.b?.totalExecMsPerRun ?? 0);
  rows.sort((x, y) => weight(y) - weight(x) || x.queryId.localeCompare(y.queryId));
  return { rows: rows.slice(0, limit), runs: { a: left.runs, b: right.runs } };
}
