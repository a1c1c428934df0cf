// Baselines: what a candidate run is compared with.
//
// A baseline file (ci/baselines/<profile>.json, schema rampart.baseline/1) keeps the per-period
// figures of the newest few runs of one profile on the main branch — several runs, so the gate can
// see how much a result moves from run to run on the same build. It is written only by
// `rampart gate --update-baseline`, atomically. A bundle folder can also serve as a one-run baseline.
//
// Per run, per endpoint key, per 10 s period: responses and the period's min/p50/p75/p90 latency in ms
// (from the exact HDR histograms when the bundle has them). Periods keep their wall-clock start.
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { usageError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/bundle/files.ts';
import { readJsonFile, readSchemaFile, validate } from '../core/bundle/read.ts';
import { analyzeBundle, loadBundle } from '../results/index.ts';
import type { EndpointAnalysis } from '../results/index.ts';
import type { LoadedBundle } from '../core/bundle/types.ts';
import type { ComparisonStatistic } from './slo.ts';
import { BASELINE_FILE_SCHEMA, BASELINE_SCHEMA_ID } from './schemas.ts';

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

export const BASELINE_SCHEMA = BASELINE_SCHEMA_ID;

export function profileOf(bundle: LoadedBundle): string | null {
  return bundle.manifest?.profile ?? null;
}

export function runIdOf(bundle: LoadedBundle): string {
  return bundle.manifest?.runId ?? bundle.dir;
}

/** An endpoint's periods with responses as columns, from the analysis's columns when it keeps them. */
function baselineTable(analysis: EndpointAnalysis): PeriodTable {
  const c = analysis.columns;
  if (c === undefined) {
    const periods: BaselinePeriod[] = [];
    for (const point of analysis.periods) {
      if (point.latencyMs === null || point.responses === 0) continue;
      periods.push({ start: point.start, responses: point.responses, min: point.latencyMs.min, p50: point.latencyMs.p50, p75: point.latencyMs.p75, p90: point.latencyMs.p90 });
    }
    return tableOf(periods);
  }
  const count = c.stat('count');
  const keep: number[] = [];
  for (let i = 0; i < c.length; i++) if (!Number.isNaN(count[i]) && c.responses[i] !== 0) keep.push(i);
  const pick = (values: Float64Array): Float64Array => Float64Array.from(keep, (i) => values[i]);
  return { start: pick(c.start), responses: pick(c.responses), min: pick(c.stat('min')), p50: pick(c.stat('p50')), p75: pick(c.stat('p75')), p90: pick(c.stat('p90')) };
}

/**
 * An endpoint's periods made on each access (an own, enumerable property: JSON, comparisons and
 * Object.keys see it), so a long run's periods exist as objects one endpoint at a time.
 */
function onAccess(endpoints: Record<string, BaselinePeriod[]>, key: string, make: () => BaselinePeriod[]): void {
  Object.defineProperty(endpoints, key, { enumerable: true, configurable: true, get: make });
}

const FIELDS = ['start', 'responses', 'min', 'p50', 'p75', 'p90'] as const;

/** One endpoint's periods in one run as columns of numbers, one entry per period. */
export type PeriodTable = Record<(typeof FIELDS)[number], Float64Array>;

/** The columns behind the runs made here (compactRun, baselineRunOf), by their endpoints record. */
const TABLES = new WeakMap<Record<string, BaselinePeriod[]>, Map<string, () => PeriodTable>>();

function tableOf(periods: readonly BaselinePeriod[]): PeriodTable {
  const entries = FIELDS.map((field) => [field, Float64Array.from(periods, (p) => p[field])] as const);
  return Object.fromEntries(entries) as PeriodTable;
}

/**
 * An endpoint's periods in a run as columns: the stored columns when the run keeps them (no objects
 * made), else built from its period objects. Null when the run has no such endpoint.
 */
export function periodTable(run: BaselineRun, endpoint: string): PeriodTable | null {
  const stored = TABLES.get(run.endpoints)?.get(endpoint);
  if (stored !== undefined) return stored();
  return Object.hasOwn(run.endpoints, endpoint) ? tableOf(run.endpoints[endpoint]) : null;
}

function register(endpoints: Record<string, BaselinePeriod[]>, key: string, table: () => PeriodTable): void {
  let tables = TABLES.get(endpoints);
  if (tables === undefined) TABLES.set(endpoints, (tables = new Map<string, () => PeriodTable>()));
  tables.set(key, table);
  onAccess(endpoints, key, () => {
    const { start, responses, min, p50, p75, p90 } = table();
    const out: BaselinePeriod[] = new Array<BaselinePeriod>(start.length);
    for (let i = 0; i < start.length; i++) out[i] = { start: start[i], responses: responses[i], min: min[i], p50: p50[i], p75: p75[i], p90: p90[i] };
    return out;
  });
}

/**
 * The same run with each endpoint's periods held as columns of numbers and made into objects on
 * access (a stored baseline run of 24 h x 40 endpoints: about 17 MB instead of 55 MB).
 */
export function compactRun(run: BaselineRun): BaselineRun {
  const endpoints: Record<string, BaselinePeriod[]> = {};
  for (const key of Object.keys(run.endpoints)) {
    const table = tableOf(run.endpoints[key]);
    register(endpoints, key, () => table);
  }
  return { ...run, endpoints };
}

/**
 * The per-period figures of one run (pure; pass the analysed endpoints when already computed). Each
 * endpoint's periods are made from the analysis on access.
 */
export function baselineRunOf(bundle: LoadedBundle, analyses: readonly EndpointAnalysis[] = analyzeBundle(bundle).endpoints): BaselineRun {
  const endpoints: Record<string, BaselinePeriod[]> = {};
  for (const analysis of analyses) register(endpoints, analysis.summary.endpoint, () => baselineTable(analysis));
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
  const table = periodTable(run, endpoint);
  if (table === null) return [];
  const values: number[] = [];
  const column = table[statistic];
  for (let i = 0; i < column.length; i++) if (table.responses[i] >= minResponses) values.push(column[i]);
  return values;
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

/** Validates a parsed baseline file (BASELINE_FILE_SCHEMA); a one-line usage error naming the field otherwise. */
export function parseBaselineFile(value: unknown, path: string): BaselineFile {
  return validate(BASELINE_FILE_SCHEMA, value, path);
}

/** Reads a baseline file (its runs compact, see compactRun), or null when it does not exist (any other problem is a usage error). */
export async function readBaselineFile(path: string): Promise<BaselineFile | null> {
  const file = await readSchemaFile(path, BASELINE_FILE_SCHEMA, { optional: true });
  return file === null ? null : { ...file, runs: file.runs.map(compactRun) };
}

/**
 * A baseline from a path: a baseline file (schema rampart.baseline/1), or else a run bundle
 * (folder or Artillery JSON) used as a one-run baseline.
 */
export async function loadBaseline(path: string, refuse?: (bundle: LoadedBundle, analyses: readonly EndpointAnalysis[]) => string | null): Promise<Baseline> {
  if (path.endsWith('.json') && !(await isFolder(path))) {
    const value = await readJsonFile(path, 'a baseline', { missing: 'give a baseline file (ci/baselines/<profile>.json) or a bundle folder' });
    const declared = (value as { schema?: unknown } | null)?.schema;
    if (typeof declared === 'string' && declared.startsWith('rampart.baseline/')) {
      const file = parseBaselineFile(value, path);
      return { source: path, kind: 'file', file: { ...file, runs: file.runs.map(compactRun) } };
    }
  }
  const bundle = await loadBundle(path);
  const analyses = analyzeBundle(bundle).endpoints;
  const reason = refuse?.(bundle, analyses) ?? null;
  if (reason !== null) throw usageError(`${path}: cannot serve as a baseline: ${reason}; give a trustworthy run of the same build`);
  const run = baselineRunOf(bundle, analyses);
  return { source: path, kind: 'bundle', file: { schema: BASELINE_SCHEMA, profile: run.profile, updatedAt: new Date(0).toISOString(), runs: [run] } };
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
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

/**
 * The baseline file's text: indented JSON with each period on one line (a 24-hour run has 8 640
 * periods per endpoint; one line each keeps the file half the size and its diffs readable).
 */
export function baselineText(file: BaselineFile): string {
  const text = JSON.stringify(file, null, 2).replace(/\{\n\s+"start": [^{}[\]]*?\n\s+\}/g, (period) => period.replace(/\n\s*/g, ' '));
  return `${text}\n`;
}

export async function writeBaselineFile(path: string, file: BaselineFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, baselineText(file));
}
