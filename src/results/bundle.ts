// The run bundle on disk: the one module that knows its file names and how to read and write them.
//
// Input:  a bundle folder (reports/<runId>/) or a plain `artillery run --output` JSON file.
// Output: a LoadedBundle (src/results/types.ts). Absent optional files are null; a missing,
//         empty or corrupt file is a RampartError (exit 2) naming the file and what to do.
//
// A path to a file named artillery.json is read as the bundle folder that holds it, so
// `rampart report reports/x/artillery.json` sees the histograms written beside it. Any other JSON
// file is a plain Artillery output: manifest, histograms and generator are null and `dir` is the
// file's folder.
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { usageError } from '../core/errors.ts';
import { BUNDLE_FILES } from '../core/bundle/types.ts';
import { bundleFile } from '../core/bundle/files.ts';
import type {
  ArtilleryOutput,
  ArtilleryPeriod,
  GeneratorFile,
  HistogramFile,
  LoadedBundle,
  RunManifest,
} from '../core/bundle/types.ts';

type Json = unknown;

async function readJson(path: string, what: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usageError(`${path}: no such file; give a bundle folder or an 'artillery run --output' JSON file`);
    if (code === 'EISDIR') throw usageError(`${path}: is a folder, expected ${what}`);
    throw usageError(`${path}: cannot read ${what} (${code ?? String(error)})`);
  }
  if (text.trim() === '') throw usageError(`${path}: file is empty, expected ${what}; the run may have been interrupted, run it again`);
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw usageError(`${path}: not valid JSON (${detail}); expected ${what}`);
  }
}

async function readOptionalJson(path: string, what: string): Promise<Json | null> {
  try {
    await stat(path);
  } catch {
    return null;
  }
  return readJson(path, what);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function numberRecord(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObject(value)) return out;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  return out;
}

function normalisePeriod(value: Record<string, unknown>): ArtilleryPeriod {
  // Artillery omits empty sections; default them so readers need no guards.
  const period: ArtilleryPeriod = {
    ...(value as Partial<ArtilleryPeriod>),
    counters: numberRecord(value.counters),
    rates: numberRecord(value.rates),
    summaries: isObject(value.summaries) ? (value.summaries as ArtilleryPeriod['summaries']) : {},
  };
  if (typeof period.period === 'string' && /^\d+$/.test(period.period)) period.period = Number(period.period);
  return period;
}

/** Validates the shape of Artillery's --output JSON; throws a one-line usage error otherwise. */
export function parseArtilleryOutput(value: unknown, path: string): ArtilleryOutput {
  if (!isObject(value) || !isObject(value.aggregate)) {
    throw usageError(`${path}: not an Artillery --output file (no "aggregate" object); produce one with 'artillery run --output FILE'`);
  }
  const intermediate = Array.isArray(value.intermediate) ? value.intermediate : [];
  return {
    aggregate: normalisePeriod(value.aggregate),
    intermediate: intermediate.filter(isObject).map(normalisePeriod),
  };
}

function checkSchema<T>(value: unknown, schema: string, path: string): T {
  if (!isObject(value) || value.schema !== schema) {
    const found = isObject(value) && typeof value.schema === 'string' ? `'${value.schema}'` : 'none';
    throw usageError(`${path}: expected schema '${schema}', found ${found}; the file is corrupt or from another tool`);
  }
  return value as T;
}

function checkHistograms(value: unknown, path: string): HistogramFile {
  const file = checkSchema<HistogramFile>(value, 'rampart.histograms/1', path);
  if (!isObject(file.endpoints) || !isObject(file.metrics)) {
    throw usageError(`${path}: "endpoints" and "metrics" must be objects; the file is corrupt, run again`);
  }
  for (const [key, periods] of [...Object.entries(file.endpoints), ...Object.entries(file.metrics)]) {
    if (!Array.isArray(periods) || periods.some((p) => !isObject(p) || typeof p.start !== 'number' || typeof p.histogram !== 'string')) {
      throw usageError(`${path}: periods of '${key}' are malformed (need start and histogram); the file is corrupt, run again`);
    }
  }
  return file;
}

function checkGenerator(value: unknown, path: string): GeneratorFile {
  const file = checkSchema<GeneratorFile>(value, 'rampart.generator/1', path);
  if (!Array.isArray(file.periods) || !isObject(file.trust) || typeof file.trust.trustworthy !== 'boolean') {
    throw usageError(`${path}: "periods" or "trust" missing; the file is corrupt, run again`);
  }
  return file;
}

/**
 * Loads a bundle folder, or a plain `artillery run --output` JSON file, into a LoadedBundle.
 * Throws RampartError (exit 2) with one line naming the bad file.
 */
export async function loadBundle(pathToDirOrArtilleryJson: string): Promise<LoadedBundle> {
  const path = resolve(pathToDirOrArtilleryJson);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw usageError(`${pathToDirOrArtilleryJson}: no such bundle folder or file; give reports/<run-id>/ or an 'artillery run --output' JSON file`);
  }
  if (info.isFile() && basename(path) !== BUNDLE_FILES.artillery) {
    const artillery = parseArtilleryOutput(await readJson(path, "Artillery's --output JSON"), path);
    return { dir: dirname(path), manifest: null, artillery, histograms: null, generator: null };
  }
  const dir = info.isFile() ? dirname(path) : path;
  const artilleryPath = bundleFile(dir, 'artillery');
  try {
    await stat(artilleryPath);
  } catch {
    throw usageError(`${dir}: not a run bundle (no ${BUNDLE_FILES.artillery}); the run may not have finished, or give the right folder`);
  }
  const artillery = parseArtilleryOutput(await readJson(artilleryPath, "Artillery's --output JSON"), artilleryPath);
  const manifestPath = bundleFile(dir, 'run');
  const manifestJson = await readOptionalJson(manifestPath, 'the run manifest');
  const manifest = manifestJson === null ? null : checkSchema<RunManifest>(manifestJson, 'rampart.run/1', manifestPath);
  const histogramsPath = bundleFile(dir, 'histograms');
  const histogramsJson = await readOptionalJson(histogramsPath, "the measurement plugin's histograms");
  const histograms = histogramsJson === null ? null : checkHistograms(histogramsJson, histogramsPath);
  const generatorPath = bundleFile(dir, 'generator');
  const generatorJson = await readOptionalJson(generatorPath, "the measurement plugin's generator health");
  const generator = generatorJson === null ? null : checkGenerator(generatorJson, generatorPath);
  return { dir, manifest, artillery, histograms, generator };
}
