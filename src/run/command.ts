// `rampart run <profile>`: compose one Artillery script from the profile and the weighted flows,
// check the target (loopback or allowlisted; reachable) or start the reference platform, run
// Artillery as a child with live progress, and write the run's bundle:
//   reports/<run-id>/script.yml      the composed script as it ran
//   reports/<run-id>/processors/     the processors as they ran (Artillery bundles them there)
//   reports/<run-id>/run.json        RunManifest (what ran)
//   reports/<run-id>/artillery.json  Artillery's --output
//   reports/<run-id>/histograms.json, generator.json   the rampart plugin's measurements
//   reports/<run-id>/artillery.log, platform.log        console output
// then the report stage (report.html, summary.md, junit.xml).
// Exit: 0 ok; 1 a threshold or expectation failed; 2 bad input; 3 target unreachable, run
// interrupted or crashed, or the load generator untrustworthy.
// executeRun is the steps below, in order; each is small and does one thing.
import { cp, mkdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { EXIT, onFile, untrustworthy, type ExitCode } from '../core/errors.ts';
import { totalDuration } from '../compose/compose.ts';
import { checkReachable, parseTarget, redactTarget, targetBase } from '../compose/target.ts';
import type { ComposedRun } from '../compose/types.ts';
import { processorsDir } from '../compose/paths.ts';
import { BUNDLE_FILES, type LoadedBundle, type RunManifest } from '../core/bundle/types.ts';
import { writeJsonAtomic } from '../core/bundle/files.ts';
import { REPO_ROOT, suiteDir } from '../core/paths.ts';
import { analyzeBundle, loadBundle, type BundleAnalysis } from '../results/index.ts';
import { parseCommand } from '../core/command.ts';
import { RUN_COMMAND, runOptions, type RunOptions } from './args.ts';
import { runArtillery, type ArtilleryRun } from './artillery.ts';
import { watchInterrupts, type InterruptWatch } from './interrupt.ts';
import { finishManifest, newRunId, startManifest } from './manifest.ts';
import { collectArtilleryOutput, decideExit, readGenerator } from './outcome.ts';
import { platformNice, startPlatform, type StartedPlatform } from './platform.ts';
import { formatSummary } from './summary.ts';
import { composeRun } from './compose-run.ts';
import { startRunSampler, stopRunSampler } from './sampling.ts';
import type { Sampler } from '../sample/index.ts';
import { checkPublished, planPublishing, publishSettings } from '../observe/index.ts';
import { LIVE_PLUGINS, endLivePage, startLivePage, type LivePage } from '../observe/live/server.ts';

export interface RunResult {
  exitCode: ExitCode;
  bundleDir: string;
  manifest: RunManifest;
  summary: string;
}

export interface RunHooks {
  /** progress lines (stderr in the CLI) */
  progress?: (line: string) => void;
  /** a platform already started by the caller (npm start); used instead of starting one */
  platform?: StartedPlatform;
}

type Say = (line: string) => void;

/** A given --target, normalised and answering /health (exit 3 when not); null when none was given. */
async function checkGivenTarget(options: RunOptions): Promise<string | null> {
  if (options.target === undefined) return null;
  const target = targetBase(parseTarget(options.target));
  await checkReachable(target);
  return target;
}

interface Bundle {
  runId: string;
  dir: string;
  /** the processors' entry inside the bundle, the composed script's `processor` */
  processor: string;
}

/** --data-dir made (or found) a folder before anything starts: a path under a file is exit 2, not a platform that dies. */
async function prepareDataDir(options: RunOptions): Promise<void> {
  if (options.dataDir === undefined || options.target !== undefined) return;
  const dir = path.resolve(options.dataDir);
  await onFile(dir, "create the platform's data folder (--data-dir)", () => mkdir(dir, { recursive: true }));
}

/** The run's bundle folder with a copy of the processors (so concurrent runs never share a build). */
async function prepareBundle(suite: string, options: RunOptions): Promise<Bundle> {
  const runId = newRunId(options.profile);
  const reportsDir = path.resolve(suite, options.reportsDir ?? 'reports');
  const dir = path.join(reportsDir, runId);
  const folder = options.reportsDir === undefined ? 'the reports folder' : 'the reports folder (--reports-dir)';
  await onFile(reportsDir, `create ${folder}`, () => mkdir(reportsDir, { recursive: true }));
  await onFile(dir, `create the run's bundle folder in ${folder}`, () => mkdir(dir));
  const dest = path.join(dir, 'processors');
  try {
    await onFile(dir, 'copy the processors into the bundle folder', async () => {
      await cp(processorsDir(suite), dest, {
        recursive: true,
        filter: (src) => !src.split(path.sep).includes('dist') && !src.endsWith('.gitignore'),
      });
      // esbuild resolves the processors' packages (faker) from here, wherever the bundle folder is.
      await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dest, 'node_modules'), 'dir');
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true }); // no half-made bundle folder is left behind
    throw error;
  }
  return { runId, dir, processor: path.join(dest, 'index.ts') };
}

