// The platform's Prometheus /metrics (text exposition 0.0.4, prom-client's default Node metrics and
// the platform's own gauges) read into the figures the sampler records. Pure, except fetchMetrics.

/** Each metric family's samples summed over their labels, and each family's declared TYPE. */
export interface MetricsText {
  values: Map<string, number>;
  types: Map<string, string>;
}

/** Parses the text exposition; every sample's value is added to its name's total (labels are summed over). */
export function parseMetricsText(text: string): MetricsText {
  const values = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const declared = /^# TYPE (\S+)\s+(\S+)/.exec(line);
      if (declared !== null) types.set(declared[1], declared[2]);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(?:[^}"]|"(?:[^"\\]|\\.)*")*\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const value = Number(match[2]);
    if (!Number.isFinite(value)) continue;
    values.set(match[1], (values.get(match[1]) ?? 0) + value);
  }
  return { values, types };
}

/** A queue-depth gauge: `<name>_backlog`, or `<name>_backlog_<unit>` (rampart_detection_backlog_events). */
export const isBacklogGauge = (name: string, type: string | undefined): boolean => type === 'gauge' && /_backlog(?:_[a-z]+)?$/.test(name);

/** What one /metrics scrape says; absent figures are undefined. Counters are running totals. */
export interface MetricsReading {
  cpuUserSeconds?: number;
  cpuSystemSeconds?: number;
  rssBytes?: number;
  heapUsedBytes?: number;
  eventLoopDelayP99Ms?: number;
  gcSecondsTotal?: number;
  handles?: number;
  pool?: { total: number; inUse: number; waiting: number };
  queues: Record<string, number>;
}

export function readMetrics({ values: v, types }: MetricsText): MetricsReading {
  const lag = v.get('nodejs_eventloop_lag_p99_seconds');
  const [total, inUse, waiting] = ['rampart_db_pool_total', 'rampart_db_pool_in_use', 'rampart_db_pool_waiting'].map((n) => v.get(n));
  const queues: Record<string, number> = {};
  for (const [name, value] of v) if (isBacklogGauge(name, types.get(name))) queues[name] = value;
  return {
    cpuUserSeconds: v.get('process_cpu_user_seconds_total'),
    cpuSystemSeconds: v.get('process_cpu_system_seconds_total'),
    rssBytes: v.get('process_resident_memory_bytes'),
    heapUsedBytes: v.get('nodejs_heap_size_used_bytes'),
    eventLoopDelayP99Ms: lag === undefined ? undefined : lag * 1000,
    gcSecondsTotal: v.get('nodejs_gc_duration_seconds_sum'),
    handles: v.get('nodejs_active_handles_total') ?? v.get('nodejs_active_handles'),
    pool: total === undefined || inUse === undefined || waiting === undefined ? undefined : { total, inUse, waiting },
    queues,
  };
}

/** One scrape of `<base>/metrics`, bounded in time; null when it does not answer 200 in time. */
export async function fetchMetrics(base: string, timeoutMs: number): Promise<MetricsReading | null> {
  try {
    const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    return response.ok ? readMetrics(parseMetricsText(text)) : null;
  } catch {
    return null;
  }
}
