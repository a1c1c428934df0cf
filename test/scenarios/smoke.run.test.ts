// The smoke profile of every workflow against the reference platform on its embedded database
// (one platform start for the file): zero unexpected errors, every expectation met, every platform
// operation answered with a success at least once, threat detection latency and correlation time
// recorded; then what the platform stored; then Ctrl-C on a running `rampart run`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { operationsFromOpenApi } from '../../src/coverage/operations.ts';
import { openApiFromApp } from '../../src/coverage/openapi.ts';
import { executeRun } from '../../src/run/command.ts';
import { parseRunArgs } from '../../src/run/args.ts';
import { startPlatform, type StartedPlatform } from '../../src/run/platform.ts';
import type { ArtilleryOutput, ArtillerySummary, RunManifest } from '../../src/core/bundle/types.ts';
import { readHistogramDocument } from '../../src/core/bundle/histogram-read.ts';

const FLOWS = ['administration', 'analyst-triage', 'analytics-reports', 'api-coverage', 'incident-response', 'login-storm', 'sensor-ingest', 'threat-hunting'];

let platform: StartedPlatform;
/** set once the platform is up: after() stops only what before() started */
let started: StartedPlatform | undefined;
let work: string;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'rampart-smoke-'));
  platform = await startPlatform({ root: REPO_ROOT, logFile: path.join(work, 'platform.log'), readyTimeoutMs: 120_000 });
  started = platform;
}, { timeout: 150_000 });

after(async () => {
  await started?.stop();
  await rm(work, { recursive: true, force: true });
});

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

