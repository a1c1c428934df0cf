// compose: profile + flows -> one Artillery script; validation; rescaling; the arrival-rate guard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RampartError, EXIT } from '../../src/core/errors.ts';
import { compose, scalePhases, selectFlows, peakRate, checkArrivalRate, runnablePhase } from '../../src/compose/compose.ts';
import { loadFlow, loadProfile, listFlows, listProfiles, parsePhases } from '../../src/compose/load.ts';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { requestsOfFlow } from '../../src/coverage/operations.ts';
import type { FlowFile, Profile } from '../../src/compose/types.ts';

const base = { target: 'http://127.0.0.1:3000', rateScale: 1, seed: 7, processor: '/abs/processors/index.ts', maxArrivalRate: 2000 };

function profile(over: Partial<Profile> = {}): Profile {
  return {
    name: 'p', file: 'phases/p.yml', description: '',
    config: { plugins: { expect: { outputFormat: 'json' } }, variables: { thinkShort: '1s' }, ensure: { maxErrorRate: 1 } },
    phases: [{ name: 'warm', duration: 10, arrivalRate: 1 }, { name: 'main', duration: 30, arrivalRate: 2, rampTo: 4 }],
    mix: { a: 3, b: 1, c: 0 },
    selection: 'weighted',
    ...over,
  };
}

function flow(name: string, scenarios: { name: string; weight?: number }[], variables: Record<string, unknown> = {}): FlowFile {
  return { name, file: `scenarios/${name}.yml`, variables, metrics: name === 'b' ? ['rampart.probe'] : [], scenarios: scenarios.map((s) => ({ ...s, flow: [{ get: { url: `/${s.name}`, name: `GET /${s.name}` } }] })) };
}

const files = new Map<string, FlowFile>([
  ['a', flow('a', [{ name: 'a1' }], { thinkShort: '5s', fromA: 1 })],
  ['b', flow('b', [{ name: 'b1', weight: 1 }, { name: 'b2', weight: 3 }])],
  ['c', flow('c', [{ name: 'c1' }])],
]);

function rampartError(fn: () => unknown, pattern: RegExp, code: number = EXIT.usage): void {
  assert.throws(fn, (e: unknown) => e instanceof RampartError && e.exitCode === code && pattern.test(e.message) && !e.message.includes('\n'));
}

async function rejectsWith(p: Promise<unknown>, pattern: RegExp, code: number = EXIT.usage): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof RampartError && e.exitCode === code && pattern.test(e.message) && !e.message.includes('\n'));
}

test('the mix decides the flows and their shares; a flow file splits its share by its own scenario weights', () => {
  const { script, flows } = compose(profile(), files, base);
  assert.deepEqual(flows, [{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }]);
  const weights = Object.fromEntries(script.scenarios.map((s) => [s.name, s.weight]));
  // a: 3 of 4 shares; b: 1 share split 1:3 between b1 and b2
  assert.deepEqual(weights, { a1: 12, b1: 1, b2: 3 });
  assert.ok(Object.values(weights).every((w) => Number.isInteger(w)));
});

test('the script carries the target, the processor, the seed, the profile config and the required plugins', () => {
  const { script } = compose(profile(), files, base);
  assert.equal(script.config.target, base.target);
  assert.equal(script.config.processor, base.processor);
  const vars = script.config.variables as Record<string, unknown>;
  assert.equal(vars.rampartSeed, 7);
  assert.equal(vars.thinkShort, '1s', 'profile variables override flow defaults');
  assert.equal(vars.fromA, 1, 'flow variables are kept');
  const plugins = script.config.plugins as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(plugins).sort(), ['expect', 'metrics-by-endpoint', 'rampart']);
  assert.equal(plugins.expect.outputFormat, 'json', 'the profile may configure a required plugin');
  assert.equal(plugins['metrics-by-endpoint'].useOnlyRequestNames, true);
  assert.deepEqual(script.config.ensure, { maxErrorRate: 1 });
});

test('--flows picks flows; flows outside the mix get weight 1; unknown or repeated flows are refused', () => {
  const { flows } = compose(profile(), files, { ...base, flows: ['c', 'a'] });
  assert.deepEqual(flows, [{ name: 'c', weight: 1 }, { name: 'a', weight: 3 }]);
  rampartError(() => compose(profile(), files, { ...base, flows: ['nope'] }), /unknown flow 'nope'/);
  rampartError(() => selectFlows(profile(), ['a', 'a']), /listed twice/);
  rampartError(() => selectFlows(profile({ mix: { a: 0 } }), undefined), /no flow with a weight above 0/);
});

