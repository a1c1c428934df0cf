// How worker threads hand their measurements to the main thread: files in a staging folder inside
// the bundle folder, `.rampart-workers-<pid>/`. A worker writes `<id>.started` when it loads and
// `<id>.json` in its cleanup; the main thread's cleanup waits until every started worker has
// written its file (or a timeout passes), merges them exactly and removes the folder.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PERIOD_MS } from '../../src/core/bundle/types.ts';
import type { HistogramFile, PeriodHistogram } from '../../src/core/bundle/types.ts';
import { decodeHistogram, encodeHistogram, encodePeriod, mergeHistograms, newHistogram } from '../../src/core/histogram.ts';
import type { HealthPeriod } from '../../src/core/generator.ts';
import type { RecordedMeasurements } from './recorder.ts';

export interface WorkerReport extends RecordedMeasurements {
  schema: 'rampart.worker/1';
  workerId: string;
  health: HealthPeriod[];
}

export function stagingDir(bundleDir: string, pid = process.pid): string {
  return join(bundleDir, `.rampart-workers-${pid}`);
}

/** Main thread, at start: an empty staging folder (a previous run's leftovers are removed). */
export function prepareStaging(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

export function announceWorker(dir: string, workerId: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${workerId}.started`), String(Date.now()));
}

export function writeWorkerReport(dir: string, report: WorkerReport): void {
  const temp = join(dir, `${report.workerId}.json.tmp`);
  writeFileSync(temp, JSON.stringify(report));
  renameSync(temp, join(dir, `${report.workerId}.json`));
}

export interface CollectedReports {
  reports: WorkerReport[];
  missing: string[]; // workers that started but did not deliver in time
}

/** Main thread, in cleanup: waits for every started worker's report, then reads them all. */
export async function collectWorkerReports(dir: string, timeoutMs: number, pollMs = 50): Promise<CollectedReports> {
  const deadline = Date.now() + timeoutMs;
  const pending = (): string[] => {
    if (!existsSync(dir)) return [];
    const names = readdirSync(dir);
    return names.filter((n) => n.endsWith('.started')).map((n) => n.slice(0, -'.started'.length)).filter((id) => !names.includes(`${id}.json`));
  };
  while (pending().length > 0 && Date.now() < deadline) await sleep(pollMs);
  const missing = pending();
  const reports: WorkerReport[] = [];
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
      reports.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as WorkerReport);
    }
  }
  return { reports, missing };
}

export function removeStaging(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Exact merge of per-worker period lists: periods with the same start are added together. */
export function mergePeriodLists(lists: PeriodHistogram[][]): PeriodHistogram[] {
  if (lists.length === 1) return [...lists[0]].sort((a, b) => a.start - b.start);
  const byStart = new Map<number, PeriodHistogram[]>();
  for (const list of lists) for (const p of list) byStart.set(p.start, [...(byStart.get(p.start) ?? []), p]);
  return [...byStart.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, parts]) => {
      if (parts.length === 1) return parts[0];
      const histogram = newHistogram();
      const codes: Record<string, number> = {};
      const errorKinds: Record<string, number> = {};
      let errors = 0;
      for (const part of parts) {
        histogram.add(decodeHistogram(part.histogram));
        errors += part.errors;
        for (const [code, n] of Object.entries(part.codes)) codes[code] = (codes[code] ?? 0) + n;
        for (const [kind, n] of Object.entries(part.errorKinds ?? {})) errorKinds[kind] = (errorKinds[kind] ?? 0) + n;
      }
      return encodePeriod({ start, histogram, errors, codes, errorKinds });
    });
}

/**
 * One histogram file from every worker's report, with its derived parts (per-period stats, overall,
 * totals): passed through for a single worker, merged exactly for several.
 */
export function mergeReports(reports: WorkerReport[]): { histograms: HistogramFile; arrivalsBySecond: Record<string, number>; firstArrivalAt: number | null; lastArrivalAt: number | null } {
  const mergeSection = (section: 'endpoints' | 'metrics'): Record<string, PeriodHistogram[]> => {
    const keys = [...new Set(reports.flatMap((r) => Object.keys(r[section])))].sort();
    return Object.fromEntries(keys.map((key) => [key, mergePeriodLists(reports.map((r) => r[section][key] ?? []).filter((l) => l.length > 0))]));
  };
  const mergeTotals = (section: 'endpoints' | 'metrics'): Record<string, string> => {
    const keys = [...new Set(reports.flatMap((r) => Object.keys(r.totals[section])))].sort();
    return Object.fromEntries(keys.map((key) => {
      const parts = reports.flatMap((r) => (key in r.totals[section] ? [r.totals[section][key]] : []));
      return [key, parts.length === 1 ? parts[0] : encodeHistogram(mergeHistograms(parts))];
    }));
  };
  const arrivalsBySecond: Record<string, number> = {};
  for (const report of reports) {
    for (const [second, n] of Object.entries(report.arrivalsBySecond)) arrivalsBySecond[second] = (arrivalsBySecond[second] ?? 0) + n;
  }
  const firsts = reports.map((r) => r.firstArrivalAt).filter((v): v is number => v !== null);
  const lasts = reports.map((r) => r.lastArrivalAt).filter((v): v is number => v !== null);
  const overallLists = reports.map((r) => r.overall).filter((l) => l.length > 0);
  return {
    histograms: {
      schema: 'rampart.histograms/1',
      unit: 'us',
      periodMs: PERIOD_MS,
      endpoints: mergeSection('endpoints'),
      metrics: mergeSection('metrics'),
      overall: overallLists.length === 0 ? [] : mergePeriodLists(overallLists),
      totals: {
        overall: reports.length === 1 ? reports[0].totals.overall : encodeHistogram(mergeHistograms(reports.map((r) => r.totals.overall))),
        endpoints: mergeTotals('endpoints'),
        metrics: mergeTotals('metrics'),
      },
    },
    arrivalsBySecond,
    firstArrivalAt: firsts.length > 0 ? Math.min(...firsts) : null,
    lastArrivalAt: lasts.length > 0 ? Math.max(...lasts) : null,
  };
}
