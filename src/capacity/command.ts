// `rampart capacity <profile>`: the knee — the highest steady arrival rate the platform sustains
// within the profile's SLOs while the load generator keeps its schedule.
//
// Input:  a profile (phases/<profile>.yml: its flow mix, config and peak phase rate), its SLOs
//         (ci/slo/defaults.yml + ci/slo/<profile>.yml, or --slo), a target (--target) or a platform
//         started once for the whole search (--data-dir, --platform-env NAME=value).
// Output: reports/capacity-<time>-<profile>-<hex>/ with capacity.json (rampart.capacity/1),
//         capacity.html, platform.log and steps/<run-id>/ (each step's bundle); a summary on stdout.
// Exit:   0 a sustainable rate was found (also when the budget or --max-rate ended the search: the
//         summary says so); 1 not even the lowest step passed; 2 bad input; 3 the generator, not the
//         platform, was the limit (or a step could not be run at all).
// The search itself is ./search.ts; a step is ./step.ts; the outputs ./document.ts and ./html.ts.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseCommand } from '../core/command.ts';
import { EXIT, onFile, usageError } from '../core/errors.ts';
import { REPO_ROOT, suiteDir } from '../core/paths.ts';
import { validate } from '../core/bundle/read.ts';
import { writeFileAtomic, writeJsonAtomic } from '../core/bundle/files.ts';
import { checkReachable, redactTarget } from '../compose/target.ts';
import { platformNice, startPlatform } from '../run/platform.ts';
import type { StartedPlatform } from '../run/platform.ts';
import { composeRun } from '../run/compose-run.ts';
import { newRunId } from '../run/manifest.ts';
import { processorsDir } from '../compose/paths.ts';
import { loadSlo } from '../gate/slo.ts';
import { describeEnv, redactEnv } from './env.ts';
import { searchKnee } from './search.ts';
import type { SearchResult } from './search.ts';
import { runCapacityStep } from './step.ts';
import { capacityFile, CAPACITY_FILE_SCHEMA } from './document.ts';
import type { CapacityFile } from './document.ts';
import { renderCapacityHtml } from './html.ts';
import { CAPACITY_COMMAND, capacityOptions, profilePeak, sloFiles } from './options.ts';
import type { CapacityOptions } from './options.ts';

export interface CapacityOutcome {
  exitCode: number;
  dir: string;
  document: CapacityFile;
  text: string;
}

function exitOf(result: SearchResult): number {
  if (result.outcome === 'generator-bound') return EXIT.untrustworthy;
  if (result.sustainableRate === null) return EXIT.checkFailed;
  return EXIT.ok;
}

export function formatCapacity(doc: CapacityFile, dir: string): string {
  const lines = [`capacity of ${doc.profile} against ${doc.target} (${doc.steps.length} steps of ${doc.step.durationSeconds} s, ${doc.result.wallSeconds} s)`];
  lines.push('  step  arrivals/s  scale   result           p50 ms    p95 ms    p99 ms   req/s  errors');
  doc.steps.forEach((s, i) => {
    const f = (n: number | undefined): string => (n === undefined ? '–' : n.toFixed(1)).padStart(8);
    const result = s.generatorBound ? 'generator-bound' : s.passed ? 'pass' : 'FAIL';
    lines.push(`  ${String(i + 1).padStart(4)}  ${String(s.rate).padStart(10)}  ${String(s.rateScale).padStart(5)}   ${result.padEnd(15)}  ${f(s.latencyMs?.p50)}  ${f(s.latencyMs?.p95)}  ${f(s.latencyMs?.p99)}  ${s.throughput.toFixed(1).padStart(6)}  ${(s.errorRate * 100).toFixed(2)}%`);
    if (!s.passed) for (const reason of s.reasons.slice(0, 4)) lines.push(`          ${reason}`);
  });
  const r = doc.result;
  if (r.sustainableRate !== null) {
    lines.push(`sustainable: ${r.sustainableRate} arrivals/s (rate-scale ${String(r.sustainableRateScale)}); knee in [${String(r.bracket.lastPass)}, ${r.bracket.firstFail === null ? 'not reached' : String(r.bracket.firstFail)})${r.bracket.width === null ? '' : `, width ${(r.bracket.width * 100).toFixed(1)}%`}${r.precisionMet ? '' : ' (wider than --precision)'}`);
  }
  if (r.firstLimit !== null) lines.push(`first limit to break: ${r.firstLimit.scope} ${r.firstLimit.metric} (${r.firstLimit.actual.toFixed(1)} against ${r.firstLimit.threshold}) at ${r.firstLimit.firstBrokenAt} arrivals/s`);
  lines.push(`${r.outcome}: ${r.stoppedBecause}`);
  lines.push(`written: ${path.join(dir, 'capacity.json')}, ${path.join(dir, 'capacity.html')}`);
  return `${lines.join('\n')}\n`;
}

