// Plain `artillery run scenarios/...` with no flags and no Rampart variables (docs/scenarios.md,
// "Plain Artillery"): the real artillery binary, in a copy of the suite, against the real platform
// started once on the flow files' default target, 127.0.0.1:3000. A run writes its bundle under the
// copy's reports/ by itself; --config applies a profile's phases and thresholds; several flow files
// on one command line never run as one merged scenario.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse } from 'yaml';
import { bundleFile } from '../../src/core/bundle/files.ts';
import { readBundleFile } from '../../src/core/bundle/read.ts';
import { readHistogramDocument } from '../../src/core/bundle/histogram-read.ts';
import type { ArtilleryOutput } from '../../src/core/bundle/types.ts';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { compose } from '../../src/compose/compose.ts';
import { loadFlow, loadProfile } from '../../src/compose/load.ts';
import { loadBundle } from '../../src/results/index.ts';
import { rejectsWithUsage, skipUnlessCi } from '../support.ts';
import { DEFAULT_PORT, copySuite, plainEnv, portIsFree, runArtilleryCli, startDefaultPlatform } from './plain-support.ts';
import type { Finished, RunningPlatform } from './plain-support.ts';

let suite: string;
let platform: RunningPlatform | undefined;
let busy: string | false = false;

before(async () => {
  suite = await copySuite(await mkdtemp(path.join(tmpdir(), 'rampart-plain-')));
  // The no-flag run can only target 127.0.0.1:3000; a platform someone already runs there is not ours.
  busy = skipUnlessCi((await portIsFree(DEFAULT_PORT)) ? false : `port ${DEFAULT_PORT} is in use: a plain run with no flags targets it, so these cases need it free`);
  if (busy !== false) return;
  platform = await startDefaultPlatform(process.execPath, ['platform/server.ts'], {
    cwd: suite,
    env: plainEnv({ DATA_DIR: path.join(suite, '.data'), LOG_LEVEL: 'warn' }),
    logFile: path.join(suite, 'platform.log'),
  });
}, { timeout: 150_000 });

after(async () => {
  await platform?.stop();
  await rm(suite, { recursive: true, force: true, maxRetries: 5 });
});

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;
const bundles = async (): Promise<string[]> => (await readdir(path.join(suite, 'reports')).catch(() => [])).sort();

/** The bundle folder the plugin announced on stderr, checked to lie under the suite's reports/. */
function announcedBundle(run: Finished, name: RegExp): string {
  const match = /rampart: plain run of [\w-]+: the bundle goes to (reports\/[^\s]+)\/\n/.exec(run.stderr);
  assert.ok(match !== null, `the plugin names the bundle folder: ${run.stderr}`);
  assert.match(path.basename(match[1]), name);
  return path.join(suite, match[1]);
}

test('artillery run scenarios/login-storm.yml, no flags: smoke phases against 127.0.0.1:3000, the bundle in reports/<run-id>/', { timeout: 150_000 }, async (t) => {
  if (busy !== false) {
    t.skip(busy);
    return;
  }
  const run = await runArtilleryCli(['run', 'scenarios/login-storm.yml'], suite);
  assert.equal(run.timedOut, false);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const dir = announcedBundle(run, /^\d{8}T\d{6}-login-storm-[0-9a-f]{4}$/);

  const out = await readJson<ArtilleryOutput>(bundleFile(dir, 'artillery'));
  const c = out.aggregate.counters;
  assert.equal(c['vusers.created'], 2, 'smoke: 2 arrivals');
  assert.equal(c['vusers.failed'] ?? 0, 0);
  assert.equal(c['http.requests'], 8, 'login, me, refresh, logout for each user');
  assert.equal(c['plugins.expect.failed'] ?? 0, 0);
  assert.ok(out.intermediate.length >= 1, 'the periods Artillery reported');
  assert.match(run.stdout, /ok: maxErrorRate < 0/, 'the flow file\'s threshold was checked');

  const generator = await readBundleFile(bundleFile(dir, 'generator'), 'generator');
  assert.equal(generator.planned.arrivals, 2);
  assert.equal(generator.actual.arrivals, 2);
  assert.equal(generator.trust.trustworthy, true, generator.trust.reasons.join('; '));
  const histograms = await readHistogramDocument(bundleFile(dir, 'histograms'));
  assert.deepEqual(Object.keys(histograms.endpoints).sort(), ['GET /api/v1/auth/me', 'POST /api/v1/auth/login', 'POST /api/v1/auth/logout', 'POST /api/v1/auth/refresh']);

  // what rampart report and gate read: a bundle with the plugin's figures, no run.json
  const bundle = await loadBundle(dir);
  assert.equal(bundle.manifest, null);
  assert.notEqual(bundle.histograms, null);
  assert.equal(bundle.artillery.aggregate.counters['vusers.created'], 2);
});

