// The load generator as the bottleneck (generator.json): when the generator cannot keep its
// schedule or its worker's event loop is saturated, latencies include client-side queueing and the
// platform never saw the planned load, so this finding ranks first whatever else the run shows. Pure.
//
// A period is flagged when (a full period) its arrivals fell below plan, or when the busiest worker's
// event loop was >= 90% busy *on its own work*: the generator process (every thread) used at least the
// 90% of a core such a worker burns. Event-loop utilisation is a share of wall time, and a callback
// the OS preempts is still "busy": on a machine whose cores are taken (a CPU-bound platform on the
// same 2 cores) a worker that needs half a core shows 100% busy at half a core of CPU. That is waiting
// for a core, not the generator's own limit; what it adds to latencies is the trust rule "delayed"
// (src/core/trust.ts), and the platform's finding stays first. Files without the process CPU (built
// from counters, run-fargate: every period at 0) are judged on the event loop alone. (Event-loop
// delay flags nothing for the same reason: it rises whenever the generator waits for a core.)
// The finding is made when the plugin's verdict names the generator (fell behind, send rate below
// plan, CPU saturated) or when at least half the periods, and at least 2, are flagged; its share is
// the flagged share of the periods (the whole run when only the on-time rule failed).
import type { GeneratorPeriod } from '../core/bundle/types.ts';
import { isBelowPlan } from '../core/trust.ts';
import { round } from './context.ts';
import type { RuleInput } from './context.ts';
import type { Candidate } from './types.ts';

export const GENERATOR_RULES = { workerUtilization: 0.9, flaggedShare: 0.5 } as const;

// The plugin's reasons that name the generator's own limit; "starved of CPU" and "delayed its own
// measurements" name the machine's cores or the generator's error bar, not its limit.
const GENERATOR_REASON = /fell behind the schedule|send rate below|CPU saturated/i;

/** Reads only the generator file: a pure function of generator.json. */
export function generatorFindings(input: Pick<RuleInput, 'generator'>): Candidate[] {
  const file = input.generator;
  if (file === null || file.periods.length === 0) return [];
  const judged = file.judged;
  const cpuKnown = file.periods.some((p) => p.cpuPercent > 0);
  const saturated = (p: GeneratorPeriod): boolean =>
    (p.workerUtilization ?? 0) >= GENERATOR_RULES.workerUtilization && (!cpuKnown || p.cpuPercent >= 100 * GENERATOR_RULES.workerUtilization);
  const flagged = file.periods.filter((p) => {
    const full = judged !== undefined && p.start >= judged.start && p.start + 10_000 <= judged.end;
    return saturated(p) || (full && isBelowPlan(p.actualArrivals, p.plannedArrivals));
  });
  const reasons = file.trust.reasons.filter((r) => GENERATOR_REASON.test(r));
  const share = flagged.length / file.periods.length;
  if (reasons.length === 0 && (flagged.length < 2 || share < GENERATOR_RULES.flaggedShare)) return [];
  const maxOf = (values: number[]): number => (values.length === 0 ? 0 : Math.max(...values));
  const utilisation = file.periods.flatMap((p) => (p.workerUtilization === undefined ? [] : [p.workerUtilization]));
  return [{
    rule: 'generator-bound', tier: 'bottleneck', subject: 'the load generator', share: share > 0 ? share : 1, shareOf: 'run',
    title: `the load generator is the bottleneck: ${reasons.length > 0 ? reasons[0] : `saturated or behind plan in ${String(flagged.length)} of ${String(file.periods.length)} periods`}`,
    evidence: [
      { label: 'periods saturated or behind plan', value: flagged.length, unit: 'count' },
      { label: 'periods', value: file.periods.length, unit: 'count' },
      { label: 'busiest worker event-loop utilisation, max', value: round(maxOf(utilisation) * 100), unit: '%' },
      { label: 'event-loop delay p99, max', value: round(maxOf(file.periods.map((p) => p.eventLoopDelayP99Ms))), unit: 'ms' },
      { label: 'generator CPU, max', value: round(maxOf(file.periods.map((p) => p.cpuPercent))), unit: '% of a core' },
      { label: 'arrivals planned', value: file.planned.arrivals, unit: 'count' },
      { label: 'arrivals created', value: file.actual.arrivals, unit: 'count' },
      { label: 'trust reasons naming the generator', value: reasons.length, unit: 'count' },
    ],
    recommendation: 'the measurement, not the platform, hit its limit: make the processors cheaper per request (no busy loops, no large payloads built per request), lower the rate per generator, or spread the load over more generators (rampart run --fargate)',
  }];
}
