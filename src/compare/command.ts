// `rampart compare A B` | `rampart compare --a DIR[,DIR...] --b DIR[,DIR...]`
// `rampart compare --profile P --a-env NAME=value... --b-env NAME=value... [--rounds N] [--data-dir DIR]
//                  [--rate-scale X] [--duration D]`
//
// Input:  two bundles or two sets of bundles (B is judged against A), or a profile and two platform
//         configurations, run alternately A B A B ... (./alternate.ts) into runs/ of the output folder;
//         SLO files for the comparison settings (ci/slo/defaults.yml + <profile>.yml, or --slo).
// Output: compare.json (rampart.compare/1) and compare.html in reports/compare-<time>-<hex>/ (or --out),
//         and the text table on stdout. Per endpoint: the gate's verdict of B against A with its ratio,
//         the p50 and p95 ratios with their confidence intervals, both sides' figures; both sides'
//         resources (resources.json) and top statements (statements.json).
// Exit:   0 (informational) unless --fail-on-slower and some endpoint is SLOWER (1); 2 bad input;
//         3 a run cannot be trusted.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCommand } from '../core/command.ts';
import { EXIT, onFile, usageError } from '../core/errors.ts';
import { REPO_ROOT, suiteDir } from '../core/paths.ts';
import { validate } from '../core/bundle/read.ts';
import { fileExists, writeFileAtomic, writeJsonAtomic } from '../core/bundle/files.ts';
import { newRunId } from '../run/manifest.ts';
import { composeRun } from '../run/compose-run.ts';
import { platformNice } from '../run/platform.ts';
import { processorsDir } from '../compose/paths.ts';
import { loadSlo } from '../gate/slo.ts';
import { sloFiles } from '../capacity/options.ts';
import { checkSides, compareEndpoints, loadSide, sideBySide, sideRuns } from './judge.ts';
import { platformRunner, runAlternately } from './alternate.ts';
import type { SideRunner } from './alternate.ts';
import { describeEnv, redactEnv } from '../capacity/env.ts';
import { COMPARE_FILE_SCHEMA } from './document.ts';
import type { CompareFile } from './document.ts';
import { formatCompare, renderCompareHtml } from './render.ts';
import { COMPARE_COMMAND, compareOptions } from './options.ts';
import type { CompareOptions } from './options.ts';

export interface CompareOutcome {
  exitCode: number;
  dir: string;
  document: CompareFile;
  text: string;
}

async function outputDir(options: CompareOptions, suite: string, profile: string | null): Promise<string> {
  if (options.out !== undefined) {
    const dir = path.resolve(options.out);
    if (!options.force && (await fileExists(path.join(dir, 'compare.json')))) throw usageError(`${dir} already holds a compare.json; give another --out or --force to replace it`);
    await onFile(dir, 'create the output folder (--out)', () => mkdir(dir, { recursive: true }));
    return dir;
  }
  const reports = path.resolve(suite, options.reportsDir ?? 'reports');
  const dir = path.join(reports, `compare-${newRunId(profile ?? 'bundles')}`);
  await onFile(reports, 'create the reports folder', () => mkdir(reports, { recursive: true }));
  await onFile(dir, 'create the comparison folder', () => mkdir(dir));
  return dir;
}