test('sequence selection runs every flow in order inside one scenario', () => {
  const { script } = compose(profile({ selection: 'sequence' }), files, { ...base, flows: ['b', 'a'] });
  assert.equal(script.scenarios.length, 1);
  assert.deepEqual(script.scenarios[0].flow.map((s) => (s as { get: { name: string } }).get.name), ['GET /b1', 'GET /b2', 'GET /a1']);
});

test('scenario names must be unique across the composed flows', () => {
  const twin = new Map(files);
  twin.set('c', flow('c', [{ name: 'a1' }]));
  rampartError(() => compose(profile(), twin, { ...base, flows: ['a', 'c'] }), /scenario name 'a1' appears twice/);
});

test('--duration stretches phases proportionally and --rate-scale multiplies rates', () => {
  const phases = scalePhases(profile().phases, 2, 80);
  assert.deepEqual(phases, [
    { name: 'warm', duration: 20, arrivalRate: 2 },
    { name: 'main', duration: 60, arrivalRate: 4, rampTo: 8 },
  ]);
  const counted = scalePhases([{ duration: 10, arrivalCount: 10 }, { duration: 5, pause: 5 }], 0.5, 30);
  assert.deepEqual(counted, [{ duration: 20, arrivalCount: 10 }, { duration: 10, pause: 10 }], 'arrivalCount keeps the rate: x2 time x0.5 scale');
  rampartError(() => scalePhases(profile().phases, 0), /--rate-scale must be a positive number/);
});

test('phases become what Artillery runs exactly: whole rates, fractional constant rates as arrival counts', () => {
  assert.deepEqual(runnablePhase({ duration: 60, arrivalRate: 2 }), { duration: 60, arrivalRate: 2 });
  assert.deepEqual(runnablePhase({ name: 'dip', duration: 120, arrivalRate: 1.5 }), { name: 'dip', duration: 120, arrivalCount: 180 });
  assert.deepEqual(runnablePhase({ duration: 60, arrivalRate: 1.4, rampTo: 3.6 }), { duration: 60, arrivalRate: 1, rampTo: 4 });
  assert.deepEqual(runnablePhase({ duration: 60, arrivalRate: 2, rampTo: 0 }), { duration: 60, arrivalCount: 60 }, 'a ramp to 0 keeps its mean rate');
  assert.deepEqual(scalePhases([{ duration: 30, arrivalRate: 1 }], 0.5), [{ duration: 30, arrivalCount: 15 }], '--rate-scale 0.5 of 1/s');
});

test('the arrival-rate guard refuses a phase above the configured maximum, naming the setting', () => {
  assert.equal(peakRate({ duration: 10, arrivalRate: 1, rampTo: 50 }), 50);
  assert.equal(peakRate({ duration: 10, arrivalCount: 100 }), 10);
  rampartError(() => compose(profile(), files, { ...base, rateScale: 1000 }), /phase 2 \('main'\) asks for 4000 arrivals\/s, above the limit of 2000 \(limits\.maxArrivalRate in rampart\.config\.yml\)/);
  assert.doesNotThrow(() => { checkArrivalRate([{ duration: 1, arrivalRate: 2000 }], 2000, 'p'); });
});

test('thresholds on custom metrics stay only when a selected flow emits the metric', () => {
  const ensure = { maxErrorRate: 1, thresholds: [{ 'http.response_time.p95': 500 }, { 'rampart.probe.p95': 100 }] };
  const withB = compose(profile({ config: { ensure } }), files, base);
  assert.deepEqual(withB.script.config.ensure, ensure);
  assert.deepEqual(withB.droppedThresholds, []);
  const withoutB = compose(profile({ config: { ensure } }), files, { ...base, flows: ['a'] });
  assert.deepEqual(withoutB.script.config.ensure, { maxErrorRate: 1, thresholds: [{ 'http.response_time.p95': 500 }] });
  assert.deepEqual(withoutB.droppedThresholds, ['rampart.probe.p95']);
});