/** Only esbuild needed it: a bundle folder must not drag node_modules into CI artifacts. */
async function unlinkNodeModules(bundle: Bundle): Promise<void> {
  await unlink(path.join(bundle.dir, 'processors', 'node_modules')).catch(() => undefined);
}

/** Without --target and without a caller's platform, the run starts (and later stops) its own. */
const needsOwnPlatform = (options: RunOptions, hooks: RunHooks): boolean => options.target === undefined && hooks.platform === undefined;

function startPlatformIfNeeded(options: RunOptions, hooks: RunHooks, bundle: Bundle, say: Say): Promise<StartedPlatform> | StartedPlatform | null {
  if (!needsOwnPlatform(options, hooks)) return hooks.platform ?? null;
  return startPlatform({ root: REPO_ROOT, logFile: path.join(bundle.dir, 'platform.log'), dataDir: options.dataDir, onProgress: say });
}

/** The composed script, written into the bundle as it will run. */
async function composeScript(suite: string, options: RunOptions, target: string, bundle: Bundle, plugins?: Record<string, unknown>): Promise<{ composed: ComposedRun; scriptPath: string }> {
  const composed = await composeRun(suite, options, target, bundle.processor, plugins);
  const scriptPath = path.join(bundle.dir, 'script.yml');
  const header = `# Composed by rampart run ${bundle.runId}; run it again with: artillery run script.yml\n`;
  await writeFile(scriptPath, header + stringify(composed.script, { lineWidth: 0 }));
  return { composed, scriptPath };
}

async function writeManifest(bundle: Bundle, manifest: RunManifest): Promise<void> {
  await writeJsonAtomic(path.join(bundle.dir, BUNDLE_FILES.run), manifest);
}

interface ArtilleryStep {
  bundle: Bundle;
  scriptPath: string;
  composed: ComposedRun;
  options: RunOptions;
  target: string;
  platform: StartedPlatform | null;
  interrupts: InterruptWatch;
  say: Say;
  /** more environment for the child (src/observe: the publish-metrics group) */
  extraEnv?: Record<string, string>;
  /** the platform sampler, told the generator's pid */
  sampler: Sampler | null;
}

/** Artillery as a child with the rampart plugin's environment; Ctrl-C is passed on to it. */
async function runArtilleryStep(step: ArtilleryStep): Promise<ArtilleryRun> {
  const { bundle, composed, options, target, platform, say } = step;
  if (composed.droppedThresholds.length > 0) {
    say(`thresholds left out (no selected flow emits their metric): ${composed.droppedThresholds.join(', ')}`);
  }
  const planned = totalDuration(composed.phases);
  say(`running profile ${options.profile} (${composed.flows.map((f) => f.name).join(', ')}) against ${redactTarget(target)}, ~${Math.round(planned)} s planned; bundle ${bundle.dir}`);
  const env: Record<string, string> = { RAMPART_BUNDLE_DIR: bundle.dir, RAMPART_SEED: String(options.seed), RAMPART_TARGET: target };
  if (platform !== null) env.RAMPART_TARGET_JWT_SECRET = platform.jwtSecret;
  Object.assign(env, step.extraEnv);
  const child = runArtillery({
    root: REPO_ROOT,
    scriptPath: step.scriptPath,
    outputPath: path.join(bundle.dir, BUNDLE_FILES.artillery),
    logFile: path.join(bundle.dir, 'artillery.log'),
    env,
    phaseCount: composed.phases.length,
    onProgress: say,
  });
  step.sampler?.setGeneratorPid(child.pid);
  step.interrupts.forwardTo(child);
  return child.done;
}

interface Results {
  bundle: LoadedBundle;
  analysis: BundleAnalysis;
}

/** The bundle read and analysed once, for the report and the summary; null when Artillery wrote nothing. */
async function analyseResults(bundle: Bundle, haveOutput: boolean): Promise<Results | null> {
  if (!haveOutput) return null;
  const loaded = await loadBundle(bundle.dir);
  return { bundle: loaded, analysis: analyzeBundle(loaded) };
}

