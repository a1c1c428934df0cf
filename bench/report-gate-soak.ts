// npm run bench:soak — report + gate on soak bundles with 40 endpoints: a 2-hour run and a 24-hour
// endurance run, side by side.
//
// For each duration it builds a synthetic bundle (periods of 10 s x 40 endpoints, 200 responses per
// endpoint-period, HDR histograms in the plugin's format) plus a second such run stored as the
// baseline, then measures, each in a fresh child process:
//   gate    `rampart gate <bundle> --no-report` (SLOs + comparison of every endpoint and period)
//   report  `rampart report <bundle>`
//   both    `rampart gate <bundle>`: the gate, then the report rendered from the gate's own analysis
// Wall time is measured around the child (Node start-up included); peak memory is the child's
// maximum resident set size (GNU time's %M). Target: gate + report under 10 s and 300 MB at 24 h.
// Options: --hours H[,H...] (default 2,24) --endpoints N (default 40) --per-period N (default 200) --keep
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSoakBundle } from './soak-bundle.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'src', 'cli', 'rampart.ts');
const TARGET = { hours: 24, wallMs: 10_000, peakMb: 300 };

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index < 0 ? fallback : (process.argv[index + 1] ?? '');
}

function positiveNumbers(name: string, fallback: string): number[] {
  const values = option(name, fallback).split(',').map(Number);
  if (values.some((v) => !Number.isFinite(v) || v <= 0)) throw new Error(`${name} needs positive numbers`);
  return values;
}

interface Measured { wallMs: number; peakMb: number; exitCode: number | null; stderr: string }

function measure(args: string[], env: NodeJS.ProcessEnv): Measured {
  const started = process.hrtime.bigint();
  const child = spawnSync('/usr/bin/time', ['-f', 'RAMPART_PEAK_KB=%M', process.execPath, CLI, ...args], { encoding: 'utf8', env, timeout: 900_000 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const match = /RAMPART_PEAK_KB=(\d+)/.exec(child.stderr);
  return {
    wallMs,
    peakMb: match === null ? Number.NaN : Number(match[1]) / 1024,
    exitCode: child.status,
    stderr: child.stderr.replace(/RAMPART_PEAK_KB=\d+\n?/, '').trim(),
  };
}

const STEPS = [
  { name: 'gate (SLOs + comparison with the baseline)', args: (dir: string) => ['gate', dir, '--no-report'] },
  { name: 'report (report.html, summary.md, junit.xml)', args: (dir: string) => ['report', dir, '--force'] },
  { name: 'gate + report (rampart gate, renders the report)', args: (dir: string) => ['gate', dir] },
] as const;

async function measureCase(root: string, hours: number, endpoints: number, perPeriod: number): Promise<{ hours: number; mb: number; rows: Measured[] }> {
  const periods = Math.round((hours * 3600) / 10);
  const dir = join(root, `${hours}h`);
  process.stderr.write(`${hours} h: building two synthetic runs, ${endpoints} endpoints x ${periods} periods, ${perPeriod} responses per period...\n`);
  const built = Date.now();
  const candidate = await writeSoakBundle(join(dir, 'candidate'), { runId: `soak-${hours}h-candidate`, periods, endpoints, perPeriod, seed: 1 });
  const previous = await writeSoakBundle(join(dir, 'previous'), { runId: `soak-${hours}h-previous`, periods, endpoints, perPeriod, seed: 2 });
  process.stderr.write(`${hours} h: built in ${((Date.now() - built) / 1000).toFixed(1)} s (${(candidate.bytes / 1e6).toFixed(1)} MB of histograms per run)\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, RAMPART_SLO_DIR: join(ROOT, 'ci', 'slo'), RAMPART_BASELINE_DIR: join(dir, 'baselines') };
  const seeded = measure(['gate', previous.dir, '--no-report', '--update-baseline'], env);
  if (seeded.exitCode !== 0 && seeded.exitCode !== 1) throw new Error(`storing the baseline failed (exit ${String(seeded.exitCode)}): ${seeded.stderr}`);
  const rows = STEPS.map((step) => measure(step.args(candidate.dir), env));
  for (const [index, m] of rows.entries()) if (m.exitCode !== 0 && m.exitCode !== 1) process.stderr.write(`${hours} h, ${STEPS[index].name}: exit ${String(m.exitCode)}: ${m.stderr}\n`);
  if (!process.argv.includes('--keep')) await rm(dir, { recursive: true, force: true });
  return { hours, mb: candidate.bytes / 1e6, rows };
}

async function main(): Promise<void> {
  const hours = positiveNumbers('--hours', '2,24');
  const [endpoints] = positiveNumbers('--endpoints', '40');
  const [perPeriod] = positiveNumbers('--per-period', '200');
  const root = await mkdtemp(join(tmpdir(), 'rampart-soak-'));
  try {
    const cases = [];
    for (const h of hours) cases.push(await measureCase(root, h, endpoints, perPeriod));
    const head = cases.map((c) => `${c.hours} h: wall (s) | ${c.hours} h: peak RSS (MB)`).join(' | ');
    const lines = [
      `soak bundles: ${endpoints} endpoints, ${perPeriod} responses per endpoint-period; histograms.json ${cases.map((c) => `${c.mb.toFixed(0)} MB at ${c.hours} h`).join(', ')}; baseline: 1 stored run of the same size`,
      '',
      `| step | ${head} | exit |`,
      `|---|${cases.map(() => '---:|---:').join('|')}|---|`,
    ];
    for (const [index, step] of STEPS.entries()) {
      const cells = cases.map((c) => `${(c.rows[index].wallMs / 1000).toFixed(2)} | ${c.rows[index].peakMb.toFixed(0)}`).join(' | ');
      lines.push(`| ${step.name} | ${cells} | ${cases.map((c) => String(c.rows[index].exitCode)).join(', ')} |`);
    }
    const target = cases.find((c) => c.hours === TARGET.hours);
    if (target !== undefined) {
      const both = target.rows[2];
      const met = both.wallMs < TARGET.wallMs && both.peakMb < TARGET.peakMb;
      lines.push('', `target at ${TARGET.hours} h, gate + report < ${TARGET.wallMs / 1000} s and < ${TARGET.peakMb} MB: ${met ? 'met' : 'NOT met'}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    if (process.argv.includes('--keep')) process.stderr.write(`kept ${root}\n`);
  } finally {
    if (!process.argv.includes('--keep')) await rm(root, { recursive: true, force: true });
  }
}

await main();
