// Synthetic run bundles for the report's tests, built with hdr-histogram-js exactly as the
// measurement plugin writes them (µs, 3 significant digits, encodeIntoCompressedBase64).
import hdr from 'hdr-histogram-js';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_FILES, HISTOGRAM_SETTINGS, PERIOD_MS } from '../../src/core/bundle/types.ts';
import { parseArtilleryOutput } from '../../src/results/bundle.ts';
import type {
  ArtilleryOutput, ArtilleryPeriod, GateResult, GeneratorFile, HistogramFile, LoadedBundle, PeriodHistogram, RunManifest,
} from '../../src/core/bundle/types.ts';

/** Deterministic pseudo-random numbers (mulberry32), so figures are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An encoded µs histogram of the given latencies (ms). */
export function encodeMs(latenciesMs: number[]): string {
  const histogram = hdr.build({ ...HISTOGRAM_SETTINGS, useWebAssembly: false });
  for (const ms of latenciesMs) histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  const text = hdr.encodeIntoCompressedBase64(histogram);
  histogram.destroy();
  return text;
}

export interface EndpointSpec {
  key: string;
  perPeriod: number; // responses per period
  medianMs: number; // latencies spread from 0.5x to 2x of this, plus a 1% tail at 10x
  errorsPerPeriod?: number; // transport errors
  status5xxPerPeriod?: number;
}

export interface SyntheticOptions {
  endpoints?: EndpointSpec[];
  periods?: number;
  start?: number; // ms, first period start
  trustworthy?: boolean;
  withMetrics?: boolean;
  runId?: string;
  profile?: string;
}

export const DEFAULT_ENDPOINTS: EndpointSpec[] = [
  { key: 'GET /api/v1/alerts', perPeriod: 400, medianMs: 12 },
  { key: 'GET /api/v1/alerts/:id', perPeriod: 250, medianMs: 4, status5xxPerPeriod: 1 },
  { key: 'POST /api/v1/events/batch', perPeriod: 150, medianMs: 30, errorsPerPeriod: 1 },
  { key: 'POST /api/v1/auth/login', perPeriod: 20, medianMs: 80 },
];

function latencies(random: () => number, n: number, medianMs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const base = medianMs * (0.5 + 1.5 * random());
    out.push(random() < 0.01 ? base * 10 : base);
  }
  return out;
}

function summary(values: number[]): ArtilleryPeriod['summaries'][string] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
  return {
    min: Math.round(sorted[0]), max: Math.round(sorted[sorted.length - 1]), count: sorted.length,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50: at(50), median: at(50), p75: at(75), p90: at(90), p95: at(95), p99: at(99), p999: at(99.9),
  };
}

