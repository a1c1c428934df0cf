// Runs with one planted bottleneck each, for real: the stand-in platform (./stand-in.ts, a child
// process) on an embedded PostgreSQL, a short Artillery run with the Rampart plugin (src/run's
// runArtillery), and the platform sampler (src/sample) around it, so the bundle holds
// histograms.json, generator.json, resources.json and statements.json as a `rampart run` writes
// them. Used by test/analyze/planted.run.test.ts (short runs) and bench/analyze.ts (longer ones).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedDatabase, withDatabase } from '../../platform/db/embedded.ts';
import { writeJsonAtomic } from '../../src/core/bundle/files.ts';
import type { RunManifest } from '../../src/core/bundle/types.ts';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { runArtillery } from '../../src/run/artillery.ts';
import { startSampler } from '../../src/sample/index.ts';
import { readProcess } from '../../src/sample/proc.ts';
import { prepareStandInDatabase } from './stand-in.ts';

export interface PlantedCase {
  /** the bottleneck planted, also the bundle's name */
  name: string;
  /** the rule analyze must rank first */
  expected: string;
  endpoint: string; // the request's name (its endpoint key)
  url: string; // Artillery URL template
  rate: number; // arrivals per second
  /**
   * bench:analyze's longer runs: the rate is calibrated on the running stand-in so that the route takes
   * this share of one core (its CPU per request measured first, ./planted.ts calibratedRate). A route
   * asked for more than its core builds a queue that grows for the whole run: another bottleneck.
   */
  benchCoreShare?: number;
  poolMax?: number;
  /** CPU burnt in the generator before each request (ms), in a processor */
  generatorBurnMs?: number;
  database: boolean;
}

export const PLANTED: readonly PlantedCase[] = [
  { name: 'missing-index', expected: 'missing-index', endpoint: 'GET /lookup', url: '/lookup?sku={{ $randomNumber(1, 200000) }}', rate: 15, database: true },
  { name: 'n-plus-one', expected: 'n-plus-one', endpoint: 'GET /orders/:id', url: '/orders/{{ $randomNumber(1, 500) }}', rate: 20, poolMax: 20, database: true },
  { name: 'saturated-pool', expected: 'pool-bound', endpoint: 'GET /sleep', url: '/sleep', rate: 30, poolMax: 2, database: true },
  // ~40 ms of CPU (pbkdf2, 240k iterations) per request at 30/s: about 1.2 s of work a second for the
  // stand-in's one thread in the test's 5 s; the bench's 20 s at 90% of the core, measured. Few and
  // costly requests: each virtual user costs Artillery's one worker ~11 ms of CPU here (90 a second
  // saturate it against a route that does nothing), so a cheap route at a core's worth of requests
  // would plant a generator-bound run as well
  { name: 'cpu-bound-route', expected: 'cpu-bound', endpoint: 'GET /hash', url: '/hash', rate: 30, benchCoreShare: 0.9, database: false },
  // 25 arrivals/s x 60 ms of CPU each: 1.5 s of work per second for one worker thread, so arrivals fall
  // behind the schedule by half the run's length
  { name: 'generator-bound', expected: 'generator-bound', endpoint: 'GET /ping', url: '/ping', rate: 25, generatorBurnMs: 60, database: false },
];

export interface Cluster { url: string; postmasterPid: number; dir: string; stop(): Promise<void> }

