// `rampart run <profile> --fargate --region R --count N --target URL`: the profile composed as for a
// local run, then run by Artillery's run-fargate on N AWS Fargate containers (docs/distributed.md).
// The bundle folder holds what a local run's does; the measurements come back inside the one
// --output file run-fargate writes, as the plugin's counters (src/core/counters.ts), from which
// histograms.json and generator.json are rebuilt here (src/results/counter-*.ts).
//
//   reports/<run-id>/fargate/          the test bundle run-fargate uploads, self-contained:
//     script.yml                       the composed script (processor ./processors/index.ts; the plugin's
//                                      tarball in config.includeFiles; its counters on, and hidden from the console)
//     processors/                      the suite's processors
//     artillery-plugin-rampart-<v>.tgz the plugin as `npm pack` makes it (JavaScript, its dependencies declared)
//     package.json                     depends on that tarball: each container's `npm install` installs it
//     rampart.env                      RAMPART_SEED, RAMPART_TARGET (run-fargate --dotenv hands them to the containers)
//   reports/<run-id>/run.json, artillery.json, histograms.json, generator.json, artillery.log, report.html...
//
// Exit: as `rampart run`; 2 also when run-fargate finds no AWS credentials (one line, nothing started).
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { stringify } from 'yaml';
import { RampartError, EXIT, usageError } from '../core/errors.ts';
import type { ExitCode } from '../core/errors.ts';
import { bundleFile, writeJsonAtomic } from '../core/bundle/files.ts';
import { writeHistogramFile } from '../core/bundle/histogram-file.ts';
import type { RunManifest } from '../core/bundle/types.ts';
import { REPO_ROOT } from '../core/paths.ts';
import { loadConfig } from '../compose/config.ts';
import { processorsDir } from '../compose/paths.ts';
import { checkTargetAllowed, isLoopbackHost, parseTarget, redactTarget, targetBase } from '../compose/target.ts';
import type { ComposedRun } from '../compose/types.ts';
import { analyzeBundle, loadBundle } from '../results/index.ts';
import { parseArtilleryOutput } from '../results/bundle.ts';
import { histogramsFromCounters } from '../results/counter-histograms.ts';
import { generatorFromCounters } from '../results/counter-trust.ts';
import type { RunOptions } from './args.ts';
import { runArtillery } from './artillery.ts';
import { composeRun } from './compose-run.ts';
import { finishManifest, newRunId, startManifest } from './manifest.ts';
import { decideExit } from './outcome.ts';
import { formatSummary } from './summary.ts';

export const PLUGIN_PACKAGE_DIR = path.join(REPO_ROOT, 'plugins', 'rampart');

export interface FargateBundle {
  /** the folder run-fargate uploads (its files' common prefix) */
  contextDir: string;
  scriptPath: string;
  composed: ComposedRun;
  /** the plugin's tarball, inside contextDir */
  tarball: string;
}

/** The plugin built afresh (plugins/rampart/build.ts) and packed by `npm pack` into `dir`; the tarball's file name. */
function packPlugin(dir: string): string {
  const built = spawnSync(process.execPath, [path.join(PLUGIN_PACKAGE_DIR, 'build.ts')], { encoding: 'utf8', timeout: 60_000 });
  if (built.status !== 0) throw usageError(`could not build the rampart plugin: ${built.stderr.trim().split('\n')[0] ?? ''}`);
  const packed = spawnSync('npm', ['pack', PLUGIN_PACKAGE_DIR, '--pack-destination', dir, '--json', '--silent'], { encoding: 'utf8', timeout: 120_000 });
  if (packed.status !== 0) throw usageError(`could not pack the rampart plugin (npm pack exit ${String(packed.status)}): ${packed.stderr.trim().split('\n')[0] ?? ''}`);
  return (JSON.parse(packed.stdout) as { filename: string }[])[0].filename;
}

/**
 * The npm packages the processors import, at this project's versions: run-fargate's containers
 * install what package.json names (an undeclared import would be installed at its latest version).
 */
async function processorPackages(dir: string): Promise<Record<string, string>> {
  const root = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).filter((n) => /\.m?ts$/.test(n))) {
    const text = await readFile(path.join(dir, name), 'utf8');
    for (const [, spec] of text.matchAll(/\b(?:from|import)\s*\(?\s*'([^'.][^']*)'/g)) {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (pkg.startsWith('node:') || builtinModules.includes(pkg)) continue;
      const version = root.dependencies?.[pkg];
      if (version === undefined) throw usageError(`processors/${name} imports '${pkg}', which package.json does not declare; add it to dependencies so the containers can install it`);
      out[pkg] = version;
    }
  }
  return out;
}

/**
 * The self-contained folder run-fargate turns into its test bundle (see the top of this file), for
 * the given target. No AWS call; the target is not checked here (executeFargateRun does).
 */
