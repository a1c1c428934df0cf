// The run bundle: the contract between the stages. One folder per run, reports/<runId>/.
//
//   run.json         RunManifest     what ran (written by `rampart run`; absent for a bundle made
//                                    from a plain `artillery run --output` file)
//   artillery.json   Artillery's own --output JSON ({aggregate, intermediate[]})
//   histograms.json  HistogramFile   the measurement plugin's exact, mergeable latency histograms
//   generator.json   GeneratorFile   the measurement plugin's load-generator health per period
//   resources.json   ResourcesFile   the platform's, its database's and the generator's resources (src/sample)
//   statements.json  StatementsFile  pg_stat_statements delta over the run and EXPLAIN of the top statements
//   report.html, summary.md, junit.xml   written by `rampart report`
//   gate.json        GateResult      written by `rampart gate`
//
// Histograms are HdrHistogram (hdr-histogram-js) encoded with encodeIntoCompressedBase64, values in
// microseconds, lowest discernible 1 µs, highest trackable 120 s, 3 significant digits, so any
// number of them (periods, runs, load generators) merge exactly by adding.

import type { HistogramFileHandle } from './histogram-read.ts';

export const BUNDLE_FILES = {
  run: 'run.json',
  artillery: 'artillery.json',
  histograms: 'histograms.json',
  generator: 'generator.json',
  resources: 'resources.json',
  statements: 'statements.json',
  report: 'report.html',
  summary: 'summary.md',
  junit: 'junit.xml',
  gate: 'gate.json',
} as const;

export const HISTOGRAM_SETTINGS = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 120_000_000,
  numberOfSignificantValueDigits: 3,
} as const;

/** Artillery reports in 10 s periods aligned to the wall clock; the plugin uses the same periods. */
export const PERIOD_MS = 10_000;

export interface PlannedPhase {
  name?: string;
  duration: number; // seconds
  arrivalRate?: number; // arrivals per second at the start
  rampTo?: number; // arrivals per second at the end (linear ramp)
  arrivalCount?: number; // total arrivals spread over the phase
  pause?: number;
}

export interface RunManifest {
  schema: 'rampart.run/1';
  runId: string;
  profile: string;
  flows: { name: string; weight: number }[];
  seed: number;
  target: string; // base URL
  gitRevision: string | null;
  startedAt: string; // ISO
  endedAt: string | null; // null while running or when interrupted before the end
  interrupted: boolean;
  artilleryExitCode: number | null;
  rateScale: number;
  durationOverride: string | null;
  phases: PlannedPhase[];
  versions: { rampart: string; artillery: string; node: string };
  host: { hostname: string; cpus: number; memoryBytes: number };
}

/** Latency statistics of one histogram, in ms (src/core/histogram.ts latencyStats). */
export interface LatencySummary {
  count: number;
  min: number; mean: number;
  p50: number; p75: number; p90: number; p95: number; p99: number; p999: number;
  max: number;
}

export interface PeriodHistogram {
  start: number; // period start, ms since epoch, a multiple of PERIOD_MS
  histogram: string; // encodeIntoCompressedBase64, µs
  /** derived from `histogram` when the file is written (absent when empty or not precomputed) */
  stats?: LatencySummary;
  errors: number; // requests in the period that ended in a transport error (no response)
  codes: Record<string, number>; // HTTP status -> count in the period
  /** transport error code (ETIMEDOUT, ECONNREFUSED, ...) -> count; sums to `errors` (added by the plugin) */
  errorKinds?: Record<string, number>;
}

export interface HistogramFile {
  schema: 'rampart.histograms/1';
  unit: 'us';
  periodMs: number;
  /** endpoint key ("GET /api/v1/alerts/:id") -> its periods, oldest first */
  endpoints: Record<string, PeriodHistogram[]>;
  /** custom metrics recorded through the plugin (e.g. "rampart.detection_latency"), same encoding, values in µs */
  metrics: Record<string, PeriodHistogram[]>;
  // Derived, optional (withDerivedParts in ./histogram-file.ts adds them; readers
  // recompute from the periods when they are absent). They spare readers decoding every period.
  /** all endpoints merged, per period */
  overall?: PeriodHistogram[];
  /** each series merged over the whole run (encoded histograms) */
  totals?: { overall: string; endpoints: Record<string, string>; metrics: Record<string, string> };
}

export interface GeneratorPeriod {
  start: number; // ms since epoch, period start
  plannedArrivals: number; // from the phases as planned
  actualArrivals: number; // virtual users Artillery created in the period
  cpuPercent: number; // generator process CPU, percent of one core, mean over the period
  /** event-loop delay (how late a 10 ms timer fired, beyond its interval), worst thread, ms */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** busiest worker thread's event-loop utilisation in the period, 0..1 (absent without worker data) */
  workerUtilization?: number;
  /** event-loop delay p99 of the worker threads (they send the requests and read the responses), ms */
  workerEventLoopDelayP99Ms?: number;
}

export interface GeneratorFile {
  schema: 'rampart.generator/1';
  periods: GeneratorPeriod[];
  planned: { arrivals: number; durationSeconds: number };
  actual: { arrivals: number; firstArrivalAt: number | null; lastArrivalAt: number | null };
  /**
   * The window the trust rules judged, ms since the epoch: from the first phase's start to the planned
   * end (or the interruption). Full periods lie wholly inside it (src/core/trust.ts isFullPeriod).
   * Absent when no phase started, and in files written before the plugin recorded it.
   */
  judged?: { start: number; end: number };
  /** The plugin's own verdict on the run; the gate refuses to judge when trustworthy is false. */
  trust: {
    trustworthy: boolean;
    reasons: string[];
    /**
     * The error bar the generator puts on the latencies, ms: its worker threads' event-loop delay
     * p99 over the judged window, the most it may have added to a latency up to p99 (src/core/trust.ts,
     * rule "delayed"). Absent when no worker measured it (counters of a distributed run, older files).
     */
    generatorDelayMs?: number;
  };
}