/** report.html, summary.md and junit.xml; a failure is a progress line, not the run's failure. */
async function renderReport(bundle: Bundle, options: RunOptions, results: Results | null, say: Say): Promise<string[]> {
  if (!options.report || results === null) return [];
  try {
    const { writeReports } = await import('../report/index.ts');
    const written = await writeReports(bundle.dir, results);
    return [written.html, written.markdown, written.junit];
  } catch (error) {
    say(`report not written: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return [];
  }
}

/** The whole run; returns instead of printing (the CLI prints). */
export async function executeRun(options: RunOptions, hooks: RunHooks = {}, suite: string = suiteDir()): Promise<RunResult> {
  const say = hooks.progress ?? ((): void => undefined);
  // Validate everything that can be validated offline (exit 2), with a placeholder target.
  const draft = await composeRun(suite, options, 'http://127.0.0.1', path.join(processorsDir(suite), 'index.ts'));
  const publishTo = await publishSettings(suite, REPO_ROOT, options);
  const givenTarget = await checkGivenTarget(options);
  if (needsOwnPlatform(options, hooks)) platformNice();
  await prepareDataDir(options);
  const bundle = await prepareBundle(suite, options);
  const interrupts = watchInterrupts(say);
  let platform: StartedPlatform | null = null;
  let live: LivePage | null = null;
  let sampler: Sampler | null = null;
  try {
    platform = await startPlatformIfNeeded(options, hooks, bundle, say);
    if (interrupts.interrupted()) throw untrustworthy('interrupted before the load started; nothing was measured');
    const target = givenTarget ?? platform?.url ?? '';
    const identity = { profile: options.profile, runId: bundle.runId, flows: draft.flows.map((f) => f.name) };
    const publishing = publishTo === null ? null : await planPublishing(publishTo, REPO_ROOT, identity, options);
    const plugins = { ...publishing?.plugins, ...(options.dashboard === true ? LIVE_PLUGINS : {}) };
    const { composed, scriptPath } = await composeScript(suite, options, target, bundle, plugins);
    // run.json, the summary and report.html show the target: never its credentials (script.yml keeps them for Artillery)
    const manifest = await startManifest({ root: REPO_ROOT, runId: bundle.runId, options, composed, target: redactTarget(target) });
    await writeManifest(bundle, manifest);

    const status = publishing?.startStatus(composed.phases);
    if (options.dashboard === true) {
      live = await startLivePage({ runId: bundle.runId, profile: options.profile, bundleDir: bundle.dir, logFile: path.join(bundle.dir, 'artillery.log'), phases: composed.phases, platformUrl: target });
      say(`live page: ${live.url}`);
    }
    sampler = await startRunSampler(bundle.dir, platform, givenTarget, say);
    const ran = await runArtilleryStep({ bundle, scriptPath, composed, options, target, platform, interrupts, say, extraEnv: publishing?.env, sampler });
    await stopRunSampler(sampler, say);
    await status?.stop();
    interrupts.stop();
    const interrupted = interrupts.interrupted() || ran.interrupted;
    const artillery = await collectArtilleryOutput(bundle.dir, interrupted, Date.parse(manifest.startedAt));
    const generator = await readGenerator(bundle.dir);
    const final = finishManifest(manifest, interrupted, ran.exitCode);
    await writeManifest(bundle, final);

    const results = await analyseResults(bundle, artillery !== null);
    const reports = await renderReport(bundle, options, results, say);
    const decided = decideExit(ran.exitCode, interrupted, generator, artillery !== null);
    const { verdict } = decided;
    const exit = publishing === null ? decided.exit : await checkPublished(publishing, artillery?.aggregate.counters ?? {}, decided.exit, say);
    if (live !== null) await endLivePage(live, verdict, reports.at(0) ?? null, say);
    const summary = formatSummary({ bundleDir: bundle.dir, manifest: final, bundle: results?.bundle ?? null, analysis: results?.analysis, generator, reports, verdict });
    return { exitCode: exit, bundleDir: bundle.dir, manifest: final, summary };
  } finally {
    interrupts.stop();
    await sampler?.stop(); // a run that failed after the sampler started: keep what it sampled (resolves at once when stopped)
    await live?.close();
    await unlinkNodeModules(bundle);
    if (needsOwnPlatform(options, hooks) && platform !== null) {
      say('stopping the platform');
      await platform.stop();
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(RUN_COMMAND, argv);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return EXIT.ok;
  }
  const options = runOptions(parsed.positionals, parsed.values);
  const progress = (line: string): void => void process.stderr.write(`[rampart] ${line}\n`);
  // --fargate: the same profile on AWS Fargate containers through run-fargate (src/run/fargate.ts)
  const result = options.fargate === undefined ? await executeRun(options, { progress }) : await (await import('./fargate.ts')).executeFargateRun(options, progress, suiteDir());
  process.stdout.write(result.summary);
  return result.exitCode;
}
