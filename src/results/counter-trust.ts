// The generator's trust verdict (generator.json) from the plugin's counters in an Artillery output,
// for runs whose load generators share no disk (run-fargate's containers): the same rules
// (src/core/generator.ts, src/core/trust.ts) over what the counters carry from every worker of every
// container (names: src/core/counters.ts):
//   planned    the phases as written, once per load generator (run-fargate runs the whole script in
//              each of its --count containers), each anchored at that generator's first arrival
//              (containers start a few seconds apart), summed
//   arrivals   per second from plugins.rampart.a.<generator>.<second>, per period from vusers.created
//   workers    each worker thread's event-loop utilisation per period (busy_us / sampled_us): the
//              saturation rule judges every worker
//   complete   when the number of load generators is known, each must have reported
// Not carried: the process CPU and event-loop delay of each container (the saturation rule judges
// worker event loops only), and interruptions (a container stopped early shows as arrivals behind).
import type { ArtilleryOutput, GeneratorFile } from '../core/bundle/types.ts';
import { COUNTER_KINDS, parseCounterName } from '../core/counters.ts';
import { buildGeneratorFile } from '../core/generator.ts';
import type { HealthPeriod } from '../core/generator.ts';
import { planRun } from '../core/schedule.ts';
import type { PhaseSpec, PlannedRun } from '../core/schedule.ts';
import { countersByPeriod, hasPluginCounters, periodStartOf } from './counter-histograms.ts';

export interface CounterTrustOptions {
  /** the script's phases as written; without them arrivals cannot be judged against a plan */
  phases: PhaseSpec[];
  /** load generators that ran the script (run-fargate --count); each runs every phase */
  loadGenerators: number;
}

/** A worker id in counters is `<host>-<pid>-<thread>`; its load generator is `<host>-<pid>`. */
const loadGeneratorOf = (worker: string): string => worker.replace(/-\d+$/, '');

/**
 * The fleet's plan: the phases once per generator, each from its own first second, summed; a
 * generator that never started is planned from the earliest start (its arrivals are all missing).
 */
function fleetPlan(phases: PhaseSpec[], starts: number[], generators: number): PlannedRun {
  const first = Math.min(...starts);
  const all = [...starts, ...Array<number>(Math.max(0, generators - starts.length)).fill(first)];
  const perSecond = new Map<number, number>();
  let end = first;
  for (const start of all) {
    const plan = planRun(phases, start);
    const shift = Math.round((start - first) / 1000);
    for (const second of plan.seconds) perSecond.set(second.offsetSeconds + shift, (perSecond.get(second.offsetSeconds + shift) ?? 0) + second.arrivals);
    end = Math.max(end, start + plan.durationSeconds * 1000);
  }
  const seconds = [...perSecond].sort(([a], [b]) => a - b).map(([offsetSeconds, arrivals]) => ({ offsetSeconds, arrivals }));
  return { startedAt: first, durationSeconds: (end - first) / 1000, arrivals: seconds.reduce((n, s) => n + s.arrivals, 0), seconds };
}

/** generator.json for a run known only by its Artillery output; null when it has no plugin counters. */
export function generatorFromCounters(output: ArtilleryOutput, options: CounterTrustOptions): GeneratorFile | null {
  if (!hasPluginCounters(output)) return null;
  const arrivalsBySecond: Record<string, number> = {};
  const firstSecond = new Map<string, number>(); // generator -> its first second with an arrival
  const workers = new Map<string, Map<number, { busy: number; sampled: number }>>();
  let lastActivePeriod = -1;
  for (const [start, counters] of countersByPeriod(output)) {
    for (const [name, n] of Object.entries(counters)) {
      const parsed = parseCounterName(name);
      if (parsed === null) continue;
      if (parsed.kind === COUNTER_KINDS.arrivals) {
        arrivalsBySecond[parsed.field] = (arrivalsBySecond[parsed.field] ?? 0) + n;
        firstSecond.set(parsed.series, Math.min(firstSecond.get(parsed.series) ?? Infinity, Number(parsed.field)));
      }
      else if (parsed.kind === COUNTER_KINDS.latency || parsed.kind === COUNTER_KINDS.errors) lastActivePeriod = Math.max(lastActivePeriod, start);
      else if (parsed.kind === COUNTER_KINDS.worker && (parsed.field === 'busy_us' || parsed.field === 'sampled_us')) {
        let periods = workers.get(parsed.series);
        if (periods === undefined) workers.set(parsed.series, (periods = new Map<number, { busy: number; sampled: number }>()));
        const slot = periods.get(start) ?? { busy: 0, sampled: 0 };
        if (parsed.field === 'busy_us') slot.busy += n;
        else slot.sampled += n;
        periods.set(start, slot);
      }
    }
  }
  const actualByPeriod = new Map<number, number>();
  for (const period of output.intermediate) {
    const start = periodStartOf(period);
    if (start !== null) actualByPeriod.set(start, (actualByPeriod.get(start) ?? 0) + (period.counters['vusers.created'] ?? 0));
  }
  const seconds = Object.keys(arrivalsBySecond).map(Number).sort((a, b) => a - b);
  const firstArrivalAt = seconds.length === 0 ? null : seconds[0] * 1000;
  const lastArrivalAt = seconds.length === 0 ? null : seconds[seconds.length - 1] * 1000;

  let plan: PlannedRun | null = null;
  let planError: string | null = null;
  if (firstSecond.size > 0) {
    try {
      plan = fleetPlan(options.phases, [...firstSecond.values()].map((second) => second * 1000), options.loadGenerators);
    } catch (error) {
      planError = error instanceof Error ? error.message : String(error);
    }
  }
  const workerHealth: HealthPeriod[][] = [...workers.values()].map((periods) =>
    [...periods.entries()].sort(([a], [b]) => a - b).map(([start, slot]) => ({
      start,
      utilization: slot.sampled > 0 ? Math.round((10_000 * slot.busy) / slot.sampled) / 10_000 : 0,
      eventLoopDelayP99Ms: 0,
      eventLoopDelayMaxMs: 0,
    })),
  );
  const reported = new Set([...workers.keys()].map(loadGeneratorOf).concat([...firstSecond.keys()])).size;
  const missing = reported < options.loadGenerators ? [`${String(options.loadGenerators - reported)} of the ${String(options.loadGenerators)} load generators (only ${String(reported)} reported)`] : [];
  return buildGeneratorFile({
    plan,
    planError,
    actualByPeriod,
    arrivalsBySecond,
    firstArrivalAt,
    lastArrivalAt,
    mainHealth: [],
    workerHealth,
    cpus: 1,
    missingWorkers: missing,
    totalCreated: output.aggregate.counters['vusers.created'] ?? null,
    lastActivePeriod,
  });
}