/** The whole comparison without printing. `runner` replaces the real platform runs (tests). */
export async function runCompare(options: CompareOptions, say: (line: string) => void, suite: string = suiteDir(), runner?: SideRunner): Promise<CompareOutcome> {
  let aPaths: string[];
  let bPaths: string[];
  let order: CompareFile['order'] = [];
  let dir: string;
  if (options.alternate === undefined) {
    aPaths = options.a;
    bPaths = options.b;
    // every bundle is read (and judged for trust) before the output folder is made
    const a = await loadSide(aPaths);
    const b = await loadSide(bPaths);
    const profile = checkSides(a, b);
    const slo = await loadSlo(await sloFiles(options.sloFiles, profile ?? 'defaults'));
    dir = await outputDir(options, suite, profile);
    return finish(options, dir, profile, order, a, b, aPaths, bPaths, slo);
  }
  const alt = options.alternate;
  await composeRun(suite, { profile: alt.profile, rateScale: alt.rateScale, seed: alt.seed, durationText: alt.durationText, report: false, ...(alt.durationSeconds === undefined ? {} : { durationSeconds: alt.durationSeconds }), ...(alt.flows === undefined ? {} : { flows: alt.flows }) }, 'http://127.0.0.1', path.join(processorsDir(suite), 'index.ts'));
  const slo = await loadSlo(await sloFiles(options.sloFiles, alt.profile));
  if (runner === undefined) platformNice(); // a bad RAMPART_PLATFORM_NICE, before the folder
  dir = await outputDir(options, suite, alt.profile);
  const runsDir = path.join(dir, 'runs');
  await mkdir(runsDir, { recursive: true });
  say(`A: ${describeEnv(alt.envA)}; B: ${describeEnv(alt.envB)}; ${alt.rounds} round(s), A B alternately`);
  const made = await runAlternately(alt.rounds, runner ?? platformRunner({ suite, runsDir, profile: alt.profile, ...(alt.flows === undefined ? {} : { flows: alt.flows }), rateScale: alt.rateScale, ...(alt.durationSeconds === undefined ? {} : { durationSeconds: alt.durationSeconds }), durationText: alt.durationText, seed: alt.seed, ...(alt.dataDir === undefined ? {} : { dataDir: alt.dataDir }), env: { A: alt.envA, B: alt.envB }, progress: say }), say);
  order = made.order;
  aPaths = made.a;
  bPaths = made.b;
  const a = await loadSide(aPaths);
  const b = await loadSide(bPaths);
  const profile = checkSides(a, b);
  return finish(options, dir, profile, order, a, b, aPaths.map((p) => path.relative(dir, p)), bPaths.map((p) => path.relative(dir, p)), slo);
}

async function finish(options: CompareOptions, dir: string, profile: string | null, order: CompareFile['order'], a: Awaited<ReturnType<typeof loadSide>>, b: Awaited<ReturnType<typeof loadSide>>, aPaths: string[], bPaths: string[], slo: Awaited<ReturnType<typeof loadSlo>>): Promise<CompareOutcome> {
  const endpoints = compareEndpoints(a, b, slo);
  const { resources, statements } = sideBySide(a.map((r) => r.bundle), b.map((r) => r.bundle));
  const alt = options.alternate;
  const c = slo.comparison;
  const document: CompareFile = {
    schema: 'rampart.compare/1',
    mode: alt === undefined ? 'bundles' : 'alternate',
    profile,
    createdAt: new Date().toISOString(),
    order,
    settings: { statistic: c.statistic, threshold: c.threshold, alpha: c.alpha, noiseFloor: c.noiseFloor, absoluteNoiseFloor: c.absoluteNoiseFloor, sources: slo.sources.map((s) => path.relative(REPO_ROOT, s) || s) },
    a: { label: alt === undefined ? aPaths.join(', ') : describeEnv(alt.envA), env: alt === undefined ? null : redactEnv(alt.envA), runs: sideRuns(a, aPaths) },
    b: { label: alt === undefined ? bPaths.join(', ') : describeEnv(alt.envB), env: alt === undefined ? null : redactEnv(alt.envB), runs: sideRuns(b, bPaths) },
    endpoints,
    resources,
    statements,
    slower: endpoints.filter((e) => e.verdict === 'SLOWER').map((e) => e.endpoint),
  };
  const checked = validate(COMPARE_FILE_SCHEMA, document, path.join(dir, 'compare.json'));
  await writeJsonAtomic(path.join(dir, 'compare.json'), checked);
  const css = await readFile(path.join(REPO_ROOT, 'src', 'report', 'assets', 'report.css'), 'utf8');
  await writeFileAtomic(path.join(dir, 'compare.html'), renderCompareHtml(checked, css));
  const text = `${formatCompare(checked)}written: ${path.join(dir, 'compare.json')}, ${path.join(dir, 'compare.html')}\n`;
  const exitCode = options.failOnSlower && checked.slower.length > 0 ? EXIT.checkFailed : EXIT.ok;
  return { exitCode, dir, document: checked, text };
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(COMPARE_COMMAND, argv);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return EXIT.ok;
  }
  const options = compareOptions(parsed.positionals, parsed.values);
  const outcome = await runCompare(options, (line) => void process.stderr.write(`[rampart compare] ${line}\n`));
  process.stdout.write(outcome.text);
  return outcome.exitCode;
}
