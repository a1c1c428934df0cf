// The platform's resources while the run goes: its Prometheus /metrics read every few seconds
// (process CPU and memory, event-loop lag, the database pool). A platform that does not answer leaves
// a gap, never an error.
export interface PlatformSample {
  at: number;
  /** CPU used since the previous sample, in cores; null for the first */
  cpuCores: number | null;
  rssBytes: number | null;
  eventLoopLagP99Ms: number | null;
  poolInUse: number | null;
  poolWaiting: number | null;
}

/** The first sample of each metric name in a text exposition (pure); labels are ignored. */
export function firstValues(text: string, names: readonly string[]): Map<string, number> {
  const wanted = new Set(names);
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match === null || !wanted.has(match[1]) || out.has(match[1])) continue;
    const value = Number(match[2]);
    if (Number.isFinite(value)) out.set(match[1], value);
  }
  return out;
}

const NAMES = ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'rampart_db_pool_in_use', 'rampart_db_pool_waiting'];

export interface PlatformFeed {
  samples(): readonly PlatformSample[];
  stop(): void;
}

/** Sample `<platform>/metrics` now and every `everyMs` until stopped. */
export function samplePlatform(platformUrl: string, everyMs = 5000): PlatformFeed {
  const samples: PlatformSample[] = [];
  let previous: { at: number; cpu: number } | null = null;
  const sample = async (): Promise<void> => {
    try {
      const response = await fetch(`${platformUrl}/metrics`, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) return;
      const at = Date.now();
      const v = firstValues(await response.text(), NAMES);
      const cpu = v.get('process_cpu_seconds_total');
      const cpuCores = cpu === undefined || previous === null ? null : (cpu - previous.cpu) / ((at - previous.at) / 1000);
      if (cpu !== undefined) previous = { at, cpu };
      const lag = v.get('nodejs_eventloop_lag_p99_seconds');
      samples.push({
        at,
        cpuCores,
        rssBytes: v.get('process_resident_memory_bytes') ?? null,
        eventLoopLagP99Ms: lag === undefined ? null : lag * 1000,
        poolInUse: v.get('rampart_db_pool_in_use') ?? null,
        poolWaiting: v.get('rampart_db_pool_waiting') ?? null,
      });
    } catch {
      // not answering: a gap in the charts
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), everyMs);
  timer.unref();
  return { samples: () => samples, stop: () => { clearInterval(timer); } };
}
