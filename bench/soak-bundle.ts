// A synthetic soak run bundle for benchmarks: run.json, artillery.json, histograms.json and
// generator.json with the shapes `rampart run` writes (histograms.json with the derived parts the
// plugin adds through summarizeHistogramFile), latencies drawn from a log-normal per endpoint.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newHistogram, recordMicros, encodeHistogram } from '../src/core/histogram.ts';
import { summarizeHistogramFile } from '../src/results/aggregate.ts';
import { seededRandom } from '../src/stats/random.ts';
import { PERIOD_MS } from '../src/core/bundle/types.ts';
import type { ArtilleryOutput, GeneratorFile, HistogramFile, PeriodHistogram, RunManifest } from '../src/core/bundle/types.ts';

export interface SoakSpec { runId: string; periods: number; endpoints: number; perPeriod: number; seed: number }

const METHODS = ['GET', 'POST', 'PATCH', 'DELETE'];

export async function writeSoakBundle(dir: string, spec: SoakSpec): Promise<{ dir: string; bytes: number }> {
  await mkdir(dir, { recursive: true });
  const random = seededRandom(spec.seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
  const start0 = 1_700_000_000_000;
  const endpoints: Record<string, PeriodHistogram[]> = {};
  let total = 0;
  for (let e = 0; e < spec.endpoints; e++) {
    const key = `${METHODS[e % METHODS.length]} /api/v1/resource-${String(e).padStart(2, '0')}/:id`;
    const typicalMs = 5 + (e % 10) * 8;
    const periods: PeriodHistogram[] = [];
    for (let p = 0; p < spec.periods; p++) {
      const histogram = newHistogram();
      const drift = Math.exp(0.03 * Math.sin(p / 40) + 0.02 * normal());
      for (let i = 0; i < spec.perPeriod; i++) recordMicros(histogram, typicalMs * 1000 * drift * Math.exp(0.4 * normal()));
      const errors = random() < 0.01 ? 1 : 0;
      periods.push({ start: start0 + p * PERIOD_MS, histogram: encodeHistogram(histogram), errors, codes: { '200': spec.perPeriod } });
      total += spec.perPeriod + errors;
    }
    endpoints[key] = periods;
  }
  // As the measurement plugin writes it: with the derived per-period stats, overall series and totals.
  const histograms: HistogramFile = summarizeHistogramFile({ schema: 'rampart.histograms/1', unit: 'us', periodMs: PERIOD_MS, endpoints, metrics: {} });
  const durationMs = spec.periods * PERIOD_MS;
  const artillery: ArtilleryOutput = {
    aggregate: { counters: { 'http.requests': total, 'http.responses': total, 'http.codes.200': total }, rates: {}, summaries: {}, firstMetricAt: start0, lastMetricAt: start0 + durationMs },
    intermediate: [],
  };
  const generator: GeneratorFile = {
    schema: 'rampart.generator/1',
    periods: Array.from({ length: spec.periods }, (_, p) => ({ start: start0 + p * PERIOD_MS, plannedArrivals: 100, actualArrivals: 100, cpuPercent: 30, eventLoopDelayP99Ms: 5, eventLoopDelayMaxMs: 12 })),
    planned: { arrivals: 100 * spec.periods, durationSeconds: durationMs / 1000 },
    actual: { arrivals: 100 * spec.periods, firstArrivalAt: start0, lastArrivalAt: start0 + durationMs },
    trust: { trustworthy: true, reasons: [] },
  };
  const manifest: RunManifest = {
    schema: 'rampart.run/1', runId: spec.runId, profile: 'soak', flows: [{ name: 'analyst-triage', weight: 1 }], seed: spec.seed,
    target: 'http://127.0.0.1:3000', gitRevision: null, startedAt: new Date(start0).toISOString(), endedAt: new Date(start0 + durationMs).toISOString(),
    interrupted: false, artilleryExitCode: 0, rateScale: 1, durationOverride: null, phases: [{ name: 'soak', duration: durationMs / 1000, arrivalRate: 10 }],
    versions: { rampart: '0.1.0', artillery: '2.0.34', node: process.versions.node }, host: { hostname: 'bench', cpus: 2, memoryBytes: 0 },
  };
  const histogramText = JSON.stringify(histograms);
  await writeFile(join(dir, 'histograms.json'), histogramText);
  await writeFile(join(dir, 'artillery.json'), JSON.stringify(artillery));
  await writeFile(join(dir, 'generator.json'), JSON.stringify(generator));
  await writeFile(join(dir, 'run.json'), JSON.stringify(manifest));
  return { dir, bytes: histogramText.length };
}