/** A complete in-memory bundle: manifest, Artillery output, histograms, generator record. */
export function syntheticBundle(options: SyntheticOptions = {}): LoadedBundle {
  const endpoints = options.endpoints ?? DEFAULT_ENDPOINTS;
  const periodCount = options.periods ?? 6;
  const start0 = options.start ?? Date.UTC(2026, 10, 27, 12, 0, 0);
  const random = seeded(42);
  const histograms: HistogramFile = { schema: 'rampart.histograms/1', unit: 'us', periodMs: PERIOD_MS, endpoints: {}, metrics: {} };
  const intermediate: ArtilleryPeriod[] = [];
  const all: number[] = [];
  const totalCounters: Record<string, number> = {};
  const add = (counters: Record<string, number>, name: string, n: number): void => {
    counters[name] = (counters[name] ?? 0) + n;
    totalCounters[name] = (totalCounters[name] ?? 0) + n;
  };
  const generatorPeriods: GeneratorFile['periods'] = [];
  for (let i = 0; i < periodCount; i++) {
    const start = start0 + i * PERIOD_MS;
    const counters: Record<string, number> = {};
    const periodValues: number[] = [];
    for (const e of endpoints) {
      const values = latencies(random, e.perPeriod, e.medianMs);
      periodValues.push(...values);
      const s5 = e.status5xxPerPeriod ?? 0;
      const period: PeriodHistogram = {
        start,
        histogram: encodeMs(values),
        errors: e.errorsPerPeriod ?? 0,
        codes: { 200: e.perPeriod - s5, ...(s5 > 0 ? { 503: s5 } : {}) },
        ...(e.errorsPerPeriod ? { errorKinds: { ETIMEDOUT: e.errorsPerPeriod } } : {}),
      };
      (histograms.endpoints[e.key] ??= []).push(period);
      add(counters, 'http.codes.200', e.perPeriod - s5);
      if (s5 > 0) add(counters, 'http.codes.503', s5);
      if (e.errorsPerPeriod) add(counters, 'errors.ETIMEDOUT', e.errorsPerPeriod);
      add(counters, 'http.responses', e.perPeriod);
      add(counters, 'http.requests', e.perPeriod + (e.errorsPerPeriod ?? 0));
    }
    all.push(...periodValues);
    const created = 60;
    add(counters, 'vusers.created', created);
    add(counters, 'vusers.created_by_name.Analyst triage', 40);
    add(counters, 'vusers.created_by_name.Sensor ingest', 20);
    add(counters, 'vusers.completed', created - 1);
    add(counters, 'vusers.failed', 1);
    intermediate.push({
      counters, rates: {}, summaries: { 'http.response_time': summary(periodValues) },
      period: start, firstMetricAt: start + 5, lastMetricAt: start + PERIOD_MS - 5,
    });
    const behind = options.trustworthy === false && i >= periodCount - 2;
    generatorPeriods.push({
      start, plannedArrivals: 60, actualArrivals: behind ? 41 : 60,
      cpuPercent: behind ? 99 : 35 + 5 * i, eventLoopDelayP99Ms: behind ? 80 : 2.5 + i / 10, eventLoopDelayMaxMs: behind ? 140 : 6 + i,
      workerUtilization: behind ? 0.99 : 0.3 + i / 100,
    });
  }
  if (options.withMetrics !== false) {
    histograms.metrics['rampart.detection_latency'] = generatorPeriods.map((p) => ({
      start: p.start, histogram: encodeMs(latencies(random, 5, 1200)), errors: 0, codes: {},
    }));
    histograms.metrics['rampart.correlation_time'] = generatorPeriods.slice(1).map((p) => ({
      start: p.start, histogram: encodeMs(latencies(random, 2, 3500)), errors: 0, codes: {},
    }));
  }
  if (options.withMetrics !== false) {
    totalCounters['rampart.probe.polls'] = 90;
    totalCounters['rampart.detection_timeout'] = 2;
  }
  const firstMetricAt = start0 + 5;
  const lastMetricAt = start0 + periodCount * PERIOD_MS - 5;
  const artillery: ArtilleryOutput = {
    aggregate: { counters: totalCounters, rates: {}, summaries: { 'http.response_time': summary(all) }, firstMetricAt, lastMetricAt },
    intermediate,
  };
  const trustworthy = options.trustworthy !== false;
  const generator: GeneratorFile = {
    schema: 'rampart.generator/1',
    periods: generatorPeriods,
    planned: { arrivals: 60 * periodCount, durationSeconds: periodCount * 10 },
    actual: {
      arrivals: generatorPeriods.reduce((n, p) => n + p.actualArrivals, 0),
      firstArrivalAt: firstMetricAt,
      lastArrivalAt: lastMetricAt,
    },
    trust: trustworthy
      ? { trustworthy: true, reasons: [] }
      : { trustworthy: false, reasons: ['send rate 68% of plan in 2 periods (below 99%)', 'generator CPU 99% (saturated)'] },
  };
  const manifest: RunManifest = {
    schema: 'rampart.run/1',
    runId: options.runId ?? '20261127-120000-baseline',
    profile: options.profile ?? 'baseline',
    flows: [{ name: 'analyst-triage', weight: 2 }, { name: 'sensor-ingest', weight: 1 }],
    seed: 7,
    target: 'http://127.0.0.1:3000',
    gitRevision: 'abc1234',
    startedAt: new Date(start0).toISOString(),
    endedAt: new Date(lastMetricAt).toISOString(),
    interrupted: false,
    artilleryExitCode: 0,
    rateScale: 1,
    durationOverride: null,
    phases: [{ name: 'steady', duration: periodCount * 10, arrivalRate: 6 }],
    versions: { rampart: '0.1.0', artillery: '2.0.34', node: 'v22.23.0' },
    host: { hostname: 'ci-runner', cpus: 2, memoryBytes: 24 * 2 ** 30 },
  };
  return { dir: '/nonexistent/synthetic', manifest, artillery, histograms, generator };
}

