// histograms.json format rampart.histograms/2: written by the plugin's writer, read period by period.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleFile } from '../../src/core/bundle/files.ts';
import { HISTOGRAMS_SCHEMA, writeHistogramFile, withDerivedParts } from '../../src/core/bundle/histogram-file.ts';
import { openHistogramFile, readHistogramDocument, scanHistogramFile } from '../../src/core/bundle/histogram-read.ts';
import { PERIOD_MS } from '../../src/core/bundle/types.ts';
import { analyzeBundle, loadBundle } from '../../src/results/index.ts';
import { bundleWith, histogramFile, period, T0 } from './fixtures.ts';
import { tempDir as makeTempDir, rejectsWithUsage } from '../support.ts';

const tempDir = (t: { after(fn: () => Promise<void>): void }): Promise<string> => makeTempDir(t, 'rampart-histfile-');

const document = (): ReturnType<typeof histogramFile> => histogramFile(
  {
    'GET /a': [period(T0 + PERIOD_MS, [900, 1_500, 4_000], { '200': 3 }), period(T0, [100, 200, 2_000], { '200': 2, '500': 1 }, 2, { ECONNRESET: 2 })],
    'POST /b': [period(T0, [5_000, 7_000], { '201': 2 }), period(T0 + 3 * PERIOD_MS, [], {}, 4, { ETIMEDOUT: 4 })],
  },
  { 'rampart.detection_latency': [period(T0 + PERIOD_MS, [1_000_000, 2_000_000], {})] },
);

const artilleryJson = JSON.stringify({ aggregate: { counters: {}, summaries: {}, firstMetricAt: T0, lastMetricAt: T0 + 40_000 }, intermediate: [] });

const rejectsWith = rejectsWithUsage;

test('the writer puts a header, one line per period oldest first, and an end line with the totals', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'histograms.json');
  writeHistogramFile(path, document());
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(lines[0], { schema: HISTOGRAMS_SCHEMA, unit: 'us', periodMs: PERIOD_MS, periods: 3, endpoints: ['GET /a', 'POST /b'], metrics: ['rampart.detection_latency'] });
  assert.deepEqual(lines.slice(1, -1).map((l) => (l.start as number) - T0), [0, PERIOD_MS, 3 * PERIOD_MS]);
  assert.deepEqual(Object.keys(lines[1].endpoints as object), ['GET /a', 'POST /b']);
  assert.equal((lines[3].overall as { errors: number }).errors, 4, 'the all-endpoints series of an errors-only period');
  const end = lines[lines.length - 1] as { end: boolean; periods: number; totals: { endpoints: object } };
  assert.equal(end.end, true);
  assert.equal(end.periods, 3);
  assert.deepEqual(Object.keys(end.totals.endpoints), ['GET /a', 'POST /b']);
  assert.deepEqual(await readdir(dir), ['histograms.json'], 'written through a temp file, none left');
});

test('a /2 file gives the same analysis as the document it was written from, and reads back whole', async (t) => {
  const dir = await tempDir(t);
  await writeFile(bundleFile(dir, 'artillery'), artilleryJson);
  writeHistogramFile(bundleFile(dir, 'histograms'), document());
  const loaded = await loadBundle(dir);
  assert.ok(loaded.histograms !== null && 'header' in loaded.histograms && loaded.histograms.document === null, 'opened for streaming, not parsed whole');
  const fromFile = analyzeBundle({ ...loaded, dir: '/nowhere' }, { apdexTMs: 2 });
  const fromDocument = analyzeBundle(bundleWith(document(), loaded.artillery), { apdexTMs: 2 });
  assert.deepEqual(fromFile, fromDocument);
  assert.equal(fromFile.endpoints[0].summary.requests, 8);
  assert.deepEqual(fromFile.periodStarts.map((s) => s - T0), [0, PERIOD_MS, 3 * PERIOD_MS]);
  assert.equal(fromFile.metrics[0].stats?.count, 2);
  assert.deepEqual(await readHistogramDocument(bundleFile(dir, 'histograms')), withDerivedParts(document()));
});

test('an old rampart.histograms/1 file is still read, as records', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'histograms.json');
  await writeFile(path, JSON.stringify(document(), null, 2));
  const file = await openHistogramFile(path);
  assert.deepEqual(file.header.endpoints, ['GET /a', 'POST /b']);
  const starts: number[] = [];
  const end = scanHistogramFile(file, (record) => starts.push(record.start - T0));
  assert.deepEqual(starts, [0, PERIOD_MS, 3 * PERIOD_MS]);
  assert.equal(end.periods, 3);
});

test('a cut-short, reordered or malformed /2 file is a one-line error naming the file and line', async (t) => {
  const dir = await tempDir(t);
  const good = join(dir, 'good.json');
  writeHistogramFile(good, document());
  const lines = (await readFile(good, 'utf8')).trimEnd().split('\n');
  const scan = async (name: string, text: string): Promise<void> => {
    const path = join(dir, name);
    await writeFile(path, text);
    scanHistogramFile(await openHistogramFile(path), () => undefined);
  };
  await rejectsWith(scan('cut.json', `${lines.slice(0, -1).join('\n')}\n`), /cut\.json: no end record, the file was cut short/);
  await rejectsWith(scan('order.json', [lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n')), /order\.json:3: \/start \d+ is not after the previous period's/);
  await rejectsWith(scan('garbage.json', [lines[0], '{"start": 1', ...lines.slice(1)].join('\n')), /garbage\.json:2: not valid JSON/);
  const bad = JSON.parse(lines[1]) as { endpoints: Record<string, { errors: unknown }> };
  bad.endpoints['GET /a'].errors = 'two';
  await rejectsWith(scan('field.json', [lines[0], JSON.stringify(bad), ...lines.slice(2)].join('\n')), /field\.json:2: \/endpoints\/'GET \/a'\/errors must be integer/);
  await rejectsWith(scan('empty.json', ''), /empty\.json: file is empty/);
  await rejectsWith(scan('header.json', `${JSON.stringify({ schema: HISTOGRAMS_SCHEMA, unit: 'us' })}\n`), /header\.json: \/periodMs is missing/);
  const header = JSON.parse(lines[0]) as { periods: number };
  await rejectsWith(scan('count.json', [JSON.stringify({ ...header, periods: 4 }), ...lines.slice(1)].join('\n')), /count\.json: the header announces 4 periods, the end record 3/);
});
