import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBundleFile, readJsonFile, readOptionalJsonFile, readSchemaFile, validate } from '../../src/core/bundle/read.ts';
import { GENERATOR_SCHEMA, RUN_MANIFEST_SCHEMA } from '../../src/core/bundle/schemas.ts';
import type { BundleSchema } from '../../src/core/bundle/schemas.ts';
import type { GeneratorFile, RunManifest } from '../../src/core/bundle/types.ts';
import { tempDir as makeTempDir, rejectsWithUsage, isOneLineUsageError } from '../support.ts';

const manifest: RunManifest = {
  schema: 'rampart.run/1',
  runId: '20261127-120000-baseline',
  profile: 'baseline',
  flows: [{ name: 'analyst-triage', weight: 2 }],
  seed: 7,
  target: 'http://127.0.0.1:3000',
  gitRevision: null,
  startedAt: '2026-11-27T12:00:00.000Z',
  endedAt: null,
  interrupted: false,
  artilleryExitCode: null,
  rateScale: 1,
  durationOverride: null,
  phases: [{ name: 'steady', duration: 60, arrivalRate: 6 }, { duration: 5, pause: 5 }],
  versions: { rampart: '0.1.0', artillery: '2.0.34', node: 'v22.23.0' },
  host: { hostname: 'ci-runner', cpus: 2, memoryBytes: 2 ** 34 },
};

const generator: GeneratorFile = {
  schema: 'rampart.generator/1',
  periods: [{ start: 1_764_244_800_000, plannedArrivals: 60, actualArrivals: 60, cpuPercent: 12.5, eventLoopDelayP99Ms: 1.2, eventLoopDelayMaxMs: 3, workerUtilization: 0.2 }],
  planned: { arrivals: 60, durationSeconds: 10 },
  actual: { arrivals: 60, firstArrivalAt: 1_764_244_800_010, lastArrivalAt: null },
  trust: { trustworthy: true, reasons: [] },
};

const tempDir = (t: { after(fn: () => Promise<void>): void }): Promise<string> => makeTempDir(t, 'rampart-read-');

const oneLine = isOneLineUsageError;
const rejectsWith = rejectsWithUsage;
const throwsWith = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (error) => oneLine(error, pattern));
};
const copy = <T>(value: T): T => structuredClone(value);

test('reads and types valid run.json and generator.json', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'run.json'), JSON.stringify(manifest));
  await writeFile(join(dir, 'generator.json'), JSON.stringify(generator));
  const run = await readBundleFile(join(dir, 'run.json'), 'run');
  assert.equal(run.runId, manifest.runId);
  assert.deepEqual(run, manifest);
  assert.deepEqual(await readBundleFile(join(dir, 'generator.json'), 'generator', { optional: true }), generator);
});

test('an optional file that is absent is null; a required one is an error naming the file', async (t) => {
  const dir = await tempDir(t);
  assert.equal(await readBundleFile(join(dir, 'run.json'), 'run', { optional: true }), null);
  assert.equal(await readOptionalJsonFile(join(dir, 'x.json'), 'a thing'), null);
  await rejectsWith(readBundleFile(join(dir, 'run.json'), 'run'), /run\.json: no such file, expected a run manifest \(run\.json\); check the path$/);
  await rejectsWith(readJsonFile(join(dir, 'b.json'), 'a baseline', { missing: 'create it with --update-baseline' }), /b\.json: no such file, expected a baseline; create it with --update-baseline$/);
});

test('a folder, an empty file and invalid JSON: one line each, naming the file and what to do', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'run.json'));
  await rejectsWith(readBundleFile(join(dir, 'run.json'), 'run', { optional: true }), /run\.json: is a folder, expected a run manifest \(run\.json\); give the file's path$/);
  await writeFile(join(dir, 'generator.json'), '  \n');
  await rejectsWith(readBundleFile(join(dir, 'generator.json'), 'generator'), /generator\.json: file is empty, expected the load generator health \(generator\.json\); the file is corrupt or from another tool$/);
  await writeFile(join(dir, 'bad.json'), '{"aggregate": {\n  "counters": ');
  await rejectsWith(readJsonFile(join(dir, 'bad.json'), 'an Artillery output', { corrupt: 'run it again' }), /bad\.json: not valid JSON \(.+\), expected an Artillery output; run it again$/);
  // a file holding JSON null is not "absent"
  await writeFile(join(dir, 'null.json'), 'null');
  await rejectsWith(readSchemaFile(join(dir, 'null.json'), GENERATOR_SCHEMA, { optional: true }), /null\.json: \(top level\) must be object; the file is corrupt or from another tool$/);
});

test('an unreadable file says permission denied', { skip: process.getuid?.() === 0 ? 'root reads every file' : false }, async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'run.json');
  await writeFile(path, JSON.stringify(manifest));
  await chmod(path, 0o000);
  await rejectsWith(readBundleFile(path, 'run'), /run\.json: permission denied reading a run manifest \(run\.json\); check the file's permissions$/);
});

