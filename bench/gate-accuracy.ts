// npm run bench:gate — how often the gate cries wolf, and how often it catches a real slowdown.
//
// On the REAL reference platform (platform/server.ts on its embedded PostgreSQL), five platform
// processes run side by side: two clean ones (the same build, started twice) and three with
// INJECT_LATENCY="GET /api/v1/alerts=<f>" for f = 0.1, 0.2, 0.5 (the response held back for that
// fraction of its handling time). In rounds, in a shuffled order, each gets one short fixed-rate
// Artillery run (six read endpoints, the Rampart measurement plugin writing exact HDR histograms).
//
// Then the gate's own comparison (compareWithBaseline, with the settings of ci/slo/defaults.yml +
// baseline.yml unless --slo) judges:
//   A/A       a clean run against a baseline of 3 other clean runs  -> any SLOWER is a false alarm
//   slowdown  a run of an injected platform against 3 clean runs   -> SLOWER on GET /api/v1/alerts
//             is a detection (the other two endpoints are A/A evidence too)
// Every trial is a recombination of REAL measured runs (each run is used in many trials, so trials
// are not independent); nothing is synthesised. The table says how many real runs stand behind it.
//
// Options: --rounds N (4)  --duration S (50)  --rate R arrivals/s (10)  --baseline-runs K (3)
//          --repeat R (1: like the pull-request workflow, undecided trials add the platform's next run)
//          --slo FILE (repeatable)  --keep (keep the bundles)
//          --from DIR (judge the bundles kept by an earlier --keep run again, e.g. with other settings)
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startPlatform } from '../src/run/platform.ts';
import type { StartedPlatform } from '../src/run/platform.ts';
import { runArtillery } from '../src/run/artillery.ts';
import { writeJsonAtomic } from '../src/core/bundle/files.ts';
import { analyzeBundle, loadBundle } from '../src/results/index.ts';
import type { RunManifest } from '../src/core/bundle/types.ts';
import { baselineRunOf, seriesOf } from '../src/gate/baseline.ts';
import type { BaselineRun } from '../src/gate/baseline.ts';
import { assessTrust, compareWithBaseline, runTotals } from '../src/gate/evaluate.ts';
import { loadSlo } from '../src/gate/slo.ts';
import type { SloConfig } from '../src/gate/slo.ts';
import { seededRandom } from '../src/stats/random.ts';