export type Verdict = 'SLOWER' | 'FASTER' | 'SAME' | 'UNKNOWN';

/** The parts of Artillery's --output JSON that Rampart reads. */
export interface ArtillerySummary {
  min: number; max: number; count: number; mean: number;
  p50?: number; // absent from some Artillery versions (median is there)
  median: number; p75: number; p90: number; p95: number; p99: number; p999: number;
}
export interface ArtilleryPeriod {
  counters: Record<string, number>;
  rates: Record<string, number>;
  summaries: Record<string, ArtillerySummary>;
  histograms?: Record<string, ArtillerySummary>;
  period?: number | string; // ms since epoch (string in some versions)
  firstCounterAt?: number; firstHistogramAt?: number; lastCounterAt?: number; lastHistogramAt?: number;
  firstMetricAt?: number; lastMetricAt?: number;
}
export interface ArtilleryOutput {
  aggregate: ArtilleryPeriod;
  intermediate: ArtilleryPeriod[];
}

/**
 * A bundle as loaded by src/results/bundle.ts (loadBundle). Files that are absent are null.
 * `histograms` is histograms.json opened for streaming (./histogram-read.ts), or a whole document
 * (the plugin's merged measurements, a test's fixture); src/results reads both the same way.
 */
export interface LoadedBundle {
  dir: string;
  manifest: RunManifest | null;
  artillery: ArtilleryOutput;
  histograms: HistogramFile | HistogramFileHandle | null;
  generator: GeneratorFile | null;
  /** resources.json / statements.json (src/sample); null or absent when the bundle has none */
  resources?: ResourcesFile | null;
  statements?: StatementsFile | null;
}

// resources.json and statements.json: written by src/sample while `rampart run` goes (docs/analysis.md).
export interface ResourcesFile {
  schema: 'rampart.resources/1';
  intervalMs: number;
  /** where each part came from; null = not sampled */
  sources: { platform: 'proc' | 'metrics' | null; database: 'postgres' | null; generator: 'proc' | null };
  /** one line per part that could not be sampled and why */
  missing: string[];
  samples: ResourceSample[]; // oldest first
  /** the sampler's own cost: samples taken and CPU of the sampling process per sample (an upper bound) */
  sampler?: { samples: number; cpuMsPerSample: number };
}
export interface ResourceSample {
  t: number; // ms since epoch, end of the interval
  platform?: {
    cpuUserPercent: number; cpuSystemPercent: number; // percent of one core over the interval
    rssBytes: number;
    heapUsedBytes?: number; eventLoopDelayP99Ms?: number;
    gcSeconds?: number; // GC time within the interval
    handles?: number;
    diskReadBytes?: number; diskWriteBytes?: number; // within the interval (/proc/<pid>/io)
  };
  databaseProcess?: { cpuPercent: number; rssBytes: number; diskReadBytes?: number; diskWriteBytes?: number };
  host?: { cpuPercent: number; netRxBytes: number; netTxBytes: number }; // whole machine; net within the interval
  pool?: { total: number; inUse: number; waiting: number };
  database?: {
    active: number; idle: number; idleInTransaction: number;
    waitingOnLock: number;
    cacheHitRatio: number | null; // within the interval
    rowsRead: number; rowsWritten: number;
    tempBytes: number; deadlocks: number;
  };
  generator?: { cpuPercent: number; rssBytes: number };
  /** queue depth gauges from /metrics (names ending in _backlog, or _backlog_<unit>) */
  queues?: Record<string, number>;
}
export interface StatementsFile {
  schema: 'rampart.statements/1';
  source: 'pg_stat_statements';
  window: { start: number; end: number }; // ms since epoch of the two snapshots
  totalExecMs: number;
  statements: StatementDelta[]; // calls > 0, by totalExecMs descending
  plans: StatementPlan[];
}
export interface StatementDelta {
  queryId: string; query: string;
  calls: number; totalExecMs: number; meanExecMs: number; rows: number;
  sharedBlksHit: number; sharedBlksRead: number; tempBlksWritten: number;
}
/** plan = EXPLAIN (FORMAT JSON, GENERIC_PLAN)'s first element's "Plan"; null with `error` when it could not be explained */
export interface StatementPlan { queryId: string; plan: unknown; error?: string }

// The gate's result (gate.json); the report shows it.
export interface SloCheck {
  scope: string; // endpoint key, '*' for the run as a whole, or a custom metric name
  metric: string; // e.g. 'p95', 'p99', 'errorRate', 'minThroughput', 'detectionLatencyP95'
  threshold: number;
  actual: number | null; // null when the run has no data for it
  unit: 'ms' | 'ratio' | 'rps' | 'count' | 'rate'; // count: a custom counter's total; rate: a custom rate, per second
  passed: boolean;
}
export interface EndpointComparison {
  endpoint: string;
  verdict: Verdict;
  ratio: number | null; // candidate / baseline of the compared statistic; > 1 means slower
  pValue: number | null;
  detail: string; // one line a reviewer can read
}
export interface GateResult {
  schema: 'rampart.gate/1';
  outcome: 'pass' | 'fail' | 'untrustworthy';
  trust: { trustworthy: boolean; reasons: string[] };
  slo: SloCheck[];
  comparisons: EndpointComparison[];
  baseline: { source: string; runs: number } | null;
}
