// npm run bench:capacity — how well `rampart capacity` finds a knee, and the capacity of the platform's
// two configurations.
//
// (a) stand-in accuracy: the stand-in server of test/capacity/stand-in.ts (a child process; SLOTS
//     service slots each held SERVICE_MS by a timer: a known capacity of SLOTS / SERVICE_MS req/s;
//     its GET /stats gives the mean hold, so the effective capacity a busy machine left it is shown too) searched --searches times with rampart capacity's own code (real
//     Artillery steps of --stand-in-step seconds, precision 5%, start at a quarter of the capacity so
//     the search must go up and bisect). Printed: known vs found (the highest pass), the bracket, the
//     error, whether two searches agree within 10%, and the wall time.
// (b) the platform (skipped with --stand-in-only): `rampart capacity incident-response` with
//     --platform-env OPTIMIZATIONS=none and then OPTIMIZATIONS=all, each on a fresh copy of the data
//     (--data FOLDER: copied with cp -a from that folder, e.g. .data/representative-pristine, and
//     removed after; --small: the small seed in a temp folder). --only none|all runs one of them (so
//     each fits in one locked measurement). Printed: the capacity table (sustainable rate, rate-scale,
//     bracket, first limit, steps, wall time).
// Options: --searches N (2) --stand-in-step S (5) --slots N (8) --service-ms MS (100) --stand-in-only
//          --small | --data FOLDER  --only none|all  --step-duration D (30s) --budget D (6m)
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runCapacity } from '../src/capacity/command.ts';
import type { CapacityOutcome } from '../src/capacity/command.ts';
import { CAPACITY_COMMAND, capacityOptions } from '../src/capacity/options.ts';
import { parseCommand } from '../src/core/command.ts';
import { spawnStandIn, writeStandInSuite } from '../test/capacity/stand-in.ts';

const ROOT = resolve(import.meta.dirname, '..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const number = (name: string, fallback: number): number => {
  const value = arg(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0)) throw new Error(`${name} needs a positive number`);
  return n;
};
const say = (line: string): void => { process.stderr.write(`[bench:capacity ${new Date().toISOString().slice(11, 19)}] ${line}\n`); };