/** A gate result over the default endpoints: one breached p95, one SLOWER comparison. */
export function syntheticGate(overrides: Partial<GateResult> = {}): GateResult {
  return {
    schema: 'rampart.gate/1',
    outcome: 'fail',
    trust: { trustworthy: true, reasons: [] },
    slo: [
      { scope: '*', metric: 'errorRate', threshold: 0.01, actual: 0.004, unit: 'ratio', passed: true },
      { scope: 'GET /api/v1/alerts', metric: 'p95', threshold: 50, actual: 22.5, unit: 'ms', passed: true },
      { scope: 'POST /api/v1/events/batch', metric: 'p95', threshold: 40, actual: 57.3, unit: 'ms', passed: false },
      { scope: '*', metric: 'minThroughput', threshold: 50, actual: 82, unit: 'rps', passed: true },
    ],
    comparisons: [
      { endpoint: 'GET /api/v1/alerts', verdict: 'SAME', ratio: 1.01, pValue: 0.62, detail: 'median of per-period p95 1% higher, within noise' },
      { endpoint: 'POST /api/v1/events/batch', verdict: 'SLOWER', ratio: 1.24, pValue: 0.002, detail: 'per-period p95 24% higher (Mann-Whitney p=0.002)' },
      { endpoint: 'GET /api/v1/alerts/:id', verdict: 'UNKNOWN', ratio: null, pValue: null, detail: 'too few periods to decide' },
    ],
    baseline: { source: 'ci/baselines/baseline.json', runs: 3 },
    ...overrides,
  };
}

/** Writes a bundle's files into a fresh temp folder (or `dir`) and returns the folder. */
export async function writeBundle(bundle: LoadedBundle, dir?: string, extra: { gate?: GateResult } = {}): Promise<string> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'rampart-report-bundle-')));
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, BUNDLE_FILES.artillery), JSON.stringify(bundle.artillery));
  if (bundle.manifest !== null) await writeFile(join(folder, BUNDLE_FILES.run), JSON.stringify(bundle.manifest));
  if (bundle.histograms !== null) await writeFile(join(folder, BUNDLE_FILES.histograms), JSON.stringify(bundle.histograms));
  if (bundle.generator !== null) await writeFile(join(folder, BUNDLE_FILES.generator), JSON.stringify(bundle.generator));
  if (extra.gate !== undefined) await writeFile(join(folder, BUNDLE_FILES.gate), JSON.stringify(extra.gate));
  return folder;
}

export async function tempDir(prefix = 'rampart-report-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** The stored real `artillery run --output` file (fixtures/artillery-plain.json) as a plain bundle. */
export async function plainArtilleryBundle(): Promise<LoadedBundle> {
  const path = join(import.meta.dirname, 'fixtures', 'artillery-plain.json');
  const artillery = parseArtilleryOutput(JSON.parse(await readFile(path, 'utf8')), path);
  return { dir: '/tmp/plain', manifest: null, artillery, histograms: null, generator: null };
}
