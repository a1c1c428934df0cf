import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { announceWorker, collectWorkerReports, mergePeriodLists, mergeReports, prepareStaging, stagingDir, writeWorkerReport } from '../../plugins/rampart/exchange.ts';
import type { WorkerReport } from '../../plugins/rampart/exchange.ts';
import { Recorder } from '../../plugins/rampart/recorder.ts';
import { decodeHistogram } from '../../src/core/histogram.ts';
import { withDerivedParts } from '../../src/core/bundle/histogram-file.ts';
import { analyzeEndpoints, analyzeRun, customMetrics } from '../../src/results/index.ts';
import type { HistogramFile, LoadedBundle, PeriodHistogram } from '../../src/core/bundle/types.ts';

const T0 = 1_800_000_000_000;

function report(workerId: string, values: number[], start = T0): WorkerReport {
  const recorder = new Recorder();
  for (const v of values) recorder.recordResponse('GET /a', v, 200, start + 1);
  recorder.recordArrival(start + 5);
  return { schema: 'rampart.worker/1', workerId, health: [], ...recorder.finish() };
}

test('periods of several workers merge exactly; distinct periods stay apart', () => {
  const one = report('1', [100, 200, 300]).endpoints['GET /a'];
  const two = report('2', [400, 500]).endpoints['GET /a'];
  const later = report('2', [600], T0 + 10_000).endpoints['GET /a'];
  const merged = mergePeriodLists([one, [...two, ...later]]);
  assert.deepEqual(merged.map((p) => p.start - T0), [0, 10_000]);
  const first = decodeHistogram(merged[0].histogram);
  assert.equal(first.totalCount, 5);
  assert.equal(first.minNonZeroValue, 100);
  assert.equal(first.maxValue, 500);
  assert.deepEqual(merged[0].codes, { '200': 5 });

  const all = mergeReports([report('1', [100]), report('2', [200])]);
  assert.equal(all.histograms.schema, 'rampart.histograms/1');
  assert.equal(decodeHistogram(all.histograms.endpoints['GET /a'][0].histogram).totalCount, 2);
  assert.deepEqual(Object.values(all.arrivalsBySecond), [2]);
});

test('the main thread waits for a late worker and names one that never delivers', async (t) => {
  const bundle = await mkdtemp(join(tmpdir(), 'rampart-exchange-'));
  t.after(() => rm(bundle, { recursive: true, force: true }));
  const dir = stagingDir(bundle, 4242);
  prepareStaging(dir);
  announceWorker(dir, '1');
  announceWorker(dir, '2');
  writeWorkerReport(dir, report('1', [100]));
  setTimeout(() => {
    writeWorkerReport(dir, report('2', [200]));
  }, 150);
  const both = await collectWorkerReports(dir, 10_000);
  assert.deepEqual(both.missing, []);
  assert.deepEqual(both.reports.map((r) => r.workerId), ['1', '2']);

  announceWorker(dir, '3');
  await writeFile(join(dir, 'stray.txt'), 'ignored');
  const partial = await collectWorkerReports(dir, 200);
  assert.deepEqual(partial.missing, ['3']);
  assert.equal(partial.reports.length, 2);
  assert.ok(!(await readdir(dir)).some((n) => n.endsWith('.tmp')), 'reports are renamed into place');
});

test('the recorder writes the derived parts itself; they agree with summarizeHistogramFile, for one worker and merged', () => {
  let seed = 11;
  const random = (): number => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
  const worker = (id: string): WorkerReport => {
    const recorder = new Recorder();
    for (let i = 0; i < 3_000; i++) {
      const now = T0 + i * 10; // time moves forward, as the wall clock does
      const endpoint = random() < 0.6 ? 'GET /a' : 'POST /b';
      if (random() < 0.02) recorder.recordError(endpoint, 'ETIMEDOUT', now);
      else recorder.recordResponse(endpoint, 50 + Math.floor(-Math.log(1 - random()) * 8_000), random() < 0.05 ? 503 : 200, now);
      if (random() < 0.01) recorder.recordMetric('rampart.detection_latency', 1_000_000 * random(), now);
    }
    return { schema: 'rampart.worker/1', workerId: id, health: [], ...recorder.finish() };
  };
  const strip = (file: HistogramFile): HistogramFile => {
    const plain = (periods: PeriodHistogram[]): PeriodHistogram[] => periods.map((p) => {
      const rest = { ...p };
      delete rest.stats;
      return rest;
    });
    const map = (section: Record<string, PeriodHistogram[]>): Record<string, PeriodHistogram[]> => Object.fromEntries(Object.entries(section).map(([k, v]) => [k, plain(v)]));
    return { schema: file.schema, unit: file.unit, periodMs: file.periodMs, endpoints: map(file.endpoints), metrics: map(file.metrics) };
  };
  const bundle = (histograms: HistogramFile): LoadedBundle => ({
    dir: '/nowhere', manifest: null, histograms, generator: null,
    artillery: { aggregate: { counters: {}, rates: {}, summaries: {}, firstMetricAt: T0, lastMetricAt: T0 + 30_000 }, intermediate: [] },
  });
  for (const reports of [[worker('1')], [worker('1'), worker('2')]]) {
    const written = mergeReports(reports).histograms;
    const overall = written.overall ?? [];
    assert.ok(overall.length > 0 && overall.every((p) => p.stats !== undefined || p.errors > 0));
    const recomputed = withDerivedParts(strip(written));
    assert.deepEqual(analyzeEndpoints(bundle(written)), analyzeEndpoints(bundle(recomputed)));
    assert.deepEqual(analyzeRun(bundle(written)), analyzeRun(bundle(recomputed)));
    assert.deepEqual(customMetrics(bundle(written)), customMetrics(bundle(recomputed)));
    assert.deepEqual(analyzeRun(bundle(written)), analyzeRun(bundle(strip(written))), 'and with no derived parts at all');
  }
});
