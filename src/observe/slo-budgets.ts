// The SLO budgets the alert rules need, read from the files the gate reads (ci/slo/defaults.yml, then
// ci/slo/<profile>.yml), merged the way the gate merges them: later files override metric by metric,
// null switches a budget off. The gate validates these files strictly (src/gate/slo.ts);
// test/observe/rules.test.ts checks that this reader and the gate's agree on every budget.
import path from 'node:path';
import { usageError } from '../core/errors.ts';
import { fileExists } from '../core/bundle/files.ts';
import { isRecord, readYamlFile } from '../compose/yaml.ts';

/** metric -> limit (ms for latencies, a fraction for errorRate); null: switched off. */
export type Limits = Record<string, number | null>;

export interface ProfileBudgets {
  profile: string;
  /** the SLO files read, in order (relative to the suite) */
  sources: string[];
  defaults: Limits;
  endpoints: Record<string, Limits>;
  run: Limits;
}

function limits(value: unknown, where: string): Limits {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw usageError(`${where} must be a mapping of metric: number`);
  const out: Limits = {};
  for (const [metric, limit] of Object.entries(value)) {
    if (limit !== null && (typeof limit !== 'number' || !Number.isFinite(limit))) throw usageError(`${where}.${metric} must be a number or null`);
    out[metric] = limit;
  }
  return out;
}

/** Merge parsed SLO documents: later ones override earlier ones metric by metric (pure). */
export function mergeBudgets(profile: string, docs: readonly { source: string; doc: unknown }[]): ProfileBudgets {
  const merged: ProfileBudgets = { profile, sources: [], defaults: {}, endpoints: {}, run: {} };
  for (const { source, doc } of docs) {
    merged.sources.push(source);
    if (doc === null || doc === undefined) continue;
    if (!isRecord(doc)) throw usageError(`${source}: must be a mapping`);
    Object.assign(merged.defaults, limits(doc.defaults, `${source}: defaults`));
    Object.assign(merged.run, limits(doc.run, `${source}: run`));
    const endpoints = doc.endpoints ?? {};
    if (!isRecord(endpoints)) throw usageError(`${source}: endpoints must be a mapping`);
    for (const [key, value] of Object.entries(endpoints)) {
      merged.endpoints[key] = { ...(merged.endpoints[key] ?? {}), ...limits(value, `${source}: endpoints.${key}`) };
    }
  }
  return merged;
}

async function readDefaults(sloDir: string, root: string): Promise<{ source: string; doc: unknown }> {
  const file = path.join(sloDir, 'defaults.yml');
  return { source: path.relative(root, file), doc: await readYamlFile(file, root) };
}

/** defaults.yml alone: the global budgets (the platform's alerts use its run budgets). */
export async function loadDefaultBudgets(sloDir: string, root: string): Promise<ProfileBudgets> {
  return mergeBudgets('defaults', [await readDefaults(sloDir, root)]);
}

/** The budgets of each profile: defaults.yml, then <profile>.yml when it exists. */
export async function loadBudgets(sloDir: string, profiles: readonly string[], root: string): Promise<ProfileBudgets[]> {
  const defaults = await readDefaults(sloDir, root);
  const out: ProfileBudgets[] = [];
  for (const profile of profiles) {
    const file = path.join(sloDir, `${profile}.yml`);
    const docs = [defaults];
    if (await fileExists(file)) docs.push({ source: path.relative(root, file), doc: await readYamlFile(file, root) });
    out.push(mergeBudgets(profile, docs));
  }
  return out;
}
