// The run bundle on disk: reads a bundle folder (or a plain `artillery run --output` file) into a
// LoadedBundle, every file through src/core/bundle/read.ts (one-line errors naming the file and the
// field). histograms.json is only opened here: its periods are streamed when the bundle is analysed
// (./analysis.ts), so loading costs the same for a 10-minute run and a 24-hour one.
//
// A path to a file named artillery.json is read as the bundle folder that holds it, so
// `rampart report reports/x/artillery.json` sees the histograms written beside it. Any other JSON
// file is a plain Artillery output: manifest and generator are null and `dir` is the file's folder.
// When there is no histograms.json but Artillery's output carries the measurement plugin's counters
// (every run with the plugin does, a merged run-fargate output included), the histograms are rebuilt
// from them (./counter-histograms.ts).
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { SchemaObject } from 'ajv';
import { fileError, systemErrorCode, usageError } from '../core/errors.ts';
import { BUNDLE_FILES } from '../core/bundle/types.ts';
import type { ArtilleryOutput, ArtilleryPeriod, LoadedBundle } from '../core/bundle/types.ts';
import { bundleFile, fileExists } from '../core/bundle/files.ts';
import { readBundleFile, readJsonFile, validate } from '../core/bundle/read.ts';
import { mapOf } from '../core/bundle/schemas.ts';
import type { BundleSchema } from '../core/bundle/schemas.ts';
import { openHistogramFile } from '../core/bundle/histogram-read.ts';
import { histogramsFromCounters } from './counter-histograms.ts';

// Every figure Rampart reads is checked: a counter, rate or summary of the wrong type is refused
// (naming the field) instead of being left out of the sums, which would report other figures; a
// summary's statistic may be null (JSON's NaN: a summary of no values).
const numbers = mapOf({ type: 'number' });
const summaries = mapOf(mapOf({ type: ['number', 'null'] }));
const time = { type: 'number' } as const;
const artilleryPeriod: SchemaObject = {
  type: 'object',
  properties: {
    counters: numbers, rates: numbers, summaries, histograms: summaries, period: { type: ['number', 'string'] },
    firstCounterAt: time, firstHistogramAt: time, lastCounterAt: time, lastHistogramAt: time, firstMetricAt: time, lastMetricAt: time,
  },
};

/** Artillery's --output JSON: only what Rampart relies on (Artillery omits empty sections). */
const ARTILLERY_OUTPUT: BundleSchema<{ aggregate: Record<string, unknown>; intermediate?: unknown[] }> = {
  what: "Artillery's --output JSON",
  advice: "not an Artillery --output file; produce one with 'artillery run --output FILE'",
  schema: { type: 'object', required: ['aggregate'], properties: { aggregate: artilleryPeriod, intermediate: { type: 'array', items: artilleryPeriod } } },
};

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

/** Validates Artillery's --output JSON and fills its omitted sections; a one-line usage error otherwise. */
export function parseArtilleryOutput(value: unknown, path: string): ArtilleryOutput {
  const output = validate(ARTILLERY_OUTPUT, value, path);
  return {
    aggregate: normalisePeriod(output.aggregate),
    intermediate: (output.intermediate ?? []).filter(isObject).map(normalisePeriod),
  };
}

const readArtillery = async (path: string): Promise<ArtilleryOutput> =>
  parseArtilleryOutput(await readJsonFile(path, ARTILLERY_OUTPUT.what, { missing: "give a bundle folder or an 'artillery run --output' JSON file" }), path);


/**
 * Loads a bundle folder, or a plain `artillery run --output` JSON file, into a LoadedBundle.
 * Throws RampartError (exit 2) with one line naming the bad file.
 */
export async function loadBundle(pathToDirOrArtilleryJson: string): Promise<LoadedBundle> {
  const path = resolve(pathToDirOrArtilleryJson);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if (systemErrorCode(error) !== 'ENOENT') throw fileError(error, pathToDirOrArtilleryJson, 'open the bundle');
    throw usageError(`${pathToDirOrArtilleryJson}: no such bundle folder or file; give reports/<run-id>/ or an 'artillery run --output' JSON file`);
  }
  if (info.isFile() && basename(path) !== BUNDLE_FILES.artillery) {
    const artillery = await readArtillery(path);
    return { dir: dirname(path), manifest: null, artillery, histograms: histogramsFromCounters(artillery), generator: null, resources: null, statements: null };
  }
  const dir = info.isFile() ? dirname(path) : path;
  const artilleryPath = bundleFile(dir, 'artillery');
  if (!(await fileExists(artilleryPath))) {
    throw usageError(`${dir}: not a run bundle (no ${BUNDLE_FILES.artillery}); the run may not have finished, or give the right folder`);
  }
  const artillery = await readArtillery(artilleryPath);
  const manifest = await readBundleFile(bundleFile(dir, 'run'), 'run', { optional: true });
  const histogramsPath = bundleFile(dir, 'histograms');
  const histograms = (await fileExists(histogramsPath)) ? await openHistogramFile(histogramsPath) : histogramsFromCounters(artillery);
  const generator = await readBundleFile(bundleFile(dir, 'generator'), 'generator', { optional: true });
  const resources = await readBundleFile(bundleFile(dir, 'resources'), 'resources', { optional: true });
  const statements = await readBundleFile(bundleFile(dir, 'statements'), 'statements', { optional: true });
  return { dir, manifest, artillery, histograms, generator, resources, statements };
}
