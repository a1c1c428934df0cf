// `rampart report` as a library: reads a bundle (folder or plain `artillery run --output` JSON),
// writes report.html, summary.md and junit.xml into the bundle's folder or `outDir`.
//
// Input:  a bundle path; optionally a GateResult (else the bundle's gate.json, if any).
// Output: the three files, plus `.rampart-report.json`, which records which bundle the reports in
//         that folder belong to. Reports of another bundle are never overwritten without `force`.
// Errors: RampartError (exit 2): missing/corrupt bundle or gate.json, zero requests, a folder that
//         holds another bundle's reports. Nothing is written unless all three render.
import { readFile, mkdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { onFile, usageError } from '../core/errors.ts';
import { readJsonFile, readSchemaFile } from '../core/bundle/read.ts';
import { GATE_RESULT_SCHEMA } from '../core/bundle/gate-schema.ts';
import { BUNDLE_FILES } from '../core/bundle/types.ts';
import type { GateResult, LoadedBundle } from '../core/bundle/types.ts';
import { checkReplaceable, fileExists, writeFileAtomic } from '../core/bundle/files.ts';
import { analyzeBundle, loadBundle } from '../results/index.ts';
import type { BundleAnalysis } from '../results/index.ts';
import { buildReportModel } from './build.ts';
import type { ChartAssets } from './html.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { renderJunit } from './junit.ts';


export interface WriteReportsOptions {
  /** Folder for the three files (created if missing); default: the bundle's folder. */
  outDir?: string;
  /** The gate's result to show; default: the bundle's gate.json when there is one. */
  gate?: GateResult;
  /** Overwrite reports that belong to another bundle. */
  force?: boolean;
  /** Apdex threshold T in ms (ignored with `analysis`). */
  apdexTMs?: number;
  /** The bundle, already loaded from the path (the gate's), so it is not read again. */
  bundle?: LoadedBundle;
  /** Its analysis, already made (the gate's), so the endpoints are not analysed again. */
  analysis?: BundleAnalysis;
}

export interface WrittenReports {
  html: string;
  markdown: string;
  junit: string;
}

/** Records which bundle the reports in a folder were made from. */
export const REPORT_SOURCE_FILE = '.rampart-report.json';

interface ReportSource {
  schema: 'rampart.report-source/1';
  source: string; // real path of the bundle folder, or of the plain Artillery JSON file
  writtenAt: string;
}

/** The gate result stored in a bundle (gate.json), or null when there is none. */
export async function readGateResult(path: string): Promise<GateResult | null> {
  return readSchemaFile(path, GATE_RESULT_SCHEMA, { optional: true });
}

/** uPlot's script and stylesheet (from the installed package) and the page's own, read at render time. */
export async function loadChartAssets(): Promise<ChartAssets> {
  const require = createRequire(import.meta.url);
  const asset = (name: string): string => join(import.meta.dirname, 'assets', name);
  const [uplotJs, uplotCss, pageJs, pageCss] = await Promise.all([
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    readFile(asset('report.js'), 'utf8'),
    readFile(asset('report.css'), 'utf8'),
  ]);
  return { uplotJs, uplotCss, pageJs, pageCss };
}


/** Whether the input is a plain `artillery run --output` file (not a bundle folder or its artillery.json). */
export async function isPlainArtilleryFile(input: string): Promise<boolean> {
  const path = resolve(input);
  return (await stat(path)).isFile() && basename(path) !== BUNDLE_FILES.artillery;
}

/** The identity of a bundle for the overwrite rule: its folder, or the plain Artillery file itself. */
export async function sourceIdentity(input: string, bundle: LoadedBundle): Promise<string> {
  if (await isPlainArtilleryFile(input)) return realpath(resolve(input));
  return realpath(bundle.dir);
}

/** Writes the record naming the source of the reports (and gate.json) in a folder. */
export async function recordSource(outDir: string, identity: string): Promise<void> {
  const path = join(outDir, REPORT_SOURCE_FILE);
  const record: ReportSource = { schema: 'rampart.report-source/1', source: identity, writtenAt: new Date().toISOString() };
  await checkReplaceable(path, 'write the report');
  await onFile(path, 'write the report (choose a writable --out folder)', () => writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`));
}

/**
 * The gate result a report shows by default: a bundle's own gate.json; for a plain Artillery file,
 * the gate.json of the output folder or of the file's folder whose record names that file (another
 * file's verdict in the same folder is never shown).
 */
async function storedGateResult(input: string, bundle: LoadedBundle, outDir: string): Promise<GateResult | null> {
  if (!(await isPlainArtilleryFile(input))) return readGateResult(join(bundle.dir, BUNDLE_FILES.gate));
  const identity = await sourceIdentity(input, bundle);
  for (const dir of new Set([outDir, dirname(resolve(input))])) {
    if ((await readSource(dir)) === identity) {
      const gate = await readGateResult(join(dir, BUNDLE_FILES.gate));
      if (gate !== null) return gate;
    }
  }
  return null;
}

async function readSource(outDir: string): Promise<string | null> {
  try {
    const value = (await readJsonFile(join(outDir, REPORT_SOURCE_FILE), 'the reports\' source record')) as { source?: unknown } | null;
    return typeof value?.source === 'string' ? value.source : null;
  } catch {
    return null;
  }
}

/**
 * The overwrite rule. Reports already in `outDir` are replaced only when they belong to the same
 * bundle: the folder's .rampart-report.json names it, or (no record) the folder is that bundle's
 * own folder. Otherwise refuse, unless forced.
 */
export async function checkOverwrite(outDir: string, identity: string, force: boolean): Promise<void> {
  if (force) return;
  const names = [BUNDLE_FILES.report, BUNDLE_FILES.summary, BUNDLE_FILES.junit, BUNDLE_FILES.gate];
  const present = [];
  for (const name of names) if (await fileExists(join(outDir, name))) present.push(name);
  if (present.length === 0) return;
  const recorded = await readSource(outDir);
  if (recorded === identity) return;
  const realOut = await realpath(outDir);
  if (recorded === null && realOut === identity) return;
  const owner = recorded === null ? 'an unknown run' : recorded;
  throw usageError(`${outDir}: already holds ${present.join(', ')} of ${owner}; choose another --out folder or pass --force to overwrite`);
}

/** Reads the bundle, renders the three reports and writes them; returns their paths. */
export async function writeReports(bundlePathOrFile: string, options: WriteReportsOptions = {}): Promise<WrittenReports> {
  const bundle = options.bundle ?? (await loadBundle(bundlePathOrFile));
  const analysis = options.analysis ?? analyzeBundle(bundle, { apdexTMs: options.apdexTMs });
  if (analysis.run.summary.requests === 0) {
    throw usageError(`${bundlePathOrFile}: the run made no requests, so there is nothing to report; check that the target was reachable and the phases ran`);
  }
  const outDir = resolve(options.outDir ?? bundle.dir);
  const gate = options.gate ?? (await storedGateResult(bundlePathOrFile, bundle, outDir));
  const plain = await isPlainArtilleryFile(bundlePathOrFile);
  const model = buildReportModel(bundle, { gate, analysis, ...(plain ? { sourceName: basename(bundlePathOrFile) } : {}) });
  const assets = await loadChartAssets();
  const texts = {
    html: renderHtml(model, assets),
    markdown: renderMarkdown(model),
    junit: renderJunit(model),
  };

  await onFile(outDir, `create the reports' folder${options.outDir === undefined ? '' : ' (--out)'}`, () => mkdir(outDir, { recursive: true }));
  const identity = await sourceIdentity(bundlePathOrFile, bundle);
  await checkOverwrite(outDir, identity, options.force === true);

  const paths: WrittenReports = {
    html: join(outDir, BUNDLE_FILES.report),
    markdown: join(outDir, BUNDLE_FILES.summary),
    junit: join(outDir, BUNDLE_FILES.junit),
  };
  const record: ReportSource = { schema: 'rampart.report-source/1', source: identity, writtenAt: new Date().toISOString() };
  const writes: [string, string][] = [[join(outDir, REPORT_SOURCE_FILE), `${JSON.stringify(record, null, 2)}\n`], [paths.html, texts.html], [paths.markdown, texts.markdown], [paths.junit, texts.junit]];
  // every file checked before the first is written: a folder named report.html stops the report before anything changes
  for (const [path] of writes) await checkReplaceable(path, 'write the report');
  for (const [path, text] of writes) await onFile(path, 'write the report (choose a writable --out folder)', () => writeFileAtomic(path, text));
  return paths;
}
