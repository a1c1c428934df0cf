// `rampart gate <bundle> [<bundle>...] [--baseline <bundle-or-file>]... [--update-baseline]
//               [--repeat N [--target URL]] [--slo FILE]... [--no-report]`
//
// Input:  one or more bundles of the same build (the first is the run judged against the SLOs; all
//         of them are evidence for the comparison), SLO files, a baseline.
// Output: gate.json in the first bundle's folder (a plain Artillery file's folder, or --out DIR), the reports re-rendered with the verdict, and a
//         summary on stdout. Exit 0 pass, 1 SLO breached or SLOWER (each named), 2 bad input,
//         3 the run cannot be trusted (with the reason).
//
// Defaults: SLOs from ci/slo/defaults.yml then ci/slo/<profile>.yml; baseline ci/baselines/<profile>.json
// (when it exists; without a baseline only the SLOs are checked). `--update-baseline` appends the run
// to the baseline file (keeping the newest `comparison.baselineRuns`), atomically; without it no
// baseline is ever written. `--repeat N`: while some endpoint is UNKNOWN for lack of evidence, run the
// bundle's profile again (`rampart run`'s executeRun with the bundle's run.json, at most N more times,
// against --target or a platform it starts) and judge all runs together.
import { mkdir, stat } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dirname, join, resolve } from 'node:path';
import { parseCommand } from '../core/command.ts';
import type { CommandSpec, FlagSpec } from '../core/command.ts';
import { EXIT, onFile, RampartError, usageError } from '../core/errors.ts';
import { BUNDLE_FILES } from '../core/bundle/types.ts';
import type { GateResult, LoadedBundle } from '../core/bundle/types.ts';
import { bundleFile, checkReplaceable, fileExists, writeJsonAtomic } from '../core/bundle/files.ts';
import { analyzeBundle, loadBundle } from '../results/index.ts';
import type { EndpointAnalysis } from '../results/index.ts';
import { baselineRunOf, combineBaselines, loadBaseline, profileOf, readBaselineFile, withRun, writeBaselineFile } from './baseline.ts';
import type { Baseline } from './baseline.ts';
import { assessTrust, evaluate, runTotals, undecided } from './evaluate.ts';
import type { AnalysedRun } from './evaluate.ts';
import { loadSlo } from './slo.ts';
import type { SloConfig } from './slo.ts';
import { formatGateResult } from './format.ts';
import { checkName, DEFAULT_BASELINE_DIR, DEFAULT_SLO_DIR, suiteDir } from '../core/paths.ts';
import { checkSloEndpoints, suiteEndpointKeys } from './slo-endpoints.ts';
import { rerunWithRampart } from './rerun.ts';
import { readEnsureChecks } from './ensure-console.ts';
import type { Rerun } from './rerun.ts';

export type { Rerun } from './rerun.ts';


export interface GateOptions {
  bundles: string[];
  baselines: string[];
  sloFiles: string[];
  updateBaseline: boolean;
  repeat: number;
  report: boolean;
  sloDir: string;
  baselineDir: string;
  /** Folder for gate.json and the reports (default: the bundle's folder, or the plain file's). */
  out?: string;
  /** Target of --repeat runs (default: they start their own platform). */
  target?: string;
}

export const GATE_COMMAND = {
  name: 'gate',
  arguments: '<bundle> [<bundle>...]',
  summary: 'Judge a run against its SLO budgets and a baseline: exit 0 pass, 1 breach or regression, 2 bad input, 3 untrustworthy run.',
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  flags: {
    baseline: { type: 'string', multiple: true, value: 'FILE|BUNDLE', description: 'baseline file or bundle folder (default ci/baselines/<profile>.json)' },
    'update-baseline': { type: 'boolean', description: 'append the run(s) to the baseline file' },
    repeat: { type: 'string', value: 'N', description: 'run the profile again, up to N more times, while an endpoint is undecided' },
    target: { type: 'string', value: 'URL', description: 'platform for --repeat runs (default: start one)' },
    slo: { type: 'string', multiple: true, value: 'FILE', description: 'SLO file (default ci/slo/defaults.yml then ci/slo/<profile>.yml)' },
    out: { type: 'string', value: 'DIR', description: 'folder for gate.json and the reports (default: the bundle\'s folder; for a plain Artillery file, its folder)' },
    'no-report': { type: 'boolean', description: 'do not re-render the report with the verdict' },
  },
} as const satisfies CommandSpec<Record<string, FlagSpec>>;

/** The command line: options, or the help text for --help. Throws a usage error (exit 2). */
export function parseGateCommand(argv: readonly string[]): { help: true; text: string } | { help: false; options: GateOptions } {
  const parsed = parseCommand(GATE_COMMAND, argv);
  if (parsed.help) return parsed;
  const { values, positionals } = parsed;
  let repeat = 0;
  if (values.repeat !== undefined) {
    repeat = Number(values.repeat);
    if (!Number.isInteger(repeat) || repeat < 0 || repeat > 20) throw usageError(`--repeat must be a whole number of extra runs from 0 to 20, got '${values.repeat}'`);
  }
  return {
    help: false,
    options: {
      bundles: positionals,
      baselines: values.baseline ?? [],
      sloFiles: values.slo ?? [],
      updateBaseline: values['update-baseline'] === true,
      repeat,
      report: values['no-report'] !== true,
      sloDir: process.env.RAMPART_SLO_DIR ?? DEFAULT_SLO_DIR,
      baselineDir: process.env.RAMPART_BASELINE_DIR ?? DEFAULT_BASELINE_DIR,
      ...(values.target === undefined ? {} : { target: values.target }),
      ...(values.out === undefined ? {} : { out: values.out }),
    },
  };
}

