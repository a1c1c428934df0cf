// Builds real run bundles on disk (run.json, artillery.json, histograms.json, generator.json) with
// latencies drawn from a known distribution, so the gate can be tested on what it will really read.
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newHistogram, recordMicros, encodeHistogram } from '../../src/core/histogram.ts';
import { seededRandom } from '../../src/stats/random.ts';
import type { Random } from '../../src/stats/random.ts';
import { PERIOD_MS } from '../../src/core/bundle/types.ts';
import type { ArtilleryOutput, GeneratorFile, HistogramFile, PeriodHistogram, RunManifest } from '../../src/core/bundle/types.ts';

export interface EndpointSpec {
  key: string;
  medianMs: number; // typical latency
  perPeriod: number; // responses per 10 s period
  status?: number; // HTTP status of every response (default 200)
  transportErrors?: number; // per period
}

export interface BundleSpec {
  runId: string;
  profile?: string | null; // null: no run.json
  periods: number;
  endpoints: EndpointSpec[];
  seed: number;
  /** Multiplies every latency of this run: the run-to-run drift of the machine. */
  runFactor?: number;
  /** Multiplies the latencies of one endpoint: an injected slowdown. */
  slowdown?: Record<string, number>;
  trustworthy?: boolean;
  trustReasons?: string[];
  detectionLatencyMs?: number; // adds the custom metric rampart.detection_latency
  interrupted?: boolean;
}

function gaussian(random: Random): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export async function tempDir(prefix = 'rampart-gate-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes a bundle folder `<parent>/<runId>` and returns its path. */
export async function writeBundle(parent: string, spec: BundleSpec): Promise<string> {
  const dir = join(parent, spec.runId);
  await mkdir(dir, { recursive: true });
  const random = seededRandom(spec.seed);
  const start0 = 1_700_000_000_000;
  const endpoints: Record<string, PeriodHistogram[]> = {};
  let total = 0;
  const codes: Record<string, number> = {};
  for (const endpoint of spec.endpoints) {
    const periods: PeriodHistogram[] = [];
    const factor = (spec.runFactor ?? 1) * (spec.slowdown?.[endpoint.key] ?? 1);
    for (let p = 0; p < spec.periods; p++) {
      const histogram = newHistogram();
      const drift = Math.exp(0.02 * gaussian(random)); // a period's own small wobble
      for (let i = 0; i < endpoint.perPeriod; i++) {
        const ms = endpoint.medianMs * factor * drift * Math.exp(0.35 * gaussian(random));
        recordMicros(histogram, ms * 1000);
      }
      const status = String(endpoint.status ?? 200);
      const errors = endpoint.transportErrors ?? 0;
      periods.push({ start: start0 + p * PERIOD_MS, histogram: encodeHistogram(histogram), errors, codes: endpoint.perPeriod > 0 ? { [status]: endpoint.perPeriod } : {} });
      total += endpoint.perPeriod + errors;
      if (endpoint.perPeriod > 0) codes[status] = (codes[status] ?? 0) + endpoint.perPeriod;
    }
    endpoints[endpoint.key] = periods;
  }
  const metrics: Record<string, PeriodHistogram[]> = {};
  if (spec.detectionLatencyMs !== undefined) {
    const histogram = newHistogram();
    for (let i = 0; i < 50; i++) recordMicros(histogram, spec.detectionLatencyMs * 1000 * Math.exp(0.1 * gaussian(random)));
    metrics['rampart.detection_latency'] = [{ start: start0, histogram: encodeHistogram(histogram), errors: 0, codes: {} }];
  }
  const histograms: HistogramFile = { schema: 'rampart.histograms/1', unit: 'us', periodMs: PERIOD_MS, endpoints, metrics };
  const durationMs = spec.periods * PERIOD_MS;
  const counters: Record<string, number> = { 'http.requests': total, 'http.responses': total };
  for (const [code, count] of Object.entries(codes)) counters[`http.codes.${code}`] = count;
  const artillery: ArtilleryOutput = {
    aggregate: { counters, rates: {}, summaries: {}, firstMetricAt: start0, lastMetricAt: start0 + durationMs },
    intermediate: [],
  };
  const generator: GeneratorFile = {
    schema: 'rampart.generator/1',
    periods: [],
    planned: { arrivals: total, durationSeconds: durationMs / 1000 },
    actual: { arrivals: total, firstArrivalAt: start0, lastArrivalAt: start0 + durationMs },
    trust: { trustworthy: spec.trustworthy ?? true, reasons: spec.trustReasons ?? [] },
  };
  await writeFile(join(dir, 'artillery.json'), JSON.stringify(artillery));
  await writeFile(join(dir, 'histograms.json'), JSON.stringify(histograms));
  await writeFile(join(dir, 'generator.json'), JSON.stringify(generator));
  if (spec.profile !== null) {
    const manifest: RunManifest = {
      schema: 'rampart.run/1', runId: spec.runId, profile: spec.profile ?? 'baseline', flows: [{ name: 'analyst-triage', weight: 1 }], seed: spec.seed,
      target: 'http://127.0.0.1:1', gitRevision: null, startedAt: new Date(start0).toISOString(), endedAt: new Date(start0 + durationMs).toISOString(),
      interrupted: spec.interrupted ?? false, artilleryExitCode: 0, rateScale: 1, durationOverride: null, phases: [{ duration: durationMs / 1000, arrivalRate: 1 }],
      versions: { rampart: '0.1.0', artillery: '2.0.34', node: process.versions.node }, host: { hostname: 'test', cpus: 2, memoryBytes: 0 },
    };
    await writeFile(join(dir, 'run.json'), JSON.stringify(manifest));
  }
  return dir;
}

export const ALERTS = 'GET /api/v1/alerts';
export const EVENTS = 'POST /api/v1/events/batch';
export const TWO_ENDPOINTS: EndpointSpec[] = [
  { key: ALERTS, medianMs: 12, perPeriod: 200 },
  { key: EVENTS, medianMs: 8, perPeriod: 150 },
];
