import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { announceWorker, collectWorkerReports, mergePeriodLists, mergeReports, prepareStaging, stagingDir, writeWorkerReport } from '../../plugins/rampart/exchange.ts';
import type { WorkerReport } from '../../plugins/rampart/exchange.ts';
import { Recorder } from '../../plugins/rampart/recorder.ts';
import { decodeHistogram } from '../../src/results/aggregate.ts';

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
  setTimeout(() => writeWorkerReport(dir, report('2', [200])), 150);
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