/** The options of a command line that is not --help (see parseGateCommand). */
export function parseGateArgs(argv: readonly string[]): GateOptions {
  const parsed = parseGateCommand(argv);
  if (parsed.help) throw usageError(`rampart gate: --help is not an option here; ${GATE_COMMAND.arguments}`);
  return parsed.options;
}


/** The SLO files that apply: --slo files as given, else defaults.yml then <profile>.yml. */
export async function sloFilesFor(options: GateOptions, profile: string | null): Promise<string[]> {
  if (options.sloFiles.length > 0) return options.sloFiles;
  // a mistyped RAMPART_SLO_DIR would otherwise judge the run against no budgets at all
  const isFolder = await stat(options.sloDir).then((info) => info.isDirectory(), () => false);
  if (!isFolder) throw usageError(`${options.sloDir}: not a folder of SLO files (RAMPART_SLO_DIR, default ci/slo); give a folder holding defaults.yml or pass --slo FILE`);
  const files: string[] = [];
  const defaults = join(options.sloDir, 'defaults.yml');
  if (await fileExists(defaults)) files.push(defaults);
  const own = profile === null ? null : join(options.sloDir, `${checkName(profile, "the run's profile (run.json)")}.yml`);
  if (own !== null && (await fileExists(own))) files.push(own);
  return files;
}

export function defaultBaselinePath(options: GateOptions, profile: string): string {
  return join(options.baselineDir, `${checkName(profile, "the run's profile (run.json)")}.json`);
}

/**
 * Where gate.json goes: the bundle's folder, or (for a plain Artillery file, or with --out) the
 * output folder, which must not hold another run's reports or verdict (src/report/index.ts's
 * overwrite rule). Checked before anything is written; `claim` records the folder's source.
 */
async function gateDestination(options: GateOptions, primary: LoadedBundle): Promise<{ path: string; claim: () => Promise<void> }> {
  const given = options.bundles[0];
  const { checkOverwrite, isPlainArtilleryFile, recordSource, sourceIdentity } = await import('../report/index.ts');
  const plain = await isPlainArtilleryFile(given);
  if (!plain && options.out === undefined) return { path: bundleFile(primary.dir, 'gate'), claim: () => Promise.resolve() };
  const dir = resolve(options.out ?? dirname(resolve(given)));
  await onFile(dir, `create the gate's folder${options.out === undefined ? '' : ' (--out)'}`, () => mkdir(dir, { recursive: true }));
  const identity = await sourceIdentity(given, primary);
  await checkOverwrite(dir, identity, false);
  return { path: join(dir, BUNDLE_FILES.gate), claim: () => recordSource(dir, identity) };
}

/** SLO endpoint keys must name something measured or a scenario's request (./slo-endpoints.ts). */
async function checkSloKeys(slo: SloConfig, runs: readonly AnalysedRun[], baseline: Baseline | null): Promise<void> {
  const known = new Set<string>();
  for (const run of runs) for (const endpoint of run.analysis.endpoints) known.add(endpoint.summary.endpoint);
  for (const run of baseline?.file.runs ?? []) for (const key of Object.keys(run.endpoints)) known.add(key);
  if (Object.keys(slo.endpoints).every((key) => known.has(key))) return;
  for (const key of await suiteEndpointKeys(suiteDir())) known.add(key);
  checkSloEndpoints(slo, known);
}

export interface GateOutcome {
  result: GateResult;
  /** the judged run, loaded and analysed (the report takes it instead of reading the bundle again) */
  primary: AnalysedRun;
  exitCode: number;
  text: string;
  gatePath: string;
  baselineWritten: string | null;
}