test('--config phases/<profile>.yml: the profile\'s phases replace the smoke phase and its thresholds set the exit code', { timeout: 150_000 }, async (t) => {
  if (busy !== false) {
    t.skip(busy);
    return;
  }
  // A pause then a rate: neither merges into the flow file's default phase field by field.
  await writeFile(path.join(suite, 'phases', 'two-step.yml'), [
    'config:',
    '  phases:',
    '    - { name: quiet, pause: 1 }',
    '    - { name: steady, duration: 3, arrivalRate: 1 }',
    '  ensure:',
    '    thresholds:',
    '      - http.response_time.p99: 1     # a login (bcrypt) takes far longer: breached',
    '  rampart: { description: test, mix: { login-storm: 1 } }',
    '',
  ].join('\n'));
  const before = await bundles();
  const run = await runArtilleryCli(['run', '--config', 'phases/two-step.yml', 'scenarios/login-storm.yml'], suite);
  assert.equal(run.timedOut, false);
  assert.equal(run.code, 1, `ensure's breach is exit 1: ${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /fail: http\.response_time\.p99 < 1/);
  assert.deepEqual([...run.stdout.matchAll(/Phase started: (\S+)/g)].map((m) => m[1]), ['quiet', 'steady']);

  const dir = announcedBundle(run, /^\d{8}T\d{6}-two-step-login-storm-[0-9a-f]{4}$/);
  assert.ok(!before.includes(path.basename(dir)));
  const out = await readJson<ArtilleryOutput>(bundleFile(dir, 'artillery'));
  assert.equal(out.aggregate.counters['vusers.created'], 3, 'no arrivals in the pause, 3 in 3 s');
  const generator = await readBundleFile(bundleFile(dir, 'generator'), 'generator');
  assert.equal(generator.planned.arrivals, 3);
  assert.equal(generator.planned.durationSeconds, 4);
});

test('artillery run scenarios/*.yml never runs a merged scenario: Artillery\'s validation stops it, no request, no bundle', { timeout: 60_000 }, async () => {
  const files = (await readdir(path.join(suite, 'scenarios'))).filter((f) => f.endsWith('.yml')).sort().map((f) => `scenarios/${f}`);
  assert.equal(files.length, 8);
  const before = await bundles();
  const run = await runArtilleryCli(['run', ...files], suite);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /Scenario validation error: "scenarios\[0\]\.flow\[\d+\]" must have 1 key/);
  assert.doesNotMatch(run.stdout, /Phase started/);
  assert.deepEqual(await bundles(), before);
});

test('flow files whose merged steps do validate: the plugin stops the run before any request, exit 2 and one line saying what to type', { timeout: 60_000 }, async () => {
  // A copy of login-storm under its own name: merged with the original, every step still has one key.
  const original = await readFile(path.join(suite, 'scenarios', 'login-storm.yml'), 'utf8');
  await writeFile(path.join(suite, 'scenarios', 'login-storm-copy.yml'), original.replaceAll('login-storm', 'login-storm-copy'));
  const before = await bundles();
  const run = await runArtilleryCli(['run', 'scenarios/login-storm.yml', 'scenarios/login-storm-copy.yml'], suite);
  await rm(path.join(suite, 'scenarios', 'login-storm-copy.yml'));
  assert.equal(run.code, 2, run.stdout + run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /^rampart: several flow files were merged into one scenario \(login-storm, login-storm-copy\): .*artillery run scenarios\/<flow>\.yml.*npx rampart run <profile>$/);
  assert.doesNotMatch(run.stdout, /Phase started/);
  assert.deepEqual(await bundles(), before);
  assert.equal(existsSync(path.join(suite, 'processors', 'dist', 'index.js')), false, 'the processor Artillery bundled is removed');
});

// Artillery's own merge of a script with --config (lib/util/prepare-test-execution-plan.ts): lodash's
// merge, from Artillery's own dependencies.
const { merge } = createRequire(path.join(REPO_ROOT, 'node_modules', 'artillery', 'package.json'))('lodash') as { merge: (target: object, source: object) => object };

interface Doc { config: Record<string, unknown> & { phases?: Record<string, unknown>[]; variables?: Record<string, unknown>; ensure?: unknown } }

/** What Artillery runs for a phase (lib/core/phases.ts): pause, else arrivalCount, else a ramp, else a rate. */
function effectivePhase(p: Record<string, unknown>): Record<string, unknown> {
  const named = { name: p.name };
  if (p.pause !== undefined) return { ...named, pause: p.pause };
  if (p.arrivalCount !== undefined) return { ...named, duration: p.duration, arrivalCount: p.arrivalCount, maxVusers: p.maxVusers };
  return { ...named, duration: p.duration, arrivalRate: p.arrivalRate, rampTo: p.rampTo, maxVusers: p.maxVusers };
}

test('--config with every shipped profile over every flow file: Artillery\'s merge runs the profile\'s phases, variables and thresholds', async () => {
  const names = async (dir: string): Promise<string[]> => (await readdir(path.join(REPO_ROOT, dir))).filter((f) => f.endsWith('.yml')).sort();
  const read = async (file: string): Promise<Doc> => parse(await readFile(path.join(REPO_ROOT, file), 'utf8')) as Doc;
  const profiles = await names('phases');
  const flows = await names('scenarios');
  assert.ok(profiles.length >= 8 && flows.length >= 8);
  for (const profileFile of profiles) {
    const profile = await read(`phases/${profileFile}`);
    for (const flowFile of flows) {
      const merged = merge(merge({}, await read(`scenarios/${flowFile}`)), profile) as Doc;
      const pair = `--config phases/${profileFile} scenarios/${flowFile}`;
      assert.deepEqual((merged.config.phases ?? []).map(effectivePhase), (profile.config.phases ?? []).map(effectivePhase), `${pair}: phases`);
      for (const [name, value] of Object.entries(profile.config.variables ?? {})) {
        assert.deepEqual(merged.config.variables?.[name], value, `${pair}: variable ${name}`);
      }
      assert.deepEqual(merged.config.ensure, profile.config.ensure, `${pair}: thresholds`);
      assert.equal(merged.config.target, 'http://127.0.0.1:3000', `${pair}: the flow file's default target`);
    }
  }
});

