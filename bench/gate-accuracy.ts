// npm run bench:gate — how often the gate cries wolf, says SAME, and catches a real slowdown, judged
// the way the pull-request workflow judges: head runs against base runs made alternately on one
// machine (base, head, base, head), each run on a freshly started platform.
//
// Recording (under the measurement lock): a stream of runs alternating between two builds of the
// REAL reference platform (platform/server.ts on its embedded PostgreSQL, a fresh database each run,
// as ci/scripts/ab-runs.sh does): "clean", and "slow" with INJECT_LATENCY holding back the responses
// of two endpoints by a fraction of their handling time (--fraction, chosen so that the client sees
// about +20%; the table prints what the client actually saw). Each run is a short fixed-rate
// Artillery run of six read endpoints, measured by the Rampart plugin (exact HDR histograms).
//
// Trials (bench/gate-trials.ts): windows of the stream, each judged by the gate's own comparison
// (compareWithBaseline, the settings of ci/slo/defaults.yml + baseline.yml unless --slo):
//   A/B  2K consecutive runs clean, slow, clean, slow, ...: the slow runs as head, the clean ones as base
//   A/A  2K consecutive runs of one build, alternately base and head (K = --pairs, 2 by default)
// Nothing is synthesised; every number comes from real runs.
//
// Options: --runs N (10: about 11 minutes, within one turn of the measurement lock)  --duration S (50)  --rate R arrivals/s (10)  --fraction F[,F] (0.3,0.2: per injected endpoint, about +20% at the client)
//          --min-periods N (override comparison.minPeriods: these runs are shorter than CI's)
//          --pairs K (2: runs a side in a trial window, the pull-request job's AB_PAIRS)
//          --slo FILE (repeatable)  --keep (keep the bundles)
//          --from DIR (repeatable: judge streams kept by earlier --keep runs, without new runs)
//          --include-untrusted (with --from: also judge runs the trust rules refused, which the gate itself would not)
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startPlatform } from '../src/run/platform.ts';
import { runArtillery } from '../src/run/artillery.ts';
import { writeJsonAtomic } from '../src/core/bundle/files.ts';
import { analyzeBundle, loadBundle } from '../src/results/index.ts';
import type { RunManifest } from '../src/core/bundle/types.ts';
import { baselineRunOf } from '../src/gate/baseline.ts';
import { assessTrust, runTotals } from '../src/gate/evaluate.ts';
import { loadSlo } from '../src/gate/slo.ts';
import { ENDPOINTS, INJECTED, judgeStreams } from './gate-trials.ts';
import type { MeasuredRun, Side } from './gate-trials.ts';

const ROOT = resolve(import.meta.dirname, '..');
const URLS: Record<string, string> = {
  'GET /api/v1/alerts': '/api/v1/alerts?limit=20',
  'GET /api/v1/dashboard/summary': '/api/v1/dashboard/summary',
  'GET /api/v1/events': '/api/v1/events?limit=20',
  'GET /api/v1/incidents': '/api/v1/incidents?limit=20',
  'GET /api/v1/indicators': '/api/v1/indicators?limit=20',
  'GET /api/v1/auth/me': '/api/v1/auth/me',
};

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!(value > 0)) throw new Error(`${name} needs a positive number`);
  return value;
}

function options(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((arg, i) => {
    if (arg === name && i + 1 < process.argv.length) out.push(process.argv[i + 1]);
  });
  return out;
}

const say = (line: string): void => {
  process.stderr.write(`[bench:gate ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'analyst01', password: 'analyst-demo-pass' }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { accessToken?: string };
  if (response.status !== 200 || typeof body.accessToken !== 'string') throw new Error(`login at ${url} failed: ${response.status} ${JSON.stringify(body)}`);
  return body.accessToken;
}

function script(url: string, token: string, duration: number, rate: number): string {
  const auth = `{ authorization: "Bearer ${token}" }`;
  return `config:
  target: "${url}"
  phases:
    - { name: fixed-rate, duration: ${duration}, arrivalRate: ${rate} }
  http: { timeout: 20 }
  plugins:
    rampart: {}
scenarios:
  - name: reads
    flow:
${ENDPOINTS.map((key) => `      - get: { url: "${URLS[key]}", name: "${key}", headers: ${auth} }`).join('\n')}
`;
}

/** A measured run from its bundle folder (named s<seq>-<side>). */
async function judgeBundle(bundleDir: string, side: Side, seq: number): Promise<MeasuredRun> {
  const bundle = await loadBundle(bundleDir);
  const { endpoints } = analyzeBundle(bundle);
  const totals = runTotals(endpoints);
  const trust = assessTrust(bundle, totals);
  return { side, seq, run: baselineRunOf(bundle, endpoints), trusted: trust.trustworthy, reasons: trust.reasons };
}

/** One run on a freshly started platform of one build (its own database), stopped afterwards. */
async function measure(dir: string, side: Side, seq: number, duration: number, rate: number, fractions: number[]): Promise<MeasuredRun> {
  const runId = `s${String(seq).padStart(3, '0')}-${side}`;
  const bundleDir = join(dir, runId);
  await mkdir(bundleDir, { recursive: true });
  const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: '1000000', BCRYPT_COST: '4' };
  if (side === 'slow') env.INJECT_LATENCY = injection(fractions);
  const platform = await startPlatform({ root: ROOT, logFile: join(bundleDir, 'platform.log'), env, readyTimeoutMs: 120_000 });
  try {
    const token = await login(platform.url);
    // A freshly started platform is slow until its code is compiled: 30 rounds of the six reads first.
    for (let i = 0; i < 30; i++) {
      for (const key of ENDPOINTS) await fetch(`${platform.url}${URLS[key]}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.arrayBuffer());
    }
    const scriptPath = join(bundleDir, 'script.yml');
    await writeFile(scriptPath, script(platform.url, token, duration, rate));
    const startedAt = new Date().toISOString();
    const child = runArtillery({
      root: ROOT, scriptPath, outputPath: join(bundleDir, 'artillery.json'), logFile: join(bundleDir, 'artillery.log'),
      env: { RAMPART_BUNDLE_DIR: bundleDir }, phaseCount: 1,
    });
    const timer = setTimeout(() => {
      child.interrupt();
    }, (duration + 120) * 1000);
    const result = await child.done;
    clearTimeout(timer);
    const manifest: RunManifest = {
      schema: 'rampart.run/1', runId, profile: 'gate-bench', flows: [{ name: 'reads', weight: 1 }], seed: 0,
      target: platform.url, gitRevision: null, startedAt, endedAt: new Date().toISOString(), interrupted: result.interrupted,
      artilleryExitCode: result.exitCode, rateScale: 1, durationOverride: null, phases: [{ name: 'fixed-rate', duration, arrivalRate: rate }],
      versions: { rampart: '0.1.0', artillery: '2.0.34', node: process.version }, host: { hostname: 'bench', cpus: 2, memoryBytes: 0 },
    };
    await writeJsonAtomic(join(bundleDir, 'run.json'), manifest);
  } finally {
    await platform.stop();
  }
  return judgeBundle(bundleDir, side, seq);
}

