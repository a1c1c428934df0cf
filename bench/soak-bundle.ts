// A synthetic soak run bundle for benchmarks: run.json, artillery.json, histograms.json and
// generator.json with the shapes `rampart run` writes (histograms.json in the plugin's format,
// rampart.histograms/2, with its per-period stats and run totals), latencies drawn from a
// log-normal per endpoint. histograms.json is written period by period, so a 24-hour bundle is built
// without holding it.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeHistogram, encodePeriod, newHistogram, recordMicros } from '../src/core/histogram.ts';
import type { Histogram } from '../src/core/histogram.ts';
import { createHistogramFileWriter, HISTOGRAMS_SCHEMA, toSeriesPeriod } from '../src/core/bundle/histogram-file.ts';
import type { PeriodRecord } from '../src/core/bundle/histogram-file.ts';
import { seededRandom } from '../src/stats/random.ts';
import { PERIOD_MS } from '../src/core/bundle/types.ts';
import type { ArtilleryOutput, GeneratorFile, RunManifest } from '../src/core/bundle/types.ts';

export interface SoakSpec { runId: string; periods: number; endpoints: number; perPeriod: number; seed: number }

const METHODS = ['GET', 'POST', 'PATCH', 'DELETE'];

export async function writeSoakBundle(dir: string, spec: SoakSpec): Promise<{ dir: string; bytes: number }> {
  await mkdir(dir, { recursive: true });
  const random = seededRandom(spec.seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
  const start0 = 1_700_000_000_000;
  const keys = Array.from({ length: spec.endpoints }, (_, e) => `${METHODS[e % METHODS.length]} /api/v1/resource-${String(e).padStart(2, '0')}/:id`);
  const totals = new Map<string, Histogram>(keys.map((key) => [key, newHistogram()]));
  const overallTotal = newHistogram();
  const path = join(dir, 'histograms.json');
  const writer = createHistogramFileWriter(path, { schema: HISTOGRAMS_SCHEMA, unit: 'us', periodMs: PERIOD_MS, periods: spec.periods, endpoints: [...keys].sort(), metrics: [] });
  let total = 0;
  const histogram = newHistogram();
  for (let p = 0; p < spec.periods; p++) {
    const start = start0 + p * PERIOD_MS;
    const record: PeriodRecord = { start, overall: null, endpoints: {}, metrics: {} };
    const overall = newHistogram();
    let overallErrors = 0;
    for (const [e, key] of keys.entries()) {
      const typicalMs = 5 + (e % 10) * 8;
      const drift = Math.exp(0.03 * Math.sin(p / 40) + 0.02 * normal());
      histogram.reset();
      for (let i = 0; i < spec.perPeriod; i++) recordMicros(histogram, typicalMs * 1000 * drift * Math.exp(0.4 * normal()));
      const errors = random() < 0.01 ? 1 : 0;
      record.endpoints[key] = toSeriesPeriod(encodePeriod({ start, histogram, errors, codes: { '200': spec.perPeriod } }));
      totals.get(key)?.add(histogram);
      overall.add(histogram);
      overallErrors += errors;
      total += spec.perPeriod + errors;
    }
    record.overall = toSeriesPeriod(encodePeriod({ start, histogram: overall, errors: overallErrors, codes: { '200': spec.perPeriod * keys.length } }));
    overallTotal.add(overall);
    writer.period(record);
  }
  writer.finish({ overall: encodeHistogram(overallTotal), endpoints: Object.fromEntries([...totals].map(([key, h]) => [key, encodeHistogram(h)])), metrics: {} });

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
  await writeFile(join(dir, 'artillery.json'), JSON.stringify(artillery));
  await writeFile(join(dir, 'generator.json'), JSON.stringify(generator));
  await writeFile(join(dir, 'run.json'), JSON.stringify(manifest));
  return { dir, bytes: (await stat(path)).size };
}