test('rampart run ignores a flow file\'s plain defaults and refuses one whose files key names another flow', async () => {
  const profile = await loadProfile(suite, 'smoke');
  const flow = await loadFlow(suite, 'login-storm');
  const { script } = compose(profile, new Map([['login-storm', flow]]), {
    target: 'http://127.0.0.1:4321', flows: ['login-storm'], rateScale: 1, seed: 7, processor: '/x/index.ts', maxArrivalRate: 100,
  });
  assert.equal(script.config.target, 'http://127.0.0.1:4321');
  assert.deepEqual(script.config.phases, [{ name: 'smoke', duration: 2, arrivalCount: 2 }]);
  assert.deepEqual(script.config.ensure, { maxErrorRate: 0 });
  assert.equal((script.config as { rampart?: unknown }).rampart, undefined);

  const original = await readFile(path.join(suite, 'scenarios', 'login-storm.yml'), 'utf8');
  await writeFile(path.join(suite, 'scenarios', 'my-flow.yml'), original.replace('name: login-storm', 'name: my-flow'));
  await rejectsWithUsage(loadFlow(suite, 'my-flow'), /scenarios\/my-flow\.yml: config\.rampart\.files must be \{ my-flow: true \}/);
  await rm(path.join(suite, 'scenarios', 'my-flow.yml'));
});
