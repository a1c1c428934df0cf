// The report's view of a run: everything the three renderers show, already computed. Built once
// from a loaded bundle (build.ts), rendered by html.ts, markdown.ts and junit.ts, which are pure
// functions of it. Latencies here are milliseconds; times are ms since the epoch.
import type { Finding } from '../analyze/types.ts';
import type { ExpectResults } from '../results/index.ts';
import type { EndpointComparison, GateResult, GeneratorPeriod, SloCheck, Verdict } from '../core/bundle/types.ts';

/** pass/fail come from a gate result; untrustworthy from the gate or the generator's own verdict. */
export type VerdictLevel = 'pass' | 'fail' | 'untrustworthy' | 'unjudged';

/**
 * Where the latencies come from: 'histograms' = the measurement plugin's exact µs HDR histograms;
 * 'artillery' = Artillery's own summaries only (whole milliseconds, percentiles from a sketch).
 */
export type LatencySource = 'histograms' | 'artillery';

export interface LatencyFigures {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export interface EndpointRow extends LatencyFigures {
  key: string; // endpoint key, or Artillery's request name for a plain run
  requests: number; // responses plus transport errors
  ratePerSecond: number | null;
  errors: number; // transport errors plus 5xx responses
  errorRate: number; // errors / requests
  apdex: number | null;
  slo: 'pass' | 'fail' | 'none'; // from the gate's checks whose scope is this endpoint
  sloFailures: string[]; // one line per breached check
  comparison: { verdict: Verdict; ratio: number | null; detail: string } | null;
}

export interface SeriesLine {
  label: string;
  values: (number | null)[]; // one per period; null = no data in that period
}

/** One chart: lines over the run's periods. Drawn with uPlot in the HTML report. */
export interface ChartSpec {
  id: string; // DOM id, [a-z0-9-]
  title: string;
  unit: string; // axis label
  x: number[]; // period starts (resource charts: sample times), ms since the epoch
  lines: SeriesLine[];
  /** the x range every time chart shares (ms since the epoch), so resources line up with latency */
  range?: [number, number];
}

/** One row of the top-statements table (statements.json). */
export interface StatementRow {
  queryId: string;
  query: string; // normalised text, whitespace collapsed
  calls: number;
  totalExecMs: number;
  meanExecMs: number;
  rows: number;
  share: number | null; // of all statement time in the run, 0..1
  sharedBlksHit: number;
  sharedBlksRead: number;
  hitRatio: number | null;
  plan: string | null; // the plan's nodes, outermost first
  planError: string | null;
}

/** The platform's side of the run (resources.json, statements.json); see src/report/platform.ts. */
export interface PlatformSection {
  sources: { platform: 'proc' | 'metrics' | null; database: 'postgres' | null; generator: 'proc' | null } | null;
  intervalMs: number | null;
  samples: number;
  /** what could not be sampled and why */
  missing: string[];
  samplerCpuMsPerSample: number | null;
  charts: ChartSpec[];
  statements: { windowSeconds: number; totalExecMs: number; count: number; rows: StatementRow[] } | null;
}

export interface CustomMetricRow extends LatencyFigures {
  name: string; // the metric as recorded, e.g. "rampart.detection_latency"
  label: string; // what a reader calls it, e.g. "Detection latency"
  slo: 'pass' | 'fail' | 'none'; // from the gate's checks scoped to this metric (detectionLatencyP95, ...)
  sloFailures: string[];
}

export interface ScenarioRow {
  name: string;
  created: number;
}

export interface ReportModel {
  schema: 'rampart.report/1';
  title: string;
  latencySource: LatencySource;
  run: {
    runId: string | null;
    profile: string | null;
    target: string | null;
    startedAt: string | null;
    endedAt: string | null;
    durationSeconds: number | null;
    gitRevision: string | null;
    interrupted: boolean;
    artilleryExitCode: number | null;
    flows: { name: string; weight: number }[];
    versions: { rampart: string; artillery: string; node: string } | null;
    host: { hostname: string; cpus: number; memoryBytes: number } | null;
  };
  verdict: { level: VerdictLevel; headline: string; reasons: string[] };
  /** Caveats a reader must know, e.g. the resolution of a plain Artillery run. */
  notes: string[];
  totals: {
    requests: number;
    errors: number;
    errorRate: number;
    ratePerSecond: number | null;
    latency: LatencyFigures;
    apdex: number | null;
  };
  apdexThresholdMs: number | null;
  endpoints: EndpointRow[];
  gate: GateResult | null;
  slo: SloCheck[];
  comparisons: EndpointComparison[];
  charts: {
    latency: ChartSpec | null; // run-wide percentiles per period
    endpointP95: ChartSpec | null; // p95 per period of the busiest endpoints
    throughput: ChartSpec | null; // requests per second per period
    errors: ChartSpec | null; // errors per period
    vusers: ChartSpec | null; // virtual users created / completed / failed per period (Artillery counters)
    arrivals: ChartSpec | null; // planned vs actual arrivals per period (measurement plugin)
    generatorCpu: ChartSpec | null; // generator CPU per period
    eventLoopDelay: ChartSpec | null; // generator event-loop delay per period
  };
  vusers: { created: number; completed: number; failed: number; skipped: number };
  scenarios: ScenarioRow[];
  errorsByCode: { code: string; count: number }[]; // Artillery's errors.<code> counters
  httpCodes: { code: string; count: number }[];
  /** The expect plugin's assertions (src/results/expect.ts); null when the run made none. */
  expect: ExpectResults | null;
  security: CustomMetricRow[];
  otherMetrics: CustomMetricRow[];
  /** Artillery counters named rampart.* (probe polls, detection and correlation timeouts, ...). */
  customCounters: { name: string; count: number }[];
  generator: {
    periods: GeneratorPeriod[];
    planned: { arrivals: number; durationSeconds: number };
    actual: { arrivals: number; firstArrivalAt: number | null; lastArrivalAt: number | null };
    trust: { trustworthy: boolean; reasons: string[]; generatorDelayMs?: number };
    /** Periods wholly inside the judged run (src/core/trust.ts isFullPeriod). */
    fullPeriods: number;
    /** Full periods whose arrivals fell short of plan by the plugin's own rule (TRUST_RULES). */
    periodsBelowPlan: number;
    peakCpuPercent: number; // process CPU, percent of one core
    peakWorkerUtilization: number | null; // busiest worker event loop, 0..1; null without worker data
    worstEventLoopDelayMs: number;
    /** The plugin's saturation threshold for worker event-loop utilisation, 0..1. */
    workerUtilizationLimit: number;
  } | null;
  /** Resources and SQL of the platform; null when the bundle has no resources.json nor statements.json. */
  platform: PlatformSection | null;
  /** What limited the run, ranked (src/analyze); absent in models built without them */
  findings?: Finding[];
}
