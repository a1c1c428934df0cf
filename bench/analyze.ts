// npm run bench:analyze — does `rampart analyze` name the bottleneck that was planted?
//
// Each planted case (test/analyze/planted.ts: a stand-in platform on an embedded PostgreSQL with a
// missing index, an N+1, a 2-connection pool, a CPU-bound route; a generator that burns CPU per
// request) gets one real Artillery run with the Rampart plugin and the platform sampler, one case
// at a time so a CPU-bound case has a core to itself; the CPU-bound route runs at the rate that takes
// 90% of the stand-in's core, from its CPU per request measured just before. Then the reference
// platform as first written (OPTIMIZATIONS unset): `rampart run incident-response --rate-scale 0.125`,
// and where analyze ranks the impossible-travel lookup (platform/detection/lookup-rules.ts). Prints
// one table.
//
// Run it under the measurement lock: flock /tmp/rampart-measure.lock npm run bench:analyze
// Options: --duration S (20)  --rate-scale R (0.125)  --cases a,b (all)  --no-platform
//          --platform-bundle DIR (analyze this bundle instead of running the platform)  --keep
//          --from DIR (analyze the planted bundles an earlier --keep left in DIR instead of running them)
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findingsOf } from '../src/analyze/index.ts';
import type { Finding, FindingsFile } from '../src/analyze/types.ts';
import { analyzeBundle, loadBundle } from '../src/results/index.ts';
import { PLANTED, runPlanted, startCluster } from '../test/analyze/planted.ts';

const ROOT = resolve(import.meta.dirname, '..');
const IMPOSSIBLE_TRAVEL = /FROM events WHERE type = \S+ AND outcome = \S+ AND username = \$1/;

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const say = (line: string): void => {
  process.stderr.write(`[bench:analyze ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

/** The findings, and the machine's mean CPU over the run's samples (how busy the shared machine was). */
async function analyse(dir: string): Promise<FindingsFile & { machineCpu: string }> {
  const bundle = await loadBundle(dir);
  const host = (bundle.resources?.samples ?? []).flatMap((s) => (s.host === undefined ? [] : [s.host.cpuPercent]));
  const machineCpu = host.length === 0 ? '' : `${(host.reduce((a, b) => a + b, 0) / host.length).toFixed(0)}%`;
  return { ...findingsOf(bundle, analyzeBundle(bundle)), machineCpu };
}

const shareOf = (f: Finding): string => `${(f.share * 100).toFixed(1)}% of ${f.shareOf === 'run' ? 'the run' : f.shareOf}`;
const evidence = (f: Finding, n = 3): string => f.evidence.slice(0, n).map((e) => `${e.label} ${String(e.value)}${e.unit === '%' ? '%' : e.unit === 'count' ? '' : ` ${e.unit}`}`).join('; ');

interface Row { bundle: string; planted: string; rate: string; first: string; share: string; named: string; evidence: string; machineCpu: string; seconds: number }

async function platformRun(dir: string, rateScale: string): Promise<string> {
  const env = { ...process.env };
  delete env.OPTIMIZATIONS;
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/rampart.ts'), 'run', 'incident-response', '--rate-scale', rateScale, '--reports-dir', dir, '--no-report'], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  say(`rampart run incident-response --rate-scale ${rateScale} exited ${String(code)}`);
  const runs = await readdir(dir);
  if (runs.length !== 1) throw new Error(`expected one bundle in ${dir}, found ${String(runs.length)}`);
  return join(dir, runs[0]);
}

async function main(): Promise<void> {
  const duration = Number(arg('--duration') ?? '20');
  const only = arg('--cases')?.split(',');
  const dir = await mkdtemp(join(tmpdir(), 'rampart-bench-analyze-'));
  const rows: Row[] = [];
  const from = arg('--from');
  const cluster = from === undefined ? await startCluster() : null;
  try {
    for (const c of PLANTED.filter((p) => only === undefined || only.includes(p.name))) {
      const started = Date.now();
      if (from === undefined) say(`${c.name}: ${String(duration)} s ${c.benchCoreShare === undefined ? `at ${String(c.rate)}/s` : `at the rate that takes ${String(c.benchCoreShare * 100)}% of a core (calibrated first)`} against ${c.endpoint}`);
      const run = from === undefined ? await runPlanted(c, { cluster, dir, durationSeconds: duration, intervalMs: 1000, bench: true }) : null;
      if (run?.calibration !== undefined) say(`${c.name}: ${run.calibration.cpuMsPerRequest.toFixed(2)} ms of the stand-in's CPU per request (${String(run.calibration.requests)} requests): ran at ${String(run.rate)}/s`);
      const bundleDir = run?.bundleDir ?? join(from ?? '', c.name);
      const file = await analyse(bundleDir);
      const first = file.findings.at(0);
      rows.push({
        bundle: c.name, planted: c.expected, rate: run === null ? '' : `${String(run.rate)}/s${run.calibration === undefined ? '' : ` (${run.calibration.cpuMsPerRequest.toFixed(1)} ms CPU each)`}`,
        first: first?.rule ?? '(none)', share: first === undefined ? '' : shareOf(first),
        named: first?.rule === c.expected ? 'yes' : 'NO', evidence: first === undefined ? '' : evidence(first), machineCpu: file.machineCpu, seconds: (Date.now() - started) / 1000,
      });
    }
  } finally {
    await cluster?.stop();
  }
  if (!process.argv.includes('--no-platform')) {
    const started = Date.now();
    const given = arg('--platform-bundle');
    const bundle = given ?? (await platformRun(join(dir, 'platform'), arg('--rate-scale') ?? '0.125'));
    const file = await analyse(bundle);
    const travel = file.findings.find((f) => IMPOSSIBLE_TRAVEL.test(f.subject));
    const first = file.findings.at(0);
    rows.push({
      bundle: 'platform as first written', planted: 'impossible-travel lookup', rate: `rate-scale ${arg('--rate-scale') ?? '0.125'}`, first: first === undefined ? '(none)' : `${first.rule}: ${first.subject.slice(0, 60)}`,
      share: first === undefined ? '' : shareOf(first), named: travel === undefined ? 'NO' : travel.rank === 1 ? 'yes (rank 1)' : `rank ${String(travel.rank)}, after ${file.findings.slice(0, travel.rank - 1).map((f) => f.rule).join(', ')}`,
      evidence: travel === undefined ? '' : evidence(travel, 4), machineCpu: file.machineCpu, seconds: (Date.now() - started) / 1000,
    });
    process.stdout.write(`\nplatform bundle: ${bundle}\n${file.findings.slice(0, 5).map((f) => `  ${String(f.rank)}. ${f.rule} (${shareOf(f)}): ${f.subject.slice(0, 100)}`).join('\n')}\n`);
  }
  const head = ['bundle', 'planted', 'rate', 'first finding', 'share', 'named first', 'evidence', 'machine CPU', 'wall s'];
  const table = [head, ...rows.map((r) => [r.bundle, r.planted, r.rate, r.first, r.share, r.named, r.evidence, r.machineCpu, r.seconds.toFixed(0)])];
  process.stdout.write(`\n${table.map((cells) => `| ${cells.join(' | ')} |`).join('\n').replace(/\n/, `\n|${head.map(() => '---').join('|')}|\n`)}\n`);
  if (process.argv.includes('--keep')) say(`bundles kept in ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

await main();