export async function prepareFargateBundle(suite: string, options: RunOptions, bundleDir: string, target: string): Promise<FargateBundle> {
  const contextDir = path.join(bundleDir, 'fargate');
  await mkdir(contextDir, { recursive: true });
  await cp(processorsDir(suite), path.join(contextDir, 'processors'), {
    recursive: true,
    filter: (src) => !src.split(path.sep).includes('dist') && !src.split(path.sep).includes('node_modules'),
  });
  const tarball = packPlugin(contextDir);
  const composed = await composeRun(suite, options, target, './processors/index.ts', { rampart: { suppressOutput: true, counters: true } });
  composed.script.config.includeFiles = [tarball];
  const scriptPath = path.join(contextDir, 'script.yml');
  await writeFile(scriptPath, `# Composed by rampart run --fargate; each container runs it whole\n${stringify(composed.script, { lineWidth: 0 })}`);
  const version = (JSON.parse(await readFile(path.join(PLUGIN_PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  await writeJsonAtomic(path.join(contextDir, 'package.json'), {
    name: 'rampart-fargate-run',
    version,
    private: true,
    description: 'What each run-fargate container installs: the rampart plugin from its packed tarball',
    dependencies: { ...(await processorPackages(path.join(contextDir, 'processors'))), 'artillery-plugin-rampart': `file:./${tarball}` },
  });
  await writeFile(path.join(contextDir, 'rampart.env'), `RAMPART_SEED=${String(options.seed)}\nRAMPART_TARGET=${target}\n`);
  return { contextDir, scriptPath, composed, tarball: path.join(contextDir, tarball) };
}

/** The containers reach the target over the internet: never loopback, always on the allowlist. */
async function fargateTarget(suite: string, options: RunOptions): Promise<string> {
  if (options.target === undefined) throw usageError('--fargate needs --target URL: a host the containers can reach, listed in targets.allow of rampart.config.yml');
  const url = parseTarget(options.target);
  if (isLoopbackHost(url.hostname)) throw usageError(`--target ${redactTarget(options.target)} is this machine's loopback, which Fargate containers cannot reach; give a host listed in targets.allow`);
  checkTargetAllowed(url, await loadConfig(suite));
  return targetBase(url);
}

const CREDENTIALS = /CredentialsProviderError|Could not load credentials|credentials? (are|is) (missing|not|invalid)|ExpiredToken|InvalidClientTokenId|UnrecognizedClientException/i;

/** Why run-fargate wrote no results, as one line (its output stays in artillery.log). */
async function failureOf(logFile: string, code: number | null): Promise<RampartError> {
  const log = await readFile(logFile, 'utf8').catch(() => '');
  if (CREDENTIALS.test(log)) {
    return usageError(`artillery run-fargate found no usable AWS credentials (${CREDENTIALS.exec(log)?.[0] ?? 'credentials'}); configure them (docs/distributed.md) and run again; its output: ${logFile}`);
  }
  return new RampartError(EXIT.untrustworthy, `artillery run-fargate failed (exit ${String(code)}) and wrote no results; see ${logFile}`);
}

export interface FargateResult {
  exitCode: ExitCode;
  bundleDir: string;
  manifest: RunManifest;
  summary: string;
}

/** The whole distributed run; returns instead of printing (the CLI prints). */
export async function executeFargateRun(options: RunOptions, say: (line: string) => void, suite: string): Promise<FargateResult> {
  const fargate = options.fargate;
  if (fargate === undefined) throw usageError('executeFargateRun needs --fargate');
  const target = await fargateTarget(suite, options);
  const runId = newRunId(options.profile);
  const bundleDir = path.join(path.resolve(suite, options.reportsDir ?? 'reports'), runId);
  await mkdir(bundleDir, { recursive: true });
  const prepared = await prepareFargateBundle(suite, options, bundleDir, target);
  const manifest = await startManifest({ root: REPO_ROOT, runId, options, composed: prepared.composed, target });
  await writeJsonAtomic(bundleFile(bundleDir, 'run'), manifest);
  say(`running profile ${options.profile} on ${String(fargate.count)} Fargate container(s) in ${fargate.region} against ${target}; bundle ${bundleDir}`);
  const logFile = path.join(bundleDir, 'artillery.log');
  const child = runArtillery({
    root: REPO_ROOT,
    command: 'run-fargate',
    scriptPath: prepared.scriptPath,
    outputPath: bundleFile(bundleDir, 'artillery'),
    args: ['--region', fargate.region, '--count', String(fargate.count), '--dotenv', path.join(prepared.contextDir, 'rampart.env')],
    logFile,
    env: {},
    phaseCount: prepared.composed.phases.length,
    onProgress: say,
  });
  const ran = await child.done;
  const raw = await readFile(bundleFile(bundleDir, 'artillery'), 'utf8').catch(() => null);
  if (raw === null) throw await failureOf(logFile, ran.exitCode);
  const output = parseArtilleryOutput(JSON.parse(raw), bundleFile(bundleDir, 'artillery'));
  const histograms = histogramsFromCounters(output);
  if (histograms !== null) writeHistogramFile(bundleFile(bundleDir, 'histograms'), histograms);
  const generator = generatorFromCounters(output, { phases: prepared.composed.phases, loadGenerators: fargate.count });
  if (generator !== null) await writeJsonAtomic(bundleFile(bundleDir, 'generator'), generator);
  const final = finishManifest(manifest, ran.interrupted, ran.exitCode);
  await writeJsonAtomic(bundleFile(bundleDir, 'run'), final);
  const bundle = await loadBundle(bundleDir);
  const analysis = analyzeBundle(bundle);
  const reports: string[] = [];
  if (options.report) {
    const { writeReports } = await import('../report/index.ts');
    const written = await writeReports(bundleDir, { bundle, analysis });
    reports.push(written.html, written.markdown, written.junit);
  }
  const { exit, verdict } = decideExit(ran.exitCode, ran.interrupted, generator, true);
  const summary = formatSummary({ bundleDir, manifest: final, bundle, analysis, generator, reports, verdict });
  return { exitCode: exit, bundleDir, manifest: final, summary };
}
