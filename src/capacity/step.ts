// One step of the capacity search: a short steady run of the profile (its flow mix, config and SLOs;
// one constant-rate phase instead of its phases) through `rampart run`'s executeRun, kept as a bundle
// under the capacity folder's steps/, then judged by the gate's own rules (evaluate: trust, then the
// SLO budgets of ci/slo/) into a StepOutcome. Between steps the platform is given time to drain
// (settle): its /metrics `*_backlog` gauges back to 0, at most `settleSeconds`.
import { EXIT, untrustworthy } from '../core/errors.ts';
import { analyzeBundle, loadBundle } from '../results/index.ts';
import { executeRun } from '../run/command.ts';
import type { RunOptions } from '../run/args.ts';
import type { StartedPlatform } from '../run/platform.ts';
import { evaluate, runTotals } from '../gate/evaluate.ts';
import type { SloConfig } from '../gate/slo.ts';
import type { LatencyStats } from '../core/histogram.ts';
import type { Breach, LatencyFigures, StepOutcome } from './search.ts';

export interface StepContext {
  suite: string;
  profile: string;
  flows?: string[];
  seed: number;
  stepSeconds: number;
  /** folder that receives the steps' bundle folders */
  stepsDir: string;
  slo: SloConfig;
  /** a running platform: the one capacity started, or --target */
  target: string;
  platform: StartedPlatform | null;
  givenTarget: boolean;
  settleSeconds: number;
  progress: (line: string) => void;
}

const figures = (stats: LatencyStats | null): LatencyFigures | null => (stats === null ? null : { p50: stats.p50, p95: stats.p95, p99: stats.p99 });

function describeBreach(b: Breach): string {
  const unit = b.unit === 'ms' ? ' ms' : '';
  const value = (n: number): string => (b.unit === 'ratio' ? `${(n * 100).toFixed(2)}%` : `${Number(n.toFixed(1))}${unit}`);
  return `${b.scope} ${b.metric} ${value(b.actual)} > ${value(b.threshold)}`;
}

/** The /metrics gauges whose name ends in _backlog (null when the target has no such page). */
export function backlogGauges(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*_backlog)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match !== null) out[match[1]] = (out[match[1]] ?? 0) + Number(match[2]);
  }
  return out;
}

/** Waits until the platform's backlog gauges read 0 (what the last step left undone), at most `seconds`. */
export async function settle(target: string, seconds: number, say: (line: string) => void): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let announced = false;
  for (;;) {
    let gauges: Record<string, number>;
    try {
      const response = await fetch(`${target}/metrics`, { signal: AbortSignal.timeout(5000) });
      const text = await response.text();
      if (response.status !== 200) return;
      gauges = backlogGauges(text);
    } catch {
      return; // no /metrics: nothing to wait for
    }
    const waiting = Object.entries(gauges).filter(([, n]) => n > 0);
    if (waiting.length === 0) return;
    if (Date.now() >= deadline) {
      say(`  the platform still has ${waiting.map(([name, n]) => `${name} ${n}`).join(', ')} after ${seconds} s; going on`);
      return;
    }
    if (!announced) say(`  waiting for the platform to drain (${waiting.map(([name, n]) => `${name} ${n}`).join(', ')})`);
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Runs one steady step at `rate` arrivals/s and judges it. A run that cannot be judged at all throws (exit 3). */
export async function runCapacityStep(context: StepContext, rate: number, index: number): Promise<StepOutcome> {
  const started = performance.now();
  if (index > 0) await settle(context.target, context.settleSeconds, context.progress);
  const options: RunOptions = {
    profile: context.profile,
    ...(context.flows === undefined ? {} : { flows: context.flows }),
    ...(context.givenTarget ? { target: context.target } : {}),
    rateScale: 1,
    seed: context.seed + index,
    durationText: null,
    report: false,
    reportsDir: context.stepsDir,
    phases: [{ name: `capacity step ${index + 1}: ${rate}/s`, duration: context.stepSeconds, arrivalRate: rate }],
  };
  const ran = await executeRun(options, { progress: (line) => { context.progress(`  ${line}`); }, ...(context.platform === null ? {} : { platform: context.platform }) }, context.suite);
  const bundle = await loadBundle(ran.bundleDir).catch(() => null);
  if (bundle === null) throw untrustworthy(`capacity step ${index + 1} (${rate} arrivals/s) left no results (Artillery exit ${String(ran.manifest.artilleryExitCode)}); see ${ran.bundleDir}/artillery.log`);
  if (ran.manifest.interrupted) throw untrustworthy(`capacity step ${index + 1} was interrupted; the search stops (its bundle: ${ran.bundleDir})`);
  const analysis = analyzeBundle(bundle);
  const result = evaluate([{ bundle, analysis }], context.slo, null);
  const totals = runTotals(analysis.endpoints);
  const generator = bundle.generator?.trust ?? { trustworthy: true, reasons: [] };
  const breaches: Breach[] = result.slo.filter((c) => !c.passed && c.actual !== null).map((c) => ({ scope: c.scope, metric: c.metric, threshold: c.threshold, actual: c.actual ?? 0, unit: c.unit }));
  const noData = result.slo.filter((c) => c.actual === null).map((c) => `${c.scope} ${c.metric}`);
  const generatorBound = !generator.trustworthy || (ran.exitCode === EXIT.untrustworthy && bundle.generator === null);
  let reasons: string[];
  if (result.outcome === 'untrustworthy') reasons = result.trust.reasons;
  else reasons = breaches.map(describeBreach);
  const seconds = Math.max(1, context.stepSeconds);
  return {
    rate,
    // A step in which every request failed is the platform failing (untrustworthy for the gate, a fail here).
    passed: result.outcome === 'pass',
    generatorBound,
    reasons,
    breaches,
    noData,
    latencyMs: figures(analysis.run.summary.latencyMs),
    requests: totals.requests,
    throughput: totals.requests / seconds,
    errorRate: totals.errorRate,
    endpoints: analysis.endpoints.map((e) => ({ endpoint: e.summary.endpoint, requests: e.summary.requests, latencyMs: figures(e.summary.latencyMs), errorRate: e.summary.errorRate })),
    generator,
    bundle: ran.bundleDir,
    wallSeconds: (performance.now() - started) / 1000,
  };
}