const ROOT = resolve(import.meta.dirname, '..');
const INJECTED = 'GET /api/v1/alerts';
const ENDPOINTS = [INJECTED, 'GET /api/v1/dashboard/summary', 'GET /api/v1/events', 'GET /api/v1/incidents', 'GET /api/v1/indicators', 'GET /api/v1/auth/me'];
const URLS: Record<string, string> = {
  [INJECTED]: '/api/v1/alerts?limit=20',
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

const say = (line: string): void => {
  process.stderr.write(`[bench:gate ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

interface Platform { name: string; fraction: number; started: StartedPlatform }

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

interface MeasuredRun { platform: string; fraction: number; round: number; run: BaselineRun; trusted: boolean; reasons: string[]; requests: number }

const FRACTIONS: Record<string, number> = { 'clean-a': 0, 'clean-b': 0, 'slow-10': 0.1, 'slow-20': 0.2, 'slow-50': 0.5 };

/** A measured run from its bundle folder (named r<round>-<platform>). */
async function judgeBundle(bundleDir: string, platform: string, round: number): Promise<MeasuredRun> {
  const bundle = await loadBundle(bundleDir);
  const { endpoints } = analyzeBundle(bundle);
  const totals = runTotals(endpoints);
  const trust = assessTrust(bundle, totals);
  return { platform, fraction: FRACTIONS[platform], round, run: baselineRunOf(bundle, endpoints), trusted: trust.trustworthy, reasons: trust.reasons, requests: totals.requests };
}

async function measure(dir: string, platform: Platform, round: number, duration: number, rate: number): Promise<MeasuredRun> {
  const runId = `r${round}-${platform.name}`;
  const bundleDir = join(dir, runId);
  await mkdir(bundleDir, { recursive: true });
  const token = await login(platform.started.url);
  const scriptPath = join(bundleDir, 'script.yml');
  await writeFile(scriptPath, script(platform.started.url, token, duration, rate));
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
    target: platform.started.url, gitRevision: null, startedAt, endedAt: new Date().toISOString(), interrupted: result.interrupted,
    artilleryExitCode: result.exitCode, rateScale: 1, durationOverride: null, phases: [{ name: 'fixed-rate', duration, arrivalRate: rate }],
    versions: { rampart: '0.1.0', artillery: '2.0.34', node: process.version }, host: { hostname: 'bench', cpus: 2, memoryBytes: 0 },
  };
  await writeJsonAtomic(join(bundleDir, 'run.json'), manifest);
  return judgeBundle(bundleDir, platform.name, round);
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

function* combinations<T>(items: T[], k: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = start; i < items.length; i++) yield* combinations(items, k, i + 1, [...prefix, items[i]]);
}

interface Tally { trials: number; slower: number; slowerRelative: number; faster: number; same: number; unknown: number; ratios: number[] }
const emptyTally = (): Tally => ({ trials: 0, slower: 0, slowerRelative: 0, faster: 0, same: 0, unknown: 0, ratios: [] });

/**
 * One trial: the candidate against the baseline, and, like the pull-request workflow's
 * `--repeat`, with the platform's next run added while some endpoint is undecided.
 */
function judge(slo: SloConfig, candidate: BaselineRun, repeats: BaselineRun[], baseline: BaselineRun[], injected: Tally, others: Tally, familyWise: { trials: number; alarms: number } | null, repeated: { trials: number; used: number }): void {
  const runs = [candidate];
  let comparisons = compareWithBaseline(slo, runs, baseline);
  repeated.trials++;
  for (const extra of repeats) {
    if (!comparisons.some((c) => c.verdict === 'UNKNOWN' && c.ratio !== null)) break;
    runs.push(extra);
    comparisons = compareWithBaseline(slo, runs, baseline);
    repeated.used++;
  }
  let alarm = false;
  for (const c of comparisons) {
    const tally = c.endpoint === INJECTED ? injected : others;
    tally.trials++;
    if (c.verdict === 'SLOWER') {
      tally.slower++;
      if (c.detail.startsWith('relative')) tally.slowerRelative++;
      alarm = true;
    } else if (c.verdict === 'FASTER') tally.faster++;
    else if (c.verdict === 'SAME') tally.same++;
    else tally.unknown++;
    if (c.ratio !== null) tally.ratios.push(c.ratio);
  }
  if (familyWise !== null) {
    familyWise.trials++;
    if (alarm) familyWise.alarms++;
  }
}

/** The same platform's runs of the following rounds (cyclically), `count` of them: the repeat runs. */
function nextRuns(all: MeasuredRun[], candidate: MeasuredRun, count: number): MeasuredRun[] {
  const same = all.filter((r) => r.platform === candidate.platform).sort((a, b) => a.round - b.round);
  const at = same.indexOf(candidate);
  const out: MeasuredRun[] = [];
  for (let i = 1; i < same.length && out.length < count; i++) out.push(same[(at + i) % same.length]);
  return out;
}

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);
const medianOf = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)];
};

async function main(): Promise<void> {
  const rounds = option('--rounds', 4);
  const duration = option('--duration', 50);
  const rate = option('--rate', 10);
  const k = option('--baseline-runs', 3);
  const repeatIndex = process.argv.indexOf('--repeat');
  const repeat = repeatIndex < 0 ? 1 : Number(process.argv[repeatIndex + 1]);
  const sloFiles: string[] = [];
  process.argv.forEach((arg, i) => {
    if (arg === '--slo') sloFiles.push(process.argv[i + 1]);
  });
  const slo = await loadSlo(sloFiles.length > 0 ? sloFiles : [join(ROOT, 'ci', 'slo', 'defaults.yml'), join(ROOT, 'ci', 'slo', 'baseline.yml')]);
  const fromIndex = process.argv.indexOf('--from');
  const from = fromIndex < 0 ? null : process.argv[fromIndex + 1];
  const dir = from ?? (await mkdtemp(join(tmpdir(), 'rampart-bench-gate-')));
  const platforms: Platform[] = [];
  const benchStarted = Date.now();
  const runs: MeasuredRun[] = [];
  try {
    if (from !== null) {
      for (const name of (await readdir(from)).sort()) {
        const match = /^r(\d+)-(.+)$/.exec(name);
        if (match === null || !Object.hasOwn(FRACTIONS, match[2])) continue;
        try {
          runs.push(await judgeBundle(join(from, name), match[2], Number(match[1])));
        } catch (error) {
          say(`skipping ${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      say(`judging ${runs.length} kept runs from ${from}`);
    } else {
      for (const [name, fraction] of Object.entries(FRACTIONS)) {
        say(`starting platform ${name}${fraction > 0 ? ` (INJECT_LATENCY="${INJECTED}=${fraction}")` : ''}`);
        const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: '1000000', BCRYPT_COST: '4' };
        if (fraction > 0) env.INJECT_LATENCY = `${INJECTED}=${fraction}`;
        const started = await startPlatform({ root: ROOT, logFile: join(dir, `${name}.platform.log`), env, readyTimeoutMs: 180_000 });
        platforms.push({ name, fraction, started });
      }
      const random = seededRandom(2026);
      for (let round = 1; round <= rounds; round++) {
        for (const platform of shuffle(platforms, random)) {
          say(`round ${round}/${rounds}: ${duration} s at ${rate} arrivals/s (x${ENDPOINTS.length} requests) against ${platform.name}`);
          const measured = await measure(dir, platform, round, duration, rate);
          runs.push(measured);
          if (!measured.trusted) say(`  untrustworthy, left out: ${measured.reasons.join('; ')}`);
        }
      }
      for (const platform of platforms.splice(0)) await platform.started.stop();
    }
    const loadMinutes = from === null ? (Date.now() - benchStarted) / 60_000 : Number.NaN;
    const trusted = runs.filter((r) => r.trusted);
    const clean = trusted.filter((r) => r.fraction === 0);

    // A/A: every clean run as the candidate (its platform's next run as the repeat) against every
    // k-subset of the other clean runs.
    const repeated = { trials: 0, used: 0 };
    const aa = { injected: emptyTally(), others: emptyTally(), family: { trials: 0, alarms: 0 } };
    for (const candidate of clean) {
      const repeats = nextRuns(clean, candidate, repeat);
      const pool = clean.filter((r) => r !== candidate && !repeats.includes(r)).map((r) => r.run);
      for (const baseline of combinations(pool, k)) judge(slo, candidate.run, repeats.map((r) => r.run), baseline, aa.injected, aa.others, aa.family, repeated);
    }
    // Slowdowns: every injected run (its platform's next run as the repeat) against every k-subset of the clean runs.
    const levels = [0.1, 0.2, 0.5].map((fraction) => {
      const tally = { injected: emptyTally(), others: emptyTally(), runs: 0 };
      const ofLevel = trusted.filter((r) => r.fraction === fraction);
      for (const candidate of ofLevel) {
        tally.runs++;
        const repeats = nextRuns(ofLevel, candidate, repeat).map((r) => r.run);
        for (const baseline of combinations(clean.map((r) => r.run), k)) judge(slo, candidate.run, repeats, baseline, tally.injected, tally.others, null, repeated);
      }
      return { fraction, ...tally };
    });

    const c = slo.comparison;
    const endpointCount = new Set(trusted.flatMap((r) => Object.keys(r.run.endpoints))).size;
    const lines: string[] = [];
    lines.push(`bench:gate — ${runs.length} real runs (${trusted.length} trusted; ${clean.length} clean from 2 platform processes, the rest with INJECT_LATENCY on ${INJECTED}),`);
    lines.push(`${from === null ? `each ${duration} s at ${rate} arrivals/s x ${endpointCount} endpoints, ${loadMinutes.toFixed(1)} min of load` : `re-judged from ${from}`}; baseline = ${k} runs; settings: ${c.statistic} per 10 s period, threshold ${c.threshold * 100}%, alpha ${c.alpha}, noise floor ${c.noiseFloor * 100}%, min ${c.minPeriods} periods of >= ${c.minRequestsPerPeriod} responses, common-drift adjustment ${c.adjustForDrift ? 'on' : 'off'}.`);
    lines.push(`Trials are recombinations of the real runs (candidate x baseline subsets), not independent experiments. As in the pull-request workflow (--repeat ${repeat}), an undecided trial adds the platform's next run: ${pct(repeated.used, repeated.trials)} of trials did.`);
    lines.push('');
    lines.push('| comparison | endpoint(s) | real candidate runs | trials | SLOWER | (relative / absolute) | SAME | UNKNOWN | FASTER | median ratio | target |');
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    const row = (name: string, endpoints: string, candidates: number, t: Tally, target: string): void => {
      lines.push(`| ${name} | ${endpoints} | ${candidates} | ${t.trials} | ${pct(t.slower, t.trials)} | ${pct(t.slowerRelative, t.trials)} / ${pct(t.slower - t.slowerRelative, t.trials)} | ${pct(t.same, t.trials)} | ${pct(t.unknown, t.trials)} | ${pct(t.faster, t.trials)} | ${Number.isNaN(medianOf(t.ratios)) ? 'n/a' : medianOf(t.ratios).toFixed(3)} | ${target} |`);
    };
    const allAA: Tally = { ...emptyTally(), trials: aa.injected.trials + aa.others.trials, slower: aa.injected.slower + aa.others.slower, slowerRelative: aa.injected.slowerRelative + aa.others.slowerRelative, same: aa.injected.same + aa.others.same, unknown: aa.injected.unknown + aa.others.unknown, faster: aa.injected.faster + aa.others.faster, ratios: [...aa.injected.ratios, ...aa.others.ratios] };
    row('A/A (same build)', `all ${endpointCount}, per endpoint`, clean.length, allAA, `false alarms <= 5%: ${allAA.trials > 0 && allAA.slower / allAA.trials <= 0.05 ? 'met' : 'NOT met'}`);
    lines.push(`| A/A (same build) | any of ${endpointCount} (the gate fails) | ${clean.length} | ${aa.family.trials} | ${pct(aa.family.alarms, aa.family.trials)} | | | | | | |`);
    for (const level of levels) {
      const target = level.fraction === 0.2 ? `detection >= 90%: ${level.injected.trials > 0 && level.injected.slower / level.injected.trials >= 0.9 ? 'met' : 'NOT met'}` : '';
      row(`+${level.fraction * 100}% injected`, INJECTED, level.runs, level.injected, target);
    }
    const otherAA = levels.reduce((t, l) => ({ ...t, trials: t.trials + l.others.trials, slower: t.slower + l.others.slower, slowerRelative: t.slowerRelative + l.others.slowerRelative, same: t.same + l.others.same, unknown: t.unknown + l.others.unknown, faster: t.faster + l.others.faster, ratios: [...t.ratios, ...l.others.ratios] }), emptyTally());
    row('untouched endpoints of injected runs', `the other ${endpointCount - 1}`, levels.reduce((n, l) => n + l.runs, 0), otherAA, 'false alarms');
    // Calibration: how much the same build moves from run to run here, absolute and relative to
    // the other endpoints (the standard deviation of the runs' log levels, median over endpoints).
    const spread = (relative: boolean): number => {
      const keys = [...new Set(clean.flatMap((r) => Object.keys(r.run.endpoints)))];
      const levelOf = (run: BaselineRun, key: string): number | null => {
        const values = seriesOf(run, key, c.statistic, c.minRequestsPerPeriod).map(Math.log).sort((a, b) => a - b);
        return values.length === 0 ? null : values[Math.floor(values.length / 2)];
      };
      const sds: number[] = [];
      for (const key of keys) {
        const levels: number[] = [];
        for (const r of clean) {
          const own = levelOf(r.run, key);
          if (own === null) continue;
          if (!relative) { levels.push(own); continue; }
          const others = keys.filter((k) => k !== key).map((k) => levelOf(r.run, k)).filter((v): v is number => v !== null);
          if (others.length > 0) levels.push(own - others.reduce((a, b) => a + b, 0) / others.length);
        }
        if (levels.length >= 2) {
          const m = levels.reduce((a, b) => a + b, 0) / levels.length;
          sds.push(Math.sqrt(levels.reduce((a, b) => a + (b - m) ** 2, 0) / (levels.length - 1)));
        }
      }
      return medianOf(sds);
    };
    lines.push('');
    lines.push(`Run-to-run spread of the same build here (standard deviation of log run levels of the ${c.statistic} per period, clean runs, median over endpoints): absolute ${(100 * spread(false)).toFixed(1)}%, relative to the other endpoints ${(100 * spread(true)).toFixed(1)}%. comparison.noiseFloor is the smallest spread the gate assumes (${(100 * c.noiseFloor).toFixed(0)}%); with a baseline of one or two runs, set it near the relative figure.`);
    process.stdout.write(`${lines.join('\n')}\n`);
    if (runs.length > trusted.length) {
      process.stdout.write(`\nleft out as untrustworthy: ${runs.filter((r) => !r.trusted).map((r) => `${r.platform} round ${r.round} (${r.reasons.join('; ')})`).join(', ')}\n`);
    }
    if (process.argv.includes('--keep')) say(`bundles kept in ${dir}`);
  } finally {
    for (const platform of platforms) await platform.started.stop();
    if (from === null && !process.argv.includes('--keep')) await rm(dir, { recursive: true, force: true });
  }
}

await main();