test('phase durations: numbers are seconds; units ms, s, m, h, d; anything else is refused', () => {
  const durations = (values: unknown[]): number[] => parsePhases(values.map((duration) => ({ duration, arrivalRate: 1 })), 'p.yml').map((p) => p.duration);
  assert.deepEqual(durations([30, '90s', '5m', '2h', '1d']), [30, 90, 300, 7200, 86400]);
  assert.deepEqual(parsePhases([{ pause: '500ms' }], 'p.yml'), [{ duration: 0.5, pause: 0.5 }]);
  rampartError(() => parsePhases([{ duration: 'soon', arrivalRate: 1 }], 'p.yml'), /^p\.yml: phase 1: 'duration' must be a positive duration/);
  rampartError(() => parsePhases([{ duration: -1, arrivalRate: 1 }], 'p.yml'), /^p\.yml: phase 1: 'duration' must be a positive duration/);
  rampartError(() => parsePhases([{ pause: 'soon' }], 'p.yml'), /^p\.yml: phase 1: 'pause' is not a duration/);
});

test('every shipped profile and flow loads, and every profile composes with its own mix', async () => {
  const profiles = await listProfiles(REPO_ROOT);
  assert.deepEqual(profiles, ['analytics-burst', 'baseline', 'business-hours', 'incident-response', 'pull-request', 'smoke', 'soak', 'spike', 'stress']);
  const flowNames = await listFlows(REPO_ROOT);
  assert.deepEqual(flowNames, ['administration', 'analyst-triage', 'analytics-reports', 'api-coverage', 'incident-response', 'login-storm', 'sensor-ingest', 'threat-hunting']);
  const all = new Map<string, FlowFile>();
  for (const n of flowNames) all.set(n, await loadFlow(REPO_ROOT, n));
  for (const name of profiles) {
    const p = await loadProfile(REPO_ROOT, name);
    assert.ok(p.description.length > 10, `${name} describes itself`);
    const { script } = compose(p, all, base);
    const plugins = script.config.plugins as Record<string, unknown>;
    for (const required of ['rampart', 'expect', 'metrics-by-endpoint', 'ensure']) assert.ok(plugins[required] !== undefined, `${name} has plugin ${required}`);
    assert.ok(script.config.ensure !== undefined, `${name} states thresholds`);
  }
  for (const f of all.values()) {
    for (const r of requestsOfFlow(f)) assert.match(r.key, /^(GET|POST|PATCH|PUT|DELETE) \/\S*$/, `${r.where}: every request is named by its endpoint key`);
  }
});

test('bad inputs: unknown profile or flow, YAML errors with file:line, bad phases — one line, exit 2', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'rampart-compose-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, 'phases'));
  await mkdir(path.join(dir, 'scenarios'));
  await writeFile(path.join(dir, 'phases', 'ok.yml'), 'config:\n  phases:\n    - duration: 5\n      arrivalRate: 1\n  rampart:\n    mix: { good: 1 }\n');
  await writeFile(path.join(dir, 'phases', 'nophases.yml'), 'config:\n  rampart:\n    mix: { good: 1 }\n');
  await writeFile(path.join(dir, 'phases', 'badphase.yml'), 'config:\n  phases:\n    - duration: soon\n      arrivalRate: 1\n  rampart:\n    mix: { good: 1 }\n');
  await writeFile(path.join(dir, 'scenarios', 'good.yml'), 'scenarios:\n  - name: good\n    flow:\n      - get: { url: /health, name: GET /health }\n');
  await writeFile(path.join(dir, 'scenarios', 'broken.yml'), 'scenarios:\n  - name: broken\n    flow:\n      - get: { url: /health, name: GET /health\n      - think: 1\n');
  await writeFile(path.join(dir, 'scenarios', 'hooked.yml'), 'scenarios:\n  - name: hooked\n    beforeScenario: x\n    flow:\n      - think: 1\n');

  await rejectsWith(loadProfile(dir, 'nope'), /^unknown profile 'nope'; available: badphase, nophases, ok$/);
  await rejectsWith(loadProfile(dir, '../etc/passwd'), /^unknown profile/);
  await rejectsWith(loadFlow(dir, 'nope'), /^unknown flow 'nope'; available: broken, good, hooked$/);
  await rejectsWith(loadFlow(dir, 'broken'), /^scenarios\/broken\.yml:\d+:\d+: YAML error: .+; fix the file and run again$/);
  await rejectsWith(loadFlow(dir, 'hooked'), /scenario-level 'beforeScenario' is not supported/);
  await rejectsWith(loadProfile(dir, 'nophases'), /^phases\/nophases\.yml: config\.phases must be a non-empty list/);
  await rejectsWith(loadProfile(dir, 'badphase'), /^phases\/badphase\.yml: phase 1: 'duration' must be a positive duration/);
  const ok = await loadProfile(dir, 'ok');
  assert.deepEqual(ok.phases, [{ duration: 5, arrivalRate: 1 }]);
});
