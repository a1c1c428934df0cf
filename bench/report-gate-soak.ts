// npm run bench:soak — report + gate on a two-hour soak bundle with 40 endpoints.
//
// Builds a synthetic soak bundle (720 periods of 10 s x 40 endpoints = 28 800 HDR histograms, plus a
// second such run stored as the baseline), then measures, each in a fresh child process:
//   gate    `rampart gate <bundle> --no-report` (SLOs + comparison of 40 endpoints x 720 periods)
//   report  `rampart report <bundle>`
//   both    `rampart gate <bundle>`: the gate, then the report re-rendered with its verdict
// Wall time is measured around the child (Node start-up included); peak memory is the child's
// maximum resident set size (GNU time's %M). Target: report + gate < 2 s and < 300 MB.
// Options: --periods N (default 720) --endpoints N (default 40) --per-period N (default 200) --keep
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSoakBundle } from './soak-bundle.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'src', 'cli', 'rampart.ts');

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} needs a positive whole number`);
  return value;
}

interface Measured { wallMs: number; peakMb: number; exitCode: number | null; stderr: string }

function measure(args: string[], env: NodeJS.ProcessEnv): Measured {
  const started = process.hrtime.bigint();
  const child = spawnSync('/usr/bin/time', ['-f', 'RAMPART_PEAK_KB=%M', process.execPath, CLI, ...args], { encoding: 'utf8', env, timeout: 900_000 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const match = /RAMPART_PEAK_KB=(\d+)/.exec(child.stderr ?? '');
  return {
    wallMs,
    peakMb: match === null ? Number.NaN : Number(match[1]) / 1024,
    exitCode: child.status,
    stderr: (child.stderr ?? '').replace(/RAMPART_PEAK_KB=\d+\n?/, '').trim(),
  };
}

async function main(): Promise<void> {
  const periods = option('--periods', 720);
  const endpoints = option('--endpoints', 40);
  const perPeriod = option('--per-period', 200);
  const dir = await mkdtemp(join(tmpdir(), 'rampart-soak-'));
  try {
    process.stderr.write(`building two synthetic soak runs: ${endpoints} endpoints x ${periods} periods, ${perPeriod} responses per period...\n`);
    const built = Date.now();
    const candidate = await writeSoakBundle(join(dir, 'candidate'), { runId: 'soak-candidate', periods, endpoints, perPeriod, seed: 1 });
    const previous = await writeSoakBundle(join(dir, 'previous'), { runId: 'soak-previous', periods, endpoints, perPeriod, seed: 2 });
    process.stderr.write(`built in ${((Date.now() - built) / 1000).toFixed(1)} s (${(candidate.bytes / 1e6).toFixed(1)} MB of histograms per run)\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, RAMPART_SLO_DIR: join(ROOT, 'ci', 'slo'), RAMPART_BASELINE_DIR: join(dir, 'baselines') };
    const seeded = measure(['gate', previous.dir, '--no-report', '--update-baseline'], env);
    if (seeded.exitCode !== 0 && seeded.exitCode !== 1) throw new Error(`storing the baseline failed (exit ${seeded.exitCode}): ${seeded.stderr}`);

    const rows: [string, Measured][] = [];
    rows.push(['gate (SLOs + comparison with the baseline)', measure(['gate', candidate.dir, '--no-report'], env)]);
    rows.push(['report (report.html, summary.md, junit.xml)', measure(['report', candidate.dir, '--force'], env)]);
    rows.push(['gate + report (rampart gate, re-renders the report)', measure(['gate', candidate.dir], env)]);

    const lines = [
      `soak bundle: ${endpoints} endpoints x ${periods} periods (${((periods * 10) / 3600).toFixed(1)} h), ${perPeriod} responses per endpoint-period, baseline: 1 stored run of the same size`,
      '',
      '| step | wall time (s) | peak RSS (MB) | exit | target |',
      '|---|---:|---:|---:|---|',
    ];
    for (const [name, m] of rows) {
      const target = name.startsWith('gate + report') ? `< 2 s, < 300 MB: ${m.wallMs < 2000 && m.peakMb < 300 ? 'met' : 'NOT met'}` : '';
      lines.push(`| ${name} | ${(m.wallMs / 1000).toFixed(2)} | ${m.peakMb.toFixed(0)} | ${m.exitCode} | ${target} |`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const [name, m] of rows) if (m.exitCode !== 0 && m.exitCode !== 1) process.stderr.write(`${name}: exit ${m.exitCode}: ${m.stderr}\n`);
    if (process.argv.includes('--keep')) process.stderr.write(`kept ${dir}\n`);
  } finally {
    if (!process.argv.includes('--keep')) await rm(dir, { recursive: true, force: true });
  }
}

await main();
