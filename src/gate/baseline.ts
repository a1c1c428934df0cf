// Baselines: what a candidate run is compared with.
//
// A baseline file (ci/baselines/<profile>.json, schema rampart.baseline/1) keeps the per-period
// figures of the newest few runs of one profile on the main branch — several runs, so the gate can
// see how much a result moves from run to run on the same build. It is written only by
// `rampart gate --update-baseline`, atomically. A bundle folder can also serve as a one-run baseline.
//
// Per run, per endpoint key, per 10 s period: responses and the period's min/p50/p75/p90 latency in ms
// (from the exact HDR histograms when the bundle has them). Periods keep their wall-clock start.
import { readFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { usageError } from '../core/errors.ts';
import { writeJsonAtomic } from '../core/bundle/files.ts';
import { loadBundle } from '../results/bundle.ts';
import { analyzeEndpoints } from '../results/aggregate.ts';
import type { EndpointAnalysis } from '../results/aggregate.ts';
import type { LoadedBundle } from '../core/bundle/types.ts';
import type { ComparisonStatistic } from './slo.ts';

export interface BaselinePeriod {
  start: number; // ms since epoch
  responses: number;
  min: number; // ms, the fastest response of the period
  p50: number; // ms
  p75: number;
  p90: number;
}

export interface BaselineRun {
  runId: string;
  profile: string | null;
  gitRevision: string | null;
  startedAt: string | null;
  /** endpoint key -> its periods with responses, oldest first */
  endpoints: Record<string, BaselinePeriod[]>;
}

export interface BaselineFile {
  schema: 'rampart.baseline/1';
  profile: string | null;
  updatedAt: string;
  runs: BaselineRun[]; // oldest first
}

/** A loaded baseline and where it came from (for messages and gate.json). */
export interface Baseline {
  source: string;
  kind: 'file' | 'bundle';
  file: BaselineFile;
}

export const BASELINE_SCHEMA = 'rampart.baseline/1';

export function profileOf(bundle: LoadedBundle): string | null {
  return bundle.manifest?.profile ?? null;
}

export function runIdOf(bundle: LoadedBundle): string {
  return bundle.manifest?.runId ?? bundle.dir;
}

/** The per-period figures of one run (pure; pass analyses when already computed). */
export function baselineRunOf(bundle: LoadedBundle, analyses: EndpointAnalysis[] = analyzeEndpoints(bundle)): BaselineRun {
  const endpoints: Record<string, BaselinePeriod[]> = {};
  for (const analysis of analyses) {
    const periods: BaselinePeriod[] = [];
    for (const point of analysis.periods) {
      if (point.latencyMs === null || point.responses === 0) continue;
      periods.push({ start: point.start, responses: point.responses, min: point.latencyMs.min, p50: point.latencyMs.p50, p75: point.latencyMs.p75, p90: point.latencyMs.p90 });
    }
    endpoints[analysis.summary.endpoint] = periods;
  }
  return {
    runId: runIdOf(bundle),
    profile: profileOf(bundle),
    gitRevision: bundle.manifest?.gitRevision ?? null,
    startedAt: bundle.manifest?.startedAt ?? null,
    endpoints,
  };
}

/** The figures of one endpoint in one run that qualify for comparison. */
export function seriesOf(run: BaselineRun, endpoint: string, statistic: ComparisonStatistic, minResponses: number): number[] {
  const periods = run.endpoints[endpoint] ?? [];
  return periods.filter((p) => p.responses >= minResponses).map((p) => p[statistic]);
}

/** A new baseline file with `run` appended and only the newest `keep` runs kept (pure). */
export function withRun(existing: BaselineFile | null, run: BaselineRun, keep: number, now: Date): BaselineFile {
  const runs = [...(existing?.runs ?? []).filter((r) => r.runId !== run.runId), run];
  return {
    schema: BASELINE_SCHEMA,
    profile: run.profile ?? existing?.profile ?? null,
    updatedAt: now.toISOString(),
    runs: runs.slice(Math.max(0, runs.length - keep)),
  };
}

/** Refuses a baseline of another profile (exit 2). */
export function checkProfile(candidateProfile: string | null, baseline: Baseline): void {
  const expected = baseline.file.profile;
  if (expected === null) return;
  if (candidateProfile === null) {
    throw usageError(`${baseline.source}: baseline of profile '${expected}', but the run has no run.json to say its profile; compare bundles made by 'rampart run'`);
  }
  if (candidateProfile !== expected) {
    throw usageError(`${baseline.source}: baseline of profile '${expected}', but the run is profile '${candidateProfile}'; use ci/baselines/${candidateProfile}.json or a baseline of the same profile`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Validates a parsed baseline file; throws a one-line usage error naming what is wrong. */
export function parseBaselineFile(value: unknown, path: string): BaselineFile {
  const corrupt = (what: string) => usageError(`${path}: ${what}; the baseline file is corrupt, restore it from git or rebuild it with --update-baseline`);
  if (!isObject(value) || value.schema !== BASELINE_SCHEMA) throw corrupt(`expected schema '${BASELINE_SCHEMA}'`);
  if (!(value.profile === null || typeof value.profile === 'string')) throw corrupt('"profile" must be text or null');
  if (!Array.isArray(value.runs)) throw corrupt('"runs" must be a list');
  for (const [index, run] of value.runs.entries()) {
    if (!isObject(run) || typeof run.runId !== 'string' || !isObject(run.endpoints)) throw corrupt(`run ${index + 1} needs runId and endpoints`);
    for (const [endpoint, periods] of Object.entries(run.endpoints)) {
      const ok = Array.isArray(periods) && periods.every((p) => isObject(p) && isNumber(p.start) && isNumber(p.responses) && isNumber(p.min) && isNumber(p.p50) && isNumber(p.p75) && isNumber(p.p90));
      if (!ok) throw corrupt(`run ${index + 1}, '${endpoint}': periods need start, responses, min, p50, p75, p90`);
    }
  }
  return value as unknown as BaselineFile;
}

/** Reads a baseline file, or null when it does not exist (any other problem is a usage error). */
export async function readBaselineFile(path: string): Promise<BaselineFile | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw usageError(`${path}: cannot read the baseline (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usageError(`${path}: not valid JSON (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); restore the baseline from git or rebuild it with --update-baseline`);
  }
  return parseBaselineFile(parsed, path);
}

/**
 * A baseline from a path: a baseline file (schema rampart.baseline/1), or else a run bundle
 * (folder or Artillery JSON) used as a one-run baseline.
 */
export async function loadBaseline(path: string): Promise<Baseline> {
  if (path.endsWith('.json')) {
    let text: string | null = null;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw usageError(`${path}: no such baseline; give a baseline file (ci/baselines/<profile>.json) or a bundle folder`);
      if (code !== 'EISDIR') throw usageError(`${path}: cannot read the baseline (${code ?? String(error)})`);
    }
    if (text !== null && /"schema"\s*:\s*"rampart\.baseline\//.test(text.slice(0, 200))) {
      const file = await readBaselineFile(path);
      return { source: path, kind: 'file', file: file! };
    }
  }
  const bundle = await loadBundle(path);
  const run = baselineRunOf(bundle);
  return { source: path, kind: 'bundle', file: { schema: BASELINE_SCHEMA, profile: run.profile, updatedAt: new Date(0).toISOString(), runs: [run] } };
}

/** Several baselines (e.g. several bundle folders) as one: all runs, one profile. */
export function combineBaselines(list: readonly Baseline[]): Baseline {
  if (list.length === 1) return list[0];
  const profiles = new Set(list.map((b) => b.file.profile).filter((p): p is string => p !== null));
  if (profiles.size > 1) throw usageError(`baselines of different profiles (${[...profiles].join(', ')}); give baselines of one profile`);
  return {
    source: list.map((b) => b.source).join(', '),
    kind: list.every((b) => b.kind === 'file') ? 'file' : 'bundle',
    file: { schema: BASELINE_SCHEMA, profile: [...profiles][0] ?? null, updatedAt: new Date().toISOString(), runs: list.flatMap((b) => b.file.runs) },
  };
}

export async function writeBaselineFile(path: string, file: BaselineFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeJsonAtomic(path, file);
}
