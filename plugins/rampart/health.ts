// Load-generator health, per 10 s wall-clock period:
// - in the main thread: CPU of the whole process (process.cpuUsage covers every worker thread),
//   and the main thread's event-loop delay;
// - in each worker thread (where Artillery sends the load and the responses are read):
//   event-loop utilisation (the share of time the loop was busy) and event-loop delay.
//
// Event-loop delay is how late a 10 ms timer fires: the time, beyond its interval, that the thread
// could not run it because it was busy or not scheduled by the OS. A response that arrives meanwhile
// waits as long before its end is read, so a worker's delay is latency the generator itself adds
// (the trust rule "delayed", src/core/trust.ts). Each late firing is recorded in µs into an HDR
// histogram per period (src/core/histogram.ts), which a worker hands to the main thread encoded, so
// that the delays of the judged window merge exactly across periods and workers.
// (node:perf_hooks' monitorEventLoopDelay reports the interval itself too, 10 ms when idle, and its
// histograms cannot be merged; it is not used.)
// A worker's delay is recorded from its first arrival (HealthSampler.watchDelay) to the end.
// The timers are unref'd: they never keep Artillery alive.
import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { PERIOD_MS } from '../../src/core/bundle/types.ts';
import { encodeHistogram, latencyStats, newHistogram, recordMicros } from '../../src/core/histogram.ts';
import type { Histogram } from '../../src/core/histogram.ts';
import type { HealthPeriod } from '../../src/core/generator.ts';

/** The delay timer's interval (ms). 100 callbacks a second: a few µs of CPU each. */
export const DELAY_TICK_MS = 10;

interface Accumulator {
  wallMicros: number;
  cpuMicros: number;
  eluActive: number;
  eluTotal: number;
  delay: Histogram;
}

export interface HealthSampler {
  /** Starts the event-loop delay timer (once): a worker calls it at its first arrival, so that its
   * start-up (loading the script and processors) is not counted as delay of the load. */
  watchDelay(): void;
  stop(): HealthPeriod[];
}

/**
 * Starts sampling. `onWorkerSample` (worker threads) receives each sample's busy and sampled µs of
 * the event loop, for the counters that carry worker health out of the process (./channel.ts).
 */
export function startHealthSampler(kind: 'main' | 'worker', intervalMs = 1000, onWorkerSample?: (busyMicros: number, sampledMicros: number) => void): HealthSampler {
  const periods = new Map<number, Accumulator>();
  const slotAt = (now: number): Accumulator => {
    const start = now - (now % PERIOD_MS);
    let slot = periods.get(start);
    if (slot === undefined) {
      slot = { wallMicros: 0, cpuMicros: 0, eluActive: 0, eluTotal: 0, delay: newHistogram() };
      periods.set(start, slot);
    }
    return slot;
  };

  let lastTick = performance.now();
  const tick = (): void => {
    const now = performance.now();
    recordMicros(slotAt(Date.now()).delay, (now - lastTick - DELAY_TICK_MS) * 1000);
    lastTick = now;
  };

  let lastWall = process.hrtime.bigint();
  let lastCpu = process.cpuUsage();
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  const sample = (): void => {
    const slot = slotAt(Date.now());
    const wall = process.hrtime.bigint();
    slot.wallMicros += Number(wall - lastWall) / 1000;
    lastWall = wall;
    if (kind === 'main') {
      const cpu = process.cpuUsage(lastCpu);
      slot.cpuMicros += cpu.user + cpu.system;
      lastCpu = process.cpuUsage();
    } else {
      const elu = performance.eventLoopUtilization(lastElu);
      slot.eluActive += elu.active;
      slot.eluTotal += elu.active + elu.idle;
      onWorkerSample?.(elu.active * 1000, (elu.active + elu.idle) * 1000);
      lastElu = performance.eventLoopUtilization();
    }
  };
  let delayTimer: NodeJS.Timeout | null = null;
  const watchDelay = (): void => {
    if (delayTimer !== null) return;
    lastTick = performance.now();
    delayTimer = setInterval(tick, DELAY_TICK_MS);
    delayTimer.unref();
  };
  if (kind === 'main') watchDelay();
  const timer = setInterval(sample, intervalMs);
  timer.unref();

  return {
    watchDelay,
    stop(): HealthPeriod[] {
      clearInterval(timer);
      if (delayTimer !== null) clearInterval(delayTimer);
      sample();
      return [...periods.entries()]
        .sort(([a], [b]) => a - b)
        .map(([start, slot]) => {
          const delay = latencyStats(slot.delay);
          const period: HealthPeriod = { start, eventLoopDelayP99Ms: round(delay?.p99 ?? 0), eventLoopDelayMaxMs: round(delay?.max ?? 0) };
          if (kind === 'main') period.cpuPercent = slot.wallMicros > 0 ? round((100 * slot.cpuMicros) / slot.wallMicros) : 0;
          else {
            period.utilization = slot.eluTotal > 0 ? round(slot.eluActive / slot.eluTotal, 4) : 0;
            if (slot.delay.totalCount > 0) period.eventLoopDelay = encodeHistogram(slot.delay);
          }
          return period;
        });
    },
  };
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