/** An embedded PostgreSQL in a temporary folder (pg_stat_statements preloaded); stop() removes it. */
export async function startCluster(): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-analyze-pg-'));
  await chmod(dir, 0o755);
  const embedded = await startEmbeddedDatabase({ dataDir: join(dir, 'data'), durable: false, ownProcessGroup: false });
  const postmasterPid = Number((await readFile(join(dir, 'data', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  return { url: embedded.url, postmasterPid, dir, stop: async () => { await embedded.stop(); await rm(dir, { recursive: true, force: true }); } };
}

async function createDatabase(cluster: Cluster, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(cluster.url, name);
  await prepareStandInDatabase(url);
  return url;
}

/** The stand-in as a child process; resolves with its port once it listens. */
function startStandIn(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'test/analyze/stand-in.ts')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the stand-in did not start within 15 s')); }, 15_000);
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const port = /listening (\d+)/.exec(text)?.[1];
      if (port !== undefined) { clearTimeout(timer); resolve({ child, port: Number(port) }); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the stand-in exited with ${String(code)}`)); });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => { child.kill('SIGKILL'); }, 5000);
    child.once('exit', () => { clearTimeout(kill); resolve(); });
    child.kill('SIGTERM');
  });
}

function script(c: PlantedCase, port: number, durationSeconds: number): string {
  const burn = c.generatorBurnMs === undefined ? '' : '      - function: burn\n';
  return `config:
  target: "http://127.0.0.1:${String(port)}"
  phases:
    - { name: planted, duration: ${String(durationSeconds)}, arrivalRate: ${String(c.rate)} }
  http: { timeout: 30 }
${c.generatorBurnMs === undefined ? '' : '  processor: "./burn.js"\n'}  plugins:
    rampart: {}
scenarios:
  - name: ${c.name}
    flow:
${burn}      - get: { url: "${c.url}", name: "${c.endpoint}" }
`;
}

/** CPU the generator spends per virtual user: a busy loop, as a heavy processor would. */
const burnProcessor = (ms: number): string => `module.exports = { burn(context, events, done) { const end = Date.now() + ${String(ms)}; while (Date.now() < end) {} return done(); } };\n`;

/** One request on a connection of its own, as each of Artillery's virtual users opens one; resolves at the response's end. */
function request(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.once('end', resolve);
    }).once('error', reject);
  });
}

export interface Calibration { cpuMsPerRequest: number; requests: number; rate: number }

/**
 * The rate at which `path` takes `coreShare` of the stand-in's one core: its CPU per request measured
 * from /proc/<pid>/stat (user + system) over `requests` requests one after another, after a few to warm
 * up. CPU time, not response time: on a shared machine the response waits for a core, the work does not grow.
 */
export async function calibratedRate(pid: number, port: number, path: string, coreShare: number, requests = 60): Promise<Calibration> {
  for (let i = 0; i < 5; i++) await request(port, path);
  const cpuSeconds = (): number => {
    const counters = readProcess(pid);
    if (counters === null) throw new Error(`the stand-in (pid ${String(pid)}) is gone: cannot calibrate ${path}`);
    return counters.userSeconds + counters.systemSeconds;
  };
  const before = cpuSeconds();
  for (let i = 0; i < requests; i++) await request(port, path);
  const cpuMsPerRequest = ((cpuSeconds() - before) * 1000) / requests;
  return { cpuMsPerRequest, requests, rate: Math.max(1, Math.floor((coreShare * 1000) / cpuMsPerRequest)) };
}

export interface CaseRun { bundleDir: string; artilleryExitCode: number | null; rate: number; calibration?: Calibration }

/**
 * One planted run: its own database (when it needs one), stand-in, sampler and Artillery run. With
 * `bench`, a case with benchCoreShare runs at the rate calibrated on its stand-in.
 */
export async function runPlanted(given: PlantedCase, options: { cluster: Cluster | null; dir: string; durationSeconds: number; intervalMs: number; bench?: boolean }): Promise<CaseRun> {
  const bundleDir = join(options.dir, given.name);
  await mkdir(bundleDir, { recursive: true });
  const databaseUrl = given.database && options.cluster !== null ? await createDatabase(options.cluster, given.name.replace(/-/g, '_')) : null;
  const standIn = await startStandIn({ ...(databaseUrl === null ? {} : { DATABASE_URL: databaseUrl }), POOL_MAX: String(given.poolMax ?? 10) });
  try {
    const share = options.bench === true ? given.benchCoreShare : undefined;
    const calibration = share === undefined || standIn.child.pid === undefined ? undefined : await calibratedRate(standIn.child.pid, standIn.port, new URL(given.url, 'http://127.0.0.1').pathname, share);
    const c = calibration === undefined ? given : { ...given, rate: calibration.rate };
    await writeFile(join(bundleDir, 'script.yml'), script(c, standIn.port, options.durationSeconds));
    if (c.generatorBurnMs !== undefined) await writeFile(join(bundleDir, 'burn.js'), burnProcessor(c.generatorBurnMs));
    const sampler = await startSampler({
      bundleDir, platformPid: standIn.child.pid ?? null, metricsUrl: `http://127.0.0.1:${String(standIn.port)}`, databaseUrl,
      postmasterPid: databaseUrl === null ? null : (options.cluster?.postmasterPid ?? null), local: true,
      missing: databaseUrl === null ? ['database: the stand-in route uses no database'] : [], intervalMs: options.intervalMs,
    });
    const startedAt = new Date().toISOString();
    const run = runArtillery({
      root: REPO_ROOT, scriptPath: join(bundleDir, 'script.yml'), outputPath: join(bundleDir, 'artillery.json'), logFile: join(bundleDir, 'artillery.log'),
      env: { RAMPART_BUNDLE_DIR: bundleDir }, phaseCount: 1,
    });
    sampler.setGeneratorPid(run.pid);
    const timer = setTimeout(() => { run.interrupt(); }, (options.durationSeconds + 60) * 1000);
    const result = await run.done.finally(() => { clearTimeout(timer); });
    await sampler.stop();
    const manifest: RunManifest = {
      schema: 'rampart.run/1', runId: c.name, profile: 'planted', flows: [{ name: c.name, weight: 1 }], seed: 0,
      target: `http://127.0.0.1:${String(standIn.port)}`, gitRevision: null, startedAt, endedAt: new Date().toISOString(), interrupted: result.interrupted,
      artilleryExitCode: result.exitCode, rateScale: 1, durationOverride: null, phases: [{ name: 'planted', duration: options.durationSeconds, arrivalRate: c.rate }],
      versions: { rampart: '0.1.0', artillery: '2.0.34', node: process.version }, host: { hostname: 'planted', cpus: 2, memoryBytes: 0 },
    };
    await writeJsonAtomic(join(bundleDir, 'run.json'), manifest);
    return { bundleDir, artilleryExitCode: result.exitCode, rate: c.rate, ...(calibration === undefined ? {} : { calibration }) };
  } finally {
    await stopChild(standIn.child);
  }
}