/** The whole command without printing: load, judge (repeating while undecided), write. */
export async function runGate(options: GateOptions, rerun: Rerun = rerunWithRampart): Promise<GateOutcome> {
  // Loading a bundle reads its small files and opens histograms.json; the analysis (the stream) comes
  // after the baseline is read, so the two largest transient allocations do not overlap.
  const bundles: LoadedBundle[] = [];
  for (const path of options.bundles) bundles.push(await loadBundle(path));
  const primary = bundles[0];
  const profile = profileOf(primary);
  for (const [index, other] of bundles.entries()) {
    if (profileOf(other) !== profile) throw usageError(`${options.bundles[index]}: profile '${profileOf(other) ?? 'unknown'}' differs from the first bundle's '${profile ?? 'unknown'}'; give runs of one profile`);
  }
  const slo: SloConfig = await loadSlo(await sloFilesFor(options, profile));

  let baseline: Baseline | null = null;
  let baselineFilePath: string | null = null;
  if (options.updateBaseline && options.baselines.length === 1 && options.baselines[0].endsWith('.json') && !(await fileExists(options.baselines[0]))) {
    // The first run of a new baseline file: nothing to compare with yet, the file is created.
    baselineFilePath = options.baselines[0];
  } else if (options.baselines.length > 0) {
    const loaded: Baseline[] = [];
    // A run that cannot be trusted (or in which every request failed) is no yardstick for another.
    const refuse = (bundle: LoadedBundle, analyses: readonly EndpointAnalysis[]): string | null => {
      const trust = assessTrust(bundle, runTotals(analyses));
      return trust.trustworthy ? null : trust.reasons.join('; ');
    };
    for (const path of options.baselines) loaded.push(await loadBaseline(path, refuse));
    baseline = combineBaselines(loaded);
    if (options.baselines.length === 1 && loaded[0].kind === 'file') baselineFilePath = options.baselines[0];
  } else if (profile !== null) {
    const path = defaultBaselinePath(options, profile);
    const file = await readBaselineFile(path);
    baselineFilePath = path;
    if (file !== null) baseline = { source: path, kind: 'file', file };
  }
  if (options.updateBaseline) {
    if (baselineFilePath === null) throw usageError(options.baselines.length > 0 ? '--update-baseline needs one baseline file (ci/baselines/<profile>.json), not a bundle folder' : '--update-baseline needs a bundle made by \'rampart run\' (run.json names the profile)');
  }

  const runs: AnalysedRun[] = bundles.map((bundle) => ({ bundle, analysis: analyzeBundle(bundle) }));
  runs[0].ensure = await readEnsureChecks(options.bundles[0], primary);
  const analysed = async (path: string): Promise<AnalysedRun> => {
    const bundle = await loadBundle(path);
    return { bundle, analysis: analyzeBundle(bundle) };
  };
  await checkSloKeys(slo, runs, baseline);
  let result = evaluate(runs, slo, baseline);
  for (let attempt = 0; attempt < options.repeat && result.outcome !== 'untrustworthy' && undecided(result); attempt++) {
    runs.push(await analysed(await rerun(primary, options.target)));
    result = evaluate(runs, slo, baseline);
  }

  // gate.json only after the baseline write succeeded: a failed --update-baseline leaves no new
  // verdict behind. Its place is checked first, so a gate.json that cannot be written stops the
  // gate before the baseline changes.
  const destination = await gateDestination(options, primary);
  const gatePath = destination.path;
  await checkReplaceable(gatePath, 'write the gate result (gate.json)');

  let baselineWritten: string | null = null;
  if (options.updateBaseline && baselineFilePath !== null && result.outcome !== 'untrustworthy') {
    let file = baseline?.kind === 'file' ? baseline.file : await readBaselineFile(baselineFilePath);
    for (const run of runs) file = withRun(file, baselineRunOf(run.bundle, run.analysis.endpoints), slo.comparison.baselineRuns, new Date());
    const path = baselineFilePath;
    if (file !== null) await onFile(path, 'write the baseline (--update-baseline)', () => writeBaselineFile(path, file));
    baselineWritten = baselineFilePath;
  }
  await destination.claim();
  await onFile(gatePath, 'write the gate result (gate.json)', () => writeJsonAtomic(gatePath, result));

  const exitCode = result.outcome === 'untrustworthy' ? EXIT.untrustworthy : result.outcome === 'fail' ? EXIT.checkFailed : EXIT.ok;
  const text = formatGateResult(result, { profile, runs: runs.length, sloSources: slo.sources, baselineWritten });
  return { result, primary: runs[0], exitCode, text, gatePath, baselineWritten };
}

/**
 * Frees what the gate no longer needs (the baseline's runs, the comparison's working arrays) before
 * the report allocates its own: without it V8 may still hold that garbage when the report starts,
 * and the peak memory of `rampart gate` on a 24-hour, 40-endpoint soak varies from about 330 to 480
 * MB from run to run instead of staying near the lower figure. Only the CLI edge does this.
 */
function collectGarbage(): void {
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // not essential: without it the peak is only higher
  }
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseGateCommand(argv);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return EXIT.ok;
  }
  const options = parsed.options;
  const outcome = await runGate(options);
  if (options.report && outcome.result.outcome !== 'untrustworthy') {
    collectGarbage();
    try {
      // The gate's own bundle and analysis: the report reads and analyses nothing again.
      const { writeReports } = await import('../report/index.ts');
      await writeReports(options.bundles[0], { outDir: dirname(outcome.gatePath), gate: outcome.result, bundle: outcome.primary.bundle, analysis: outcome.primary.analysis });
    } catch (error) {
      process.stderr.write(`rampart gate: the report was not updated (${error instanceof Error ? error.message : String(error)})\n`);
    }
  }
  if (outcome.result.outcome === 'untrustworthy') {
    throw new RampartError(EXIT.untrustworthy, `the run cannot be trusted, not judged: ${outcome.result.trust.reasons.join('; ')}`);
  }
  process.stdout.write(outcome.text);
  return outcome.exitCode;
}