test('a wrong type names the field path', () => {
  const bad = copy(manifest) as unknown as { phases: { duration: unknown }[] };
  bad.phases[0].duration = '60s';
  throwsWith(() => validate(RUN_MANIFEST_SCHEMA, bad, 'reports/x/run.json'), /^reports\/x\/run\.json: \/phases\/0\/duration must be number; the file is corrupt or from another tool$/);
  const seed = { ...copy(manifest), seed: 1.5 };
  throwsWith(() => validate(RUN_MANIFEST_SCHEMA, seed, 'run.json'), /^run\.json: \/seed must be integer;/);
  const nullable = { ...copy(manifest), gitRevision: 5 };
  throwsWith(() => validate(RUN_MANIFEST_SCHEMA, nullable, 'run.json'), /^run\.json: \/gitRevision must be string or null;/);
  const time = { ...copy(manifest), startedAt: 'yesterday' };
  throwsWith(() => validate(RUN_MANIFEST_SCHEMA, time, 'run.json'), /^run\.json: \/startedAt must match format "date-time";/);
  const trust = copy(generator) as unknown as { trust: { trustworthy: unknown } };
  trust.trust.trustworthy = 'yes';
  throwsWith(() => validate(GENERATOR_SCHEMA, trust, 'generator.json'), /^generator\.json: \/trust\/trustworthy must be boolean;/);
  const period = copy(generator) as unknown as { periods: Record<string, unknown>[] };
  period.periods[0].cpuPercent = null;
  throwsWith(() => validate(GENERATOR_SCHEMA, period, 'generator.json'), /^generator\.json: \/periods\/0\/cpuPercent must be number;/);
  throwsWith(() => validate(GENERATOR_SCHEMA, [], 'generator.json'), /^generator\.json: \(top level\) must be object;/);
});

test('a missing field is named by its path', () => {
  const noRunId = copy(manifest) as Partial<RunManifest>;
  delete noRunId.runId;
  throwsWith(() => validate(RUN_MANIFEST_SCHEMA, noRunId, 'run.json'), /^run\.json: \/runId is missing; the file is corrupt or from another tool$/);
  const host = copy(manifest) as unknown as { host: Record<string, unknown> };
  delete host.host.cpus;
  throwsWith(() => validate(RUN_MANIFEST_SCHEMA, host, 'run.json'), /^run\.json: \/host\/cpus is missing;/);
  const periods = copy(generator) as unknown as { periods: Record<string, unknown>[] };
  delete periods.periods[0].actualArrivals;
  throwsWith(() => validate(GENERATOR_SCHEMA, periods, 'generator.json'), /^generator\.json: \/periods\/0\/actualArrivals is missing;/);
});

test('a foreign or missing schema id says which was expected and which was found', () => {
  throwsWith(() => validate(RUN_MANIFEST_SCHEMA, { ...copy(manifest), schema: 'something/9' }, 'run.json'), /^run\.json: expected schema 'rampart\.run\/1', found 'something\/9'; the file is corrupt or from another tool$/);
  const noSchema = copy(generator) as Partial<GeneratorFile>;
  delete noSchema.schema;
  throwsWith(() => validate(GENERATOR_SCHEMA, noSchema, 'generator.json'), /^generator\.json: expected schema 'rampart\.generator\/1', found none;/);
});

test('fields a newer writer adds are tolerated', () => {
  assert.equal(validate(RUN_MANIFEST_SCHEMA, { ...copy(manifest), comment: 'extra' }, 'run.json').runId, manifest.runId);
});

test('other schemas plug in the same way, each compiled once', async (t) => {
  const dir = await tempDir(t);
  const schema: BundleSchema<{ kind: 'x'; size: number }> = {
    what: 'an x file',
    advice: 'rebuild it',
    schema: { type: 'object', required: ['kind', 'size'], properties: { kind: { enum: ['x'] }, size: { type: 'integer' } } },
  };
  await writeFile(join(dir, 'x.json'), '{"kind": "y", "size": 1}');
  await rejectsWith(readSchemaFile(join(dir, 'x.json'), schema), /x\.json: \/kind must be one of 'x'; rebuild it$/);
  await writeFile(join(dir, 'x.json'), '');
  await rejectsWith(readSchemaFile(join(dir, 'x.json'), schema), /x\.json: file is empty, expected an x file; rebuild it$/);
  for (let i = 0; i < 3; i++) assert.equal(validate(schema, { kind: 'x', size: i }, 'x.json').size, i);
});

test('a field path names endpoint keys as written, not as JSON-pointer escapes', () => {
  const schema: BundleSchema<{ endpoints: Record<string, number> }> = {
    schema: { type: 'object', required: ['endpoints'], properties: { endpoints: { type: 'object', additionalProperties: { type: 'number' } } } },
    what: 'a test file',
    advice: 'fix it',
  };
  throwsWith(() => validate(schema, { endpoints: { 'GET /api/v1/alerts/:id': 'slow' } }, 'x.json'), /^x\.json: \/endpoints\/'GET \/api\/v1\/alerts\/:id' must be number; fix it$/);
});
