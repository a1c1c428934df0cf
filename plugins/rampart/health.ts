// Load-generator health, sampled once a second and summed per 10 s wall-clock period:
// - in the main thread: CPU of the whole process (process.cpuUsage covers every worker thread),
//   and the main thread's event-loop delay;
// - in each worker thread (where Artillery sends the load): event-loop utilisation (the share of
//   time the loop was busy) and event-loop delay.
// The timers are unref'd: they never keep Artillery alive.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';
import { PERIOD_MS } from '../../src/core/bundle/types.ts';
import type { HealthPeriod } from '../../src/core/generator.ts';

interface Accumulator {
  wallMicros: number;
  cpuMicros: number;
  eluActive: number;
  eluTotal: number;
  delayP99Ns: number;
  delayMaxNs: number;
}

export interface HealthSampler {
  stop(): HealthPeriod[];
}

/**
 * Starts sampling. `onWorkerSample` (worker threads) receives each sample's busy and sampled µs of
 * the event loop, for the counters that carry worker health out of the process (./channel.ts).
 */
export function startHealthSampler(kind: 'main' | 'worker', intervalMs = 1000, onWorkerSample?: (busyMicros: number, sampledMicros: number) => void): HealthSampler {
  const periods = new Map<number, Accumulator>();
  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let lastWall = process.hrtime.bigint();
  let lastCpu = process.cpuUsage();
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();

  const sample = (): void => {
    const now = Date.now();
    const start = now - (now % PERIOD_MS);
    let slot = periods.get(start);
    if (slot === undefined) {
      slot = { wallMicros: 0, cpuMicros: 0, eluActive: 0, eluTotal: 0, delayP99Ns: 0, delayMaxNs: 0 };
      periods.set(start, slot);
    }
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
    if (delay.count > 0) {
      slot.delayP99Ns = Math.max(slot.delayP99Ns, delay.percentile(99));
      slot.delayMaxNs = Math.max(slot.delayMaxNs, delay.max);
    }
    delay.reset();
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();

  return {
    stop(): HealthPeriod[] {
      clearInterval(timer);
      sample();
      delay.disable();
      return [...periods.entries()]
        .sort(([a], [b]) => a - b)
        .map(([start, slot]) => {
          const period: HealthPeriod = {
            start,
            eventLoopDelayP99Ms: round(slot.delayP99Ns / 1e6),
            eventLoopDelayMaxMs: round(slot.delayMaxNs / 1e6),
          };
          if (kind === 'main') period.cpuPercent = slot.wallMicros > 0 ? round((100 * slot.cpuMicros) / slot.wallMicros) : 0;
          else period.utilization = slot.eluTotal > 0 ? round(slot.eluActive / slot.eluTotal, 4) : 0;
          return period;
        });
    },
  };
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