async function api(pathname: string, token?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${platform.url}${pathname}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

test('smoke over every workflow: no errors, every expectation met, every operation succeeded, detection latency recorded', { timeout: 300_000 }, async () => {
  const options = parseRunArgs(['smoke', '--reports-dir', path.join(work, 'reports')]);
  const result = await executeRun(options, { platform, progress: () => undefined });

  // status; on a failure, every endpoint's status codes, so the one that broke is named
  if (result.exitCode !== 0) {
    const output = await readJson<ArtilleryOutput>(path.join(result.bundleDir, 'artillery.json'));
    const codes = Object.entries(output.aggregate.counters).filter(([name]) => /^plugins\.(metrics-by-endpoint\..*\.codes|expect\.failed)/.test(name));
    assert.fail(`${result.summary}\n${codes.map(([name, n]) => `${name}: ${String(n)}`).join('\n')}`);
  }

  // payload: what the run recorded
  const manifest = await readJson<RunManifest>(path.join(result.bundleDir, 'run.json'));
  assert.equal(manifest.schema, 'rampart.run/1');
  assert.equal(manifest.profile, 'smoke');
  assert.deepEqual(manifest.flows.map((f) => f.name).sort(), FLOWS);
  assert.equal(manifest.target, platform.url);
  assert.equal(manifest.interrupted, false);
  assert.equal(manifest.artilleryExitCode, 0);
  assert.ok(manifest.endedAt !== null && Date.parse(manifest.endedAt) >= Date.parse(manifest.startedAt));

  const out = await readJson<ArtilleryOutput>(path.join(result.bundleDir, 'artillery.json'));
  const c = out.aggregate.counters;
  assert.equal(c['vusers.created'], 2);
  assert.equal(c['vusers.completed'], 2);
  assert.equal(c['vusers.failed'] ?? 0, 0);
  assert.deepEqual(Object.keys(c).filter((k) => k.startsWith('errors.')), [], 'no transport or processor errors');
  assert.equal(c['plugins.expect.failed'] ?? 0, 0, 'every expectation met');
  assert.ok((c['plugins.expect.ok'] ?? 0) > 300, 'hundreds of expectations checked');
  assert.ok((c['http.codes.401'] ?? 0) > 0 && (c['http.codes.403'] ?? 0) > 0 && (c['http.codes.429'] ?? 0) > 0, 'edge cases ran');
  assert.equal(c['http.codes.500'] ?? 0, 0);

  const operations = operationsFromOpenApi(await openApiFromApp());
  const succeeded = (op: string): boolean =>
    Object.entries(c).some(([k, v]) => k.startsWith(`plugins.metrics-by-endpoint.${op}.codes.2`) && v > 0);
  assert.deepEqual(operations.filter((op) => !succeeded(op)), [], 'every operation answered 2xx at least once');

  const summaries: Partial<Record<string, ArtillerySummary>> = out.aggregate.summaries;
  const count = (metric: string): number | undefined => summaries[metric]?.count;
  assert.equal(count('rampart.detection_latency'), 4, 'two attacks per virtual user were detected');
  assert.ok((summaries['rampart.detection_latency']?.max ?? Infinity) < 30_000);
  assert.equal(count('rampart.correlation_time'), 2, 'each attacker was correlated into an incident');
  assert.ok((count('rampart.detection_latency_server') ?? 0) === 4);
  assert.equal(count('rampart.correlation_time_server'), 2);
  assert.ok((count('rampart.report_generation') ?? 0) >= 2);

  const histograms = await readHistogramDocument(path.join(result.bundleDir, 'histograms.json'));
  assert.ok((histograms.metrics['rampart.detection_latency'] ?? []).length > 0, 'the rampart plugin recorded detection latency');
  await access(path.join(result.bundleDir, 'script.yml'));
  await access(path.join(result.bundleDir, 'processors', 'index.ts'));
  await assert.rejects(access(path.join(result.bundleDir, 'processors', 'node_modules')), 'no node_modules link left in the bundle');
  assert.match(result.summary, /threat detection latency \(client\) ms: n 4/);

  // database: the platform stored the probes' alerts and the incidents correlating them
  const login = await fetch(`${platform.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'analyst01', password: 'analyst-demo-pass' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const incidents = await api('/api/v1/incidents?limit=200', accessToken);
  assert.equal(incidents.status, 200);
  const probeIncidents = (incidents.body as { items: { id: number; correlationKey: string | null }[] }).items
    .filter((i) => /^src_ip:198\.1[89]\./.test(i.correlationKey ?? ''));
  assert.ok(probeIncidents.length >= 2, 'one correlated incident per attacker IP');
  const detail = await api(`/api/v1/incidents/${probeIncidents[0].id}`, accessToken);
  const alerts = (detail.body as { alerts: { detectionLatencyMs: number }[] }).alerts;
  assert.ok(alerts.length >= 2 && alerts.every((a) => typeof a.detectionLatencyMs === 'number'));
});

test('rampart coverage --target reads the running platform\'s OpenAPI document: 100%', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'src', 'cli', 'rampart.ts'), 'coverage', '--target', platform.url], { cwd: REPO_ROOT });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 0);
  assert.match(stdout, /^coverage: (\d+)\/\1 operations \(100\.0%\)/);
});

test('Ctrl-C stops a running `rampart run` cleanly: exit 3, run.json says interrupted, measurements kept', { timeout: 180_000 }, async () => {
  const reports = path.join(work, 'interrupted');
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'src', 'cli', 'rampart.ts'), 'run', 'baseline', '--flows', 'analyst-triage,sensor-ingest',
    '--target', platform.url, '--duration', '120', '--reports-dir', reports, '--no-report'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  const phaseRunning = new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/so far [1-9]\d* users/.test(stderr)) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => { resolve(code); }));
  await Promise.race([phaseRunning, exited]);
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 3, `exit code; stderr:\n${stderr}`);
  assert.match(stdout, /INTERRUPTED/);
  const bundle = /bundle: (.+)$/m.exec(stdout)?.[1];
  assert.ok(bundle !== undefined);
  const manifest = await readJson<RunManifest>(path.join(bundle, 'run.json'));
  assert.equal(manifest.interrupted, true);
  assert.equal(manifest.endedAt, null);
  assert.equal(manifest.artilleryExitCode, 130);
  await access(path.join(bundle, 'histograms.json'));
  const kept = await readJson<ArtilleryOutput & { rampart?: { reconstructedFrom: string } }>(path.join(bundle, 'artillery.json'));
  assert.equal(kept.rampart?.reconstructedFrom, 'artillery.log', 'the printed periods were kept');
  assert.ok((kept.aggregate.counters['vusers.created'] ?? 0) >= 1);
  assert.ok(kept.intermediate.length >= 1);
});
