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
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { EXIT, untrustworthy, type ExitCode } from '../core/errors.ts';
import { loadConfig } from '../compose/config.ts';
import { compose, totalDuration } from '../compose/compose.ts';
import { loadFlow, loadProfile } from '../compose/load.ts';
import { checkReachable, checkTargetAllowed, parseTarget, targetBase } from '../compose/target.ts';
import type { ComposedRun, FlowFile, Profile } from '../compose/types.ts';
import { BUNDLE_FILES, type ArtilleryOutput, type GeneratorFile, type RunManifest } from '../core/bundle/types.ts';
import { writeJsonAtomic } from '../core/bundle/files.ts';
import { loadBundle } from '../results/bundle.ts';
import { parseRunArgs, type RunOptions } from './args.ts';
import { runArtillery } from './artillery.ts';
import { startPlatform, type StartedPlatform } from './platform.ts';
import { formatSummary } from './summary.ts';
import { outputFromConsole } from './console-report.ts';
import { processorsDir } from '../compose/paths.ts';
import { REPO_ROOT, suiteDir } from '../core/paths.ts';


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

export function newRunId(profile: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
  return `${stamp}-${profile}-${Math.random().toString(16).slice(2, 6)}`;
}

async function gitRevision(root: string): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: root, timeout: 5000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

async function versionOf(file: string): Promise<string> {
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function readJsonOrNull<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Load and compose without side effects: every input error surfaces here, before anything starts. */
export async function prepare(root: string, options: RunOptions, target: string, processor: string): Promise<{ profile: Profile; composed: ComposedRun }> {
  const config = await loadConfig(root);
  const profile = await loadProfile(root, options.profile);
  const names = options.flows ?? Object.entries(profile.mix).filter(([, w]) => w > 0).map(([n]) => n);
  const files = new Map<string, FlowFile>();
  for (const name of names) files.set(name, await loadFlow(root, name));
  const composed = compose(profile, files, {
    target,
    flows: options.flows,
    rateScale: options.rateScale,
    durationSeconds: options.durationSeconds,
    seed: options.seed,
    processor,
    maxArrivalRate: config.maxArrivalRate,
  });
  if (options.target !== undefined) checkTargetAllowed(parseTarget(options.target), config);
  return { profile, composed };
}

/** Copy the processors into the bundle (so the run records them and concurrent runs never share a build). */
async function stageProcessors(suite: string, bundleDir: string): Promise<string> {
  const dest = path.join(bundleDir, 'processors');
  await cp(processorsDir(suite), dest, {
    recursive: true,
    filter: (src) => !src.split(path.sep).includes('dist') && !src.endsWith('.gitignore'),
  });
  // esbuild resolves the processors' packages (faker) from here, wherever the bundle folder is.
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dest, 'node_modules'), 'dir');
  return path.join(dest, 'index.ts');
}

function decideExit(code: number | null, interrupted: boolean, generator: GeneratorFile | null, haveOutput: boolean): { exit: ExitCode; verdict: string } {
  if (interrupted) return { exit: EXIT.untrustworthy, verdict: 'interrupted: partial results kept' };
  if (!haveOutput) return { exit: EXIT.untrustworthy, verdict: `Artillery failed (exit ${code}) and wrote no results; see artillery.log` };
  if (generator !== null && !generator.trust.trustworthy) return { exit: EXIT.untrustworthy, verdict: 'untrustworthy: the load generator could not keep the planned schedule' };
  if (code === 0) return { exit: EXIT.ok, verdict: 'pass: every threshold and expectation held' };
  if (code === 1) return { exit: EXIT.checkFailed, verdict: 'fail: a threshold (ensure) was breached' };
  if (code === 21) return { exit: EXIT.checkFailed, verdict: 'fail: expectations failed (wrong status or body)' };
  return { exit: EXIT.untrustworthy, verdict: `Artillery exited ${code}; see artillery.log` };
}