/** INJECT_LATENCY for the slow build: one fraction per injected endpoint (or one for all). */
function injection(fractions: number[]): string {
  return INJECTED.map((key, i) => `${key}=${fractions[Math.min(i, fractions.length - 1)]}`).join(',');
}

async function readStream(dir: string): Promise<MeasuredRun[]> {
  const runs: MeasuredRun[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const match = /^s(\d+)-(clean|slow)$/.exec(name);
    if (match === null) continue;
    try {
      runs.push(await judgeBundle(join(dir, name), match[2] as Side, Number(match[1])));
    } catch (error) {
      say(`skipping ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return runs;
}

async function main(): Promise<void> {
  const count = option('--runs', 10);
  const duration = option('--duration', 50);
  const rate = option('--rate', 10);
  const fractionText = options('--fraction').at(-1) ?? '0.3,0.2';
  const fractions = fractionText.split(',').map(Number);
  if (fractions.some((f) => !(f > 0 && f <= 10))) throw new Error(`--fraction needs numbers in (0, 10], one per injected endpoint (${INJECTED.join(', ')}), got '${fractionText}'`);
  const sloFiles = options('--slo');
  const slo = await loadSlo(sloFiles.length > 0 ? sloFiles : [join(ROOT, 'ci', 'slo', 'defaults.yml'), join(ROOT, 'ci', 'slo', 'baseline.yml')]);
  if (process.argv.includes('--min-periods')) slo.comparison.minPeriods = option('--min-periods', slo.comparison.minPeriods);
  const pairs = option('--pairs', 2);
  if (!Number.isInteger(pairs)) throw new Error('--pairs needs a whole number of runs a side, such as 2 or 4');
  const from = options('--from');
  const streams: { source: string; runs: MeasuredRun[] }[] = [];
  let header: string;
  if (from.length > 0) {
    for (const dir of from) streams.push({ source: dir, runs: await readStream(dir) });
    const refused = streams.flatMap((s) => s.runs).filter((r) => !r.trusted);
    // The gate refuses an untrustworthy run (exit 3: rerun the job); --include-untrusted judges the
    // comparison on such runs too, for its statistics alone, and says how many there were.
    if (process.argv.includes('--include-untrusted')) for (const run of refused) run.trusted = true;
    header = `re-judged ${streams.reduce((n, s) => n + s.runs.length, 0)} kept runs from ${from.join(', ')}; ${refused.length} of them refused by the trust rules${refused.length > 0 ? (process.argv.includes('--include-untrusted') ? ', judged anyway (--include-untrusted)' : ', left out') : ''}`;
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-bench-gate-'));
    const started = Date.now();
    const runs: MeasuredRun[] = [];
    try {
      for (let seq = 1; seq <= count; seq++) {
        const side: Side = seq % 2 === 1 ? 'clean' : 'slow';
        say(`run ${seq}/${count}: ${side}, fresh platform, ${duration} s at ${rate} arrivals/s (x${ENDPOINTS.length} requests)`);
        const measured = await measure(dir, side, seq, duration, rate, fractions);
        if (!measured.trusted) say(`  untrustworthy, left out: ${measured.reasons.join('; ')}`);
        runs.push(measured);
      }
    } finally {
      if (!process.argv.includes('--keep')) await rm(dir, { recursive: true, force: true });
      else say(`bundles kept in ${dir}`);
    }
    streams.push({ source: dir, runs });
    header = `${runs.length} real runs of ${duration} s at ${rate} arrivals/s x ${ENDPOINTS.length} endpoints, each on a fresh platform, ${((Date.now() - started) / 60_000).toFixed(1)} min; slow build: INJECT_LATENCY="${injection(fractions)}"`;
  }
  process.stdout.write(`${judgeStreams(streams, slo, header, pairs, process.argv.includes('--verbose'))}\n`);
}

await main();
