// One step of the capacity search: a short steady run of the profile (its flow mix, config and SLOs;
// one constant-rate phase instead of its phases) through `rampart run`'s executeRun, kept as a bundle
// under the capacity folder's steps/, then judged by the gate's own rules (assessTrust, then
// checkSlos: the SLO budgets of ci/slo/) into a StepOutcome. A generator that kept its schedule but
// whose event loop ran late is a measurement error bar, not a limit, unless it could explain a breach. Between steps the platform is given time to drain
// (settle): its /metrics `*_backlog` gauges back to 0, at most `settleSeconds`.
import { EXIT, untrustworthy } from '../core/errors.ts';
import { analyzeBundle, loadBundle } from '../results/index.ts';
import { executeRun } from '../run/command.ts';
import type { RunOptions } from '../run/args.ts';
import type { StartedPlatform } from '../run/platform.ts';
import { assessTrust, checkSlos, runTotals } from '../gate/evaluate.ts';
import type { GeneratorFile } from '../core/bundle/types.ts';
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

/** Whether the generator's only objection is its event-loop lateness (its schedule was kept). */
function latenessOnly(trust: GeneratorFile['trust']): boolean {
  return !trust.trustworthy && trust.generatorDelayMs !== undefined && trust.reasons.length > 0 && trust.reasons.every((r) => r.startsWith('the load generator delayed its own measurements'));
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
  const totals = runTotals(analysis.endpoints);
  const generator = bundle.generator?.trust ?? { trustworthy: true, reasons: [] };
  // The gate's trust rules, apart from the generator's own verdict (judged below).
  const generatorReasons = new Set(generator.reasons);
  const otherReasons = assessTrust(bundle, totals).reasons.filter((r) => !generatorReasons.has(r));
  const checks = checkSlos(context.slo, analysis, bundle.artillery.aggregate);
  const breaches: Breach[] = checks.filter((c) => !c.passed && c.actual !== null).map((c) => ({ scope: c.scope, metric: c.metric, threshold: c.threshold, actual: c.actual ?? 0, unit: c.unit }));
  const noData = checks.filter((c) => c.actual === null).map((c) => `${c.scope} ${c.metric}`);
  const lateness = latenessOnly(generator) ? generator.generatorDelayMs ?? null : null;
  // A generator that kept its schedule but whose event loop ran late only adds up to `lateness` ms to
  // the latencies: a pass stays a pass, and a breach by more than that is the platform's. Any other
  // generator verdict (arrivals late, below plan, saturated), or a breach the lateness could explain,
  // is the generator's limit.
  const explained = lateness !== null && breaches.some((b) => b.unit === 'ms' && b.actual - lateness <= b.threshold);
  const generatorBound = (!generator.trustworthy && (lateness === null || explained)) || (ran.exitCode === EXIT.untrustworthy && bundle.generator === null);
  const reasons = otherReasons.length > 0 ? otherReasons : [...breaches.map(describeBreach), ...(lateness === null ? [] : [`the generator's event loop ran ${lateness} ms late at p99: latencies include up to that much of its own waiting`])];
  const passed = !generatorBound && otherReasons.length === 0 && breaches.length === 0;
  const seconds = Math.max(1, context.stepSeconds);
  return {
    rate,
    // A step in which every request failed is the platform failing (untrustworthy for the gate, a fail here).
    passed,
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
