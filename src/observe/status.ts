// Rampart's own live family while Artillery runs: every few seconds it pushes, into the run's status
// group, whether the run is active and how many arrivals the schedule planned by then — what the
// alert rules compare Artillery's published `vusers_created` with (generator behind schedule) and
// what tells a finished run from one that stopped publishing. Planned arrivals follow the measurement
// plugin's schedule (src/core/schedule.ts: ramps as Artillery runs them, round(rate) per second),
// counted up to `lagSeconds` ago, because Artillery publishes its counters once per 10 s period.
import type { PlannedPhase } from '../core/bundle/types.ts';
import { planRun, plannedBetween } from '../core/schedule.ts';
import { exposition, pushAdd, type GroupKey } from './pushgateway.ts';

/** Arrivals the phases plan in their first `seconds` seconds (pure), by the plugin's schedule (src/core/schedule.ts). */
export function plannedArrivals(phases: readonly PlannedPhase[], seconds: number): number {
  if (seconds <= 0) return 0;
  return Math.floor(plannedBetween(planRun([...phases], 0), 0, seconds * 1000) + 1e-9);
}

export interface StatusInput {
  pushgateway: string;
  group: GroupKey;
  phases: readonly PlannedPhase[];
  startedAtMs: number;
  /** planned arrivals are counted up to this long ago (default 20 s: two of Artillery's periods) */
  lagSeconds?: number;
}

/** The status families at one moment (pure). */
export function statusText(input: StatusInput, nowMs: number, active: boolean): string {
  const elapsed = (nowMs - input.startedAtMs) / 1000 - (input.lagSeconds ?? 20);
  const planned = plannedArrivals(input.phases, elapsed);
  const total = input.phases.reduce((s, p) => s + p.duration, 0);
  return exposition({
    rampart_run_active: { type: 'gauge', help: '1 while the run is going, 0 once it ended', samples: [{ labels: {}, value: active ? 1 : 0 }] },
    rampart_run_planned_arrivals: { type: 'gauge', help: 'arrivals the schedule planned up to 20 s ago (Artillery publishes per 10 s period)', samples: [{ labels: {}, value: planned }] },
    rampart_run_planned_duration_seconds: { type: 'gauge', help: 'the phases\' total duration', samples: [{ labels: {}, value: total }] },
    rampart_run_started_timestamp_seconds: { type: 'gauge', help: 'when the first phase was due to start (Unix time)', samples: [{ labels: {}, value: input.startedAtMs / 1000 }] },
  });
}

export interface StatusPublisher {
  /** pushes `rampart_run_active 0` and stops; resolves when that push is done or failed */
  stop(): Promise<void>;
  /** pushes that failed so far (the first failure's message is kept) */
  failures(): { count: number; first: string | null };
}

/** Push the status now and every `everyMs` until stopped. Failures are counted, never thrown. */
export function publishStatus(input: StatusInput, everyMs = 5000): StatusPublisher {
  let count = 0;
  let first: string | null = null;
  const push = (active: boolean): Promise<void> =>
    pushAdd(input.pushgateway, input.group, statusText(input, Date.now(), active)).catch((error: unknown) => {
      count += 1;
      first ??= error instanceof Error ? error.message : String(error);
    });
  void push(true);
  const timer = setInterval(() => void push(true), everyMs);
  timer.unref();
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await push(false);
    },
    failures: () => ({ count, first }),
  };
}