async function capacity(argv: string[], suite: string): Promise<CapacityOutcome> {
  const parsed = parseCommand(CAPACITY_COMMAND, argv);
  if (parsed.help) throw new Error('unexpected --help');
  return runCapacity(capacityOptions(parsed.positionals, parsed.values), (line) => { if (!line.startsWith('    ')) say(line); }, suite);
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

async function standInAccuracy(work: string): Promise<string[]> {
  const slots = number('--slots', 8);
  const serviceMs = number('--service-ms', 100);
  const searches = number('--searches', 2);
  const step = number('--stand-in-step', 5);
  const server = await spawnStandIn(slots, serviceMs);
  const known = server.capacity;
  const suite = await writeStandInSuite(join(work, 'suite'), ['/work']);
  const slo = join(work, 'slo.yml');
  // Budgets of 3 service times: below the knee a request takes one, above it the queue grows without end.
  await writeFile(slo, `defaults:\n  p95: ${serviceMs * 3}\n  p99: ${serviceMs * 8}\n  errorRate: 0.01\nrun:\n  errorRate: 0.01\n`);
  const lines = [`(a) stand-in: ${slots} slots x ${serviceMs} ms = known capacity ${known} req/s; ${searches} searches, steps of ${step} s, precision 5%, start ${known / 4}/s; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the start`, '',
    '| search | found (highest pass) | bracket | error vs known | effective capacity (slots / mean hold) | error vs effective | steps | wall time | within ±10% of known |', '|---:|---:|---|---:|---:|---:|---:|---:|---|'];
  const found: number[] = [];
  try {
    for (let i = 1; i <= searches; i++) {
      say(`stand-in search ${i}/${searches}`);
      await fetch(`${server.url}/stats?reset`).then((r) => r.text());
      const outcome = await capacity(['standin', '--target', server.url, '--step-duration', `${step}s`, '--start-rate', String(known / 4), '--max-rate', String(known * 4),
        '--precision', '0.05', '--budget', '20m', '--slo', slo, '--reports-dir', join(work, 'reports')], suite);
      const r = outcome.document.result;
      const rate = r.sustainableRate ?? Number.NaN;
      found.push(rate);
      const error = rate / known - 1;
      const stats = (await (await fetch(`${server.url}/stats`)).json()) as { meanHoldMs: number | null };
      const effective = stats.meanHoldMs === null ? Number.NaN : slots / (stats.meanHoldMs / 1000);
      lines.push(`| ${i} | ${rate} req/s | [${String(r.bracket.lastPass)}, ${String(r.bracket.firstFail)}) | ${pct(error)} | ${effective.toFixed(1)} req/s | ${pct(rate / effective - 1)} | ${outcome.document.steps.length} | ${r.wallSeconds.toFixed(0)} s | ${Math.abs(error) <= 0.1 ? 'yes' : 'NO'} |`);
    }
  } finally {
    await server.stop();
  }
  const spread = (Math.max(...found) - Math.min(...found)) / Math.min(...found);
  lines.push('', `searches agree within ${(spread * 100).toFixed(1)}% (target 10%: ${spread <= 0.1 ? 'met' : 'NOT met'}); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end. The effective capacity is what the slots delivered during the search: on a busy machine the stand-in's timers fire late, so each slot is held longer than ${serviceMs} ms.`);
  return lines;
}

async function platformTable(work: string): Promise<string[]> {
  const data = arg('--data');
  const small = process.argv.includes('--small');
  if (data === undefined && !small) throw new Error('give --small (the small seed) or --data FOLDER (copied for each search), or --stand-in-only');
  const only = arg('--only');
  const configs = only === undefined ? ['none', 'all'] : [only];
  const lines = [`(b) incident-response, ${data === undefined ? 'small seed' : `data copied from ${data}`}; steps of ${arg('--step-duration') ?? '30s'}, budget ${arg('--budget') ?? '6m'}`, '',
    '| OPTIMIZATIONS | sustainable arrivals/s | rate-scale | bracket | first limit to break | steps | outcome | wall time |', '|---|---:|---:|---|---|---:|---|---:|'];
  for (const config of configs) {
    let dataDir: string | null = null;
    if (data !== undefined) {
      dataDir = join(work, `data-${config}`);
      say(`copying ${data} to ${dataDir}`);
      await promisify(execFile)('cp', ['-a', resolve(data), dataDir]);
    }
    try {
      say(`capacity of incident-response with OPTIMIZATIONS=${config}`);
      const outcome = await capacity(['incident-response', '--platform-env', `OPTIMIZATIONS=${config}`, ...(dataDir === null ? [] : ['--data-dir', dataDir]),
        '--step-duration', arg('--step-duration') ?? '30s', '--budget', arg('--budget') ?? '6m', ...(arg('--start-rate') === undefined ? [] : ['--start-rate', arg('--start-rate') ?? '']), '--reports-dir', join(ROOT, 'reports')], ROOT);
      const r = outcome.document.result;
      const limit = r.firstLimit === null ? '–' : `${r.firstLimit.scope} ${r.firstLimit.metric} at ${r.firstLimit.firstBrokenAt}/s`;
      const none = (x: number | null, text: string): string => (x === null ? text : String(x));
      lines.push(`| ${config} | ${none(r.sustainableRate, `no step passed (< ${String(r.bracket.firstFail)})`)} | ${none(r.sustainableRateScale, '–')} | [${none(r.bracket.lastPass, '–')}, ${none(r.bracket.firstFail, '–')}) | ${limit} | ${outcome.document.steps.length} | ${r.outcome} | ${r.wallSeconds.toFixed(0)} s |`);
      say(`written ${outcome.dir}`);
    } finally {
      if (dataDir !== null) await rm(dataDir, { recursive: true, force: true });
    }
  }
  return lines;
}

const work = await mkdtemp(join(tmpdir(), 'rampart-bench-capacity-'));
await chmod(work, 0o755); // as root the embedded PostgreSQL runs as the postgres user, which must reach the data copies
try {
  const out: string[] = [];
  if (!process.argv.includes('--platform-only')) out.push(...(await standInAccuracy(work)), '');
  if (!process.argv.includes('--stand-in-only')) out.push(...(await platformTable(work)));
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}