/** The whole search without printing (progress through `say`). */
export async function runCapacity(options: CapacityOptions, say: (line: string) => void, suite: string = suiteDir()): Promise<CapacityOutcome> {
  const peakRate = await profilePeak(suite, options.profile);
  const settings = {
    startRate: options.startRate ?? Math.max(0.1, peakRate / 4),
    maxRate: options.maxRate ?? peakRate * 4,
    minRate: 0,
    growth: 2,
    precision: options.precision,
    budgetSeconds: options.budgetSeconds,
  };
  settings.minRate = options.minRate ?? settings.startRate / 8;
  if (settings.startRate > settings.maxRate) throw usageError(`--start-rate ${settings.startRate} is above the max rate ${settings.maxRate}; lower it or raise --max-rate`);
  // Every input error (profile, flows, max rate against limits.maxArrivalRate, --target's allowlist) before anything starts.
  const draft = { profile: options.profile, rateScale: 1, seed: options.seed, durationText: null, report: false, ...(options.target === undefined ? {} : { target: options.target }), ...(options.flows === undefined ? {} : { flows: options.flows }) };
  await composeRun(suite, { ...draft, phases: [{ duration: options.stepSeconds, arrivalRate: settings.maxRate }] }, 'http://127.0.0.1', path.join(processorsDir(suite), 'index.ts'));
  const files = await sloFiles(options.sloFiles, options.profile);
  const slo = await loadSlo(files);
  if (options.target !== undefined) await checkReachable(options.target.replace(/\/+$/, ''));
  else platformNice(); // a bad RAMPART_PLATFORM_NICE, before the folder

  const reportsDir = path.resolve(suite, options.reportsDir ?? 'reports');
  const dir = path.join(reportsDir, `capacity-${newRunId(options.profile)}`);
  await onFile(reportsDir, 'create the reports folder', () => mkdir(reportsDir, { recursive: true }));
  await onFile(dir, 'create the capacity folder', () => mkdir(dir));
  const stepsDir = path.join(dir, 'steps');
  await mkdir(stepsDir);
  const startedAt = new Date().toISOString();
  let platform: StartedPlatform | null = null;
  try {
    if (options.target === undefined) {
      say(`starting the platform (${describeEnv(options.platformEnv)})`);
      platform = await startPlatform({ root: REPO_ROOT, logFile: path.join(dir, 'platform.log'), dataDir: options.dataDir, env: options.platformEnv, onProgress: say, readyTimeoutMs: 300_000 });
    }
    const target = options.target?.replace(/\/+$/, '') ?? platform?.url ?? '';
    say(`searching: start ${settings.startRate}/s, x${settings.growth} up to ${settings.maxRate}/s, then bisection to ${settings.precision * 100}%; steps of ${options.stepSeconds} s; budget ${options.budgetSeconds} s`);
    const context = { suite, profile: options.profile, ...(options.flows === undefined ? {} : { flows: options.flows }), seed: options.seed, stepSeconds: options.stepSeconds, stepsDir, slo, target, platform, givenTarget: options.target !== undefined, settleSeconds: options.settleSeconds, progress: say };
    const search = await searchKnee((rate, index) => runCapacityStep(context, rate, index), settings, say);
    const document = capacityFile({
      profile: options.profile, target: redactTarget(target), startedAt, stepSeconds: options.stepSeconds, peakRate, settings,
      sloSources: slo.sources.map((s) => path.relative(REPO_ROOT, s) || s), platformEnv: redactEnv(options.platformEnv), search,
      relativeBundle: (bundle) => path.relative(dir, bundle),
    });
    const checked = validate(CAPACITY_FILE_SCHEMA, document, path.join(dir, 'capacity.json'));
    await writeJsonAtomic(path.join(dir, 'capacity.json'), checked);
    const { loadChartAssets } = await import('../report/index.ts');
    await writeFileAtomic(path.join(dir, 'capacity.html'), renderCapacityHtml(checked, await loadChartAssets()));
    return { exitCode: exitOf(search), dir, document: checked, text: formatCapacity(checked, dir) };
  } finally {
    if (platform !== null) {
      say('stopping the platform');
      await platform.stop();
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(CAPACITY_COMMAND, argv);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return EXIT.ok;
  }
  const options = capacityOptions(parsed.positionals, parsed.values);
  const outcome = await runCapacity(options, (line) => void process.stderr.write(`[rampart capacity] ${line}\n`));
  process.stdout.write(outcome.text);
  return outcome.exitCode;
}
