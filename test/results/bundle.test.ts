import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleFile, writeJsonAtomic } from '../../src/core/bundle/files.ts';
import { loadBundle } from '../../src/results/bundle.ts';
import type { GeneratorFile } from '../../src/core/bundle/types.ts';
import { histogramFile, must, period, T0 } from './fixtures.ts';
import { tempDir as makeTempDir, rejectsWithUsage } from '../support.ts';

const artilleryJson = {
  aggregate: { counters: { 'http.requests': 3 }, summaries: {}, firstMetricAt: T0, lastMetricAt: T0 + 5_000 },
  intermediate: [{ counters: { 'http.requests': 3 }, period: String(T0) }],
};
const generator: GeneratorFile = {
  schema: 'rampart.generator/1',
  periods: [],
  planned: { arrivals: 10, durationSeconds: 1 },
  actual: { arrivals: 10, firstArrivalAt: T0, lastArrivalAt: T0 + 900 },
  trust: { trustworthy: true, reasons: [] },
};

const tempDir = (t: { after(fn: () => Promise<void>): void }): Promise<string> => makeTempDir(t, 'rampart-bundle-');

const rejectsWith = rejectsWithUsage;

test('loads a bundle folder with all its files', async (t) => {
  const dir = await tempDir(t);
  await writeFile(bundleFile(dir, 'artillery'), JSON.stringify(artilleryJson));
  await writeFile(bundleFile(dir, 'histograms'), JSON.stringify(histogramFile({ 'GET /a': [period(T0, [100], { '200': 1 })] })));
  await writeFile(bundleFile(dir, 'generator'), JSON.stringify(generator));
  const bundle = await loadBundle(dir);
  assert.equal(bundle.dir, dir);
  assert.equal(bundle.manifest, null);
  assert.equal(bundle.artillery.aggregate.counters['http.requests'], 3);
  assert.deepEqual(bundle.artillery.aggregate.rates, {}, 'absent sections default to empty');
  assert.equal(bundle.artillery.intermediate[0].period, T0, 'string periods become numbers');
  assert.deepEqual(bundle.histograms !== null && 'header' in bundle.histograms ? bundle.histograms.header.endpoints : null, ['GET /a']);
  assert.equal(must(bundle.generator).trust.trustworthy, true);

  const viaFile = await loadBundle(bundleFile(dir, 'artillery'));
  assert.equal(viaFile.dir, dir, 'a path to artillery.json means its folder');
  assert.notEqual(viaFile.histograms, null);
});

test('loads a plain artillery --output file on its own', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'out.json');
  await writeFile(file, JSON.stringify(artilleryJson));
  await writeFile(bundleFile(dir, 'histograms'), 'not read for a plain file');
  const bundle = await loadBundle(file);
  assert.equal(bundle.dir, dir);
  assert.equal(bundle.histograms, null);
  assert.equal(bundle.generator, null);
  assert.equal(bundle.artillery.intermediate.length, 1);
});

test('bad input is a one-line usage error naming the file', async (t) => {
  const dir = await tempDir(t);
  await rejectsWith(loadBundle(join(dir, 'missing')), /missing: no such bundle folder or file/);
  await rejectsWith(loadBundle(dir), /not a run bundle \(no artillery\.json\)/);

  const empty = join(dir, 'empty.json');
  await writeFile(empty, '');
  await rejectsWith(loadBundle(empty), /empty\.json: file is empty/);

  const corrupt = join(dir, 'corrupt.json');
  await writeFile(corrupt, '{"aggregate": {');
  await rejectsWith(loadBundle(corrupt), /corrupt\.json: not valid JSON/);

  const other = join(dir, 'other.json');
  await writeFile(other, JSON.stringify({ hello: 1 }));
  await rejectsWith(loadBundle(other), /other\.json: \/aggregate is missing; not an Artillery --output file/);

  const folder = join(dir, 'b');
  await mkdir(folder);
  await writeFile(bundleFile(folder, 'artillery'), JSON.stringify(artilleryJson));
  await writeFile(bundleFile(folder, 'histograms'), JSON.stringify({ schema: 'something/9' }));
  await rejectsWith(loadBundle(folder), /histograms\.json: expected schema 'rampart\.histograms\/2', found 'something\/9'/);
  await writeFile(bundleFile(folder, 'histograms'), JSON.stringify(histogramFile({ 'GET /a': [{ start: T0 }] } as never)));
  await rejectsWith(loadBundle(folder), /histograms\.json: \/endpoints\/'GET \/a'\/0\/histogram is missing/);
  await rm(bundleFile(folder, 'histograms'));
  await writeFile(bundleFile(folder, 'generator'), '   ');
  await rejectsWith(loadBundle(folder), /generator\.json: file is empty/);
});

test('writeJsonAtomic replaces a file whole and leaves no temp files', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'gate.json');
  await writeJsonAtomic(path, { a: 1 });
  await writeJsonAtomic(path, { a: 2, b: [1, 2] });
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { a: 2, b: [1, 2] });
  assert.deepEqual(await readdir(dir), ['gate.json']);

  // a value that cannot be serialised fails before anything is touched
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  await assert.rejects(writeJsonAtomic(path, cyclic));
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { a: 2, b: [1, 2] });
  // a folder that does not exist fails without leaving anything behind
  await assert.rejects(writeJsonAtomic(join(dir, 'nope', 'x.json'), {}));
  assert.deepEqual(await readdir(dir), ['gate.json']);
});