/** The whole run; returns instead of printing (the CLI prints). */
export async function executeRun(options: RunOptions, hooks: RunHooks = {}, suite: string = suiteDir()): Promise<RunResult> {
  const root = REPO_ROOT;
  const say = hooks.progress ?? ((): void => undefined);
  // 1. Validate everything that can be validated offline (exit 2), with a placeholder target.
  await prepare(suite, options, 'http://127.0.0.1', path.join(processorsDir(suite), 'index.ts'));
  // 2. The target: given (must answer) or started here.
  let target: string;
  if (options.target !== undefined) {
    target = targetBase(parseTarget(options.target));
    await checkReachable(target);
  } else {
    target = hooks.platform?.url ?? '';
  }

  const runId = newRunId(options.profile);
  const reportsDir = path.resolve(suite, options.reportsDir ?? 'reports');
  const bundleDir = path.join(reportsDir, runId);
  await mkdir(reportsDir, { recursive: true });
  await mkdir(bundleDir);
  const processor = await stageProcessors(suite, bundleDir);

  let platform: StartedPlatform | null = hooks.platform ?? null;
  const ownPlatform = options.target === undefined && hooks.platform === undefined;
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  try {
    if (ownPlatform) {
      platform = await startPlatform({ root, logFile: path.join(bundleDir, 'platform.log'), dataDir: options.dataDir, onProgress: say });
      target = platform.url;
    }
    if (interrupted) throw untrustworthy('interrupted before the load started; nothing was measured');
    const { composed } = await prepare(suite, options, target, processor);
    const scriptPath = path.join(bundleDir, 'script.yml');
    await writeFile(scriptPath, `# Composed by rampart run ${runId}; run it again with: artillery run script.yml\n${stringify(composed.script, { lineWidth: 0 })}`);

    const manifest: RunManifest = {
      schema: 'rampart.run/1',
      runId,
      profile: options.profile,
      flows: composed.flows,
      seed: options.seed,
      target,
      gitRevision: await gitRevision(root),
      startedAt: new Date().toISOString(),
      endedAt: null,
      interrupted: false,
      artilleryExitCode: null,
      rateScale: options.rateScale,
      durationOverride: options.durationText,
      phases: composed.phases,
      versions: {
        rampart: await versionOf(path.join(root, 'package.json')),
        artillery: await versionOf(path.join(root, 'node_modules', 'artillery', 'package.json')),
        node: process.version,
      },
      host: { hostname: os.hostname(), cpus: os.availableParallelism(), memoryBytes: os.totalmem() },
    };
    const manifestPath = path.join(bundleDir, BUNDLE_FILES.run);
    await writeJsonAtomic(manifestPath, manifest);

    if (composed.droppedThresholds.length > 0) {
      say(`thresholds left out (no selected flow emits their metric): ${composed.droppedThresholds.join(', ')}`);
    }
    const planned = totalDuration(composed.phases);
    say(`running profile ${options.profile} (${composed.flows.map((f) => f.name).join(', ')}) against ${target}, ~${Math.round(planned)} s planned; bundle ${bundleDir}`);
    const outputPath = path.join(bundleDir, BUNDLE_FILES.artillery);
    const env: Record<string, string> = { RAMPART_BUNDLE_DIR: bundleDir, RAMPART_SEED: String(options.seed), RAMPART_TARGET: target };
    if (platform !== null) env.RAMPART_TARGET_JWT_SECRET = platform.jwtSecret;
    const child = runArtillery({ root, scriptPath, outputPath, logFile: path.join(bundleDir, 'artillery.log'), env, phaseCount: composed.phases.length, onProgress: say });
    process.removeListener('SIGINT', onSigint);
    let announced = false;
    const forward = (): void => {
      interrupted = true;
      if (!announced) say('interrupted: stopping Artillery and keeping what it measured (Ctrl-C again to kill it)');
      announced = true;
      child.interrupt();
    };
    process.on('SIGINT', forward);
    if (interrupted) child.interrupt();
    let result;
    try {
      result = await child.done;
    } finally {
      process.removeListener('SIGINT', forward);
    }
    interrupted = interrupted || result.interrupted;

    let artillery = await readJsonOrNull<ArtilleryOutput>(outputPath);
    if (artillery === null && interrupted) {
      // Stopped early, Artillery writes no --output: keep the periods its console printed.
      const log = await readFile(path.join(bundleDir, 'artillery.log'), 'utf8').catch(() => '');
      const rebuilt = outputFromConsole(log, Date.parse(manifest.startedAt));
      if (rebuilt !== null) {
        await writeJsonAtomic(outputPath, rebuilt);
        artillery = rebuilt;
      }
    }
    const generator = await readJsonOrNull<GeneratorFile>(path.join(bundleDir, BUNDLE_FILES.generator));
    const final: RunManifest = {
      ...manifest,
      endedAt: interrupted ? null : new Date().toISOString(),
      interrupted,
      artilleryExitCode: result.exitCode,
    };
    await writeJsonAtomic(manifestPath, final);

    const reports: string[] = [];
    if (options.report && artillery !== null) {
      try {
        const { writeReports } = await import('../report/index.ts');
        const written = await writeReports(bundleDir);
        reports.push(written.html, written.markdown, written.junit);
      } catch (error) {
        say(`report not written: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
    const { exit, verdict } = decideExit(result.exitCode, interrupted, generator, artillery !== null);
    const bundle = artillery === null ? null : await loadBundle(bundleDir);
    const summary = formatSummary({ bundleDir, manifest: final, bundle, generator, reports, verdict });
    return { exitCode: exit, bundleDir, manifest: final, summary };
  } finally {
    process.removeListener('SIGINT', onSigint);
    // Only esbuild needed it: a bundle folder must not drag node_modules into CI artifacts.
    await unlink(path.join(bundleDir, 'processors', 'node_modules')).catch(() => undefined);
    if (ownPlatform && platform !== null) {
      say('stopping the platform');
      await platform.stop();
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const options = parseRunArgs(argv);
  const result = await executeRun(options, { progress: (line) => process.stderr.write(`[rampart] ${line}\n`) });
  process.stdout.write(result.summary);
  return result.exitCode;
}

