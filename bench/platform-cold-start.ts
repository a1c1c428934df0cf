// npm run bench:cold-start — how long `npm run platform` takes from launch to /ready 200.
//
// Each round launches platform/server.ts as a child process (PORT=0) and polls /ready; "cold" rounds
// use an empty DATA_DIR (initdb, migrations, small seed), "warm" rounds restart on the data
// directory of the previous cold round (no seeding). Phases come from the server's own log lines.
// Every server is stopped with SIGTERM by its process id. Target: cold start to /ready < 20 s,
// shown as the ratio worst-cold / 20 s (<= 1.00 meets it).
//
// Options: --rounds N cold+warm pairs (default 2)
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const TARGET_SECONDS = 20;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) {
  process.stderr.write('bench:cold-start: --rounds must be an integer 1..10\n');
  process.exit(2);
}

type Round = { kind: 'cold' | 'warm'; readySeconds: number; databaseSeconds: number; seedSeconds: number };

async function launch(dataDir: string, kind: 'cold' | 'warm'): Promise<Round> {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'platform/server.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', SEED_PRESET: 'small', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  try {
    let readySeconds = Number.NaN;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url !== undefined) {
        const response = await fetch(`${url}/ready`).catch(() => undefined);
        if (response?.status === 200) {
          readySeconds = (performance.now() - started) / 1000;
          break;
        }
      }
      await sleep(50);
    }
    if (Number.isNaN(readySeconds)) throw new Error(`server did not become ready:\n${output.slice(-2000)}`);
    const databaseMs = Number(/"ms":(\d+),"msg":"embedded PostgreSQL started"/.exec(output)?.[1] ?? Number.NaN);
    const seedSeconds = Number(/"seconds":([\d.]+),"msg":"seed finished"/.exec(output)?.[1] ?? 0);
    return { kind, readySeconds, databaseSeconds: databaseMs / 1000, seedSeconds };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const results: Round[] = [];
const dirs: string[] = [];
try {
  for (let i = 0; i < rounds; i += 1) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rampart-bench-cold-'));
    dirs.push(dir);
    await fs.chmod(dir, 0o755);
    process.stderr.write(`round ${i + 1}/${rounds}: cold start ...\n`);
    results.push(await launch(path.join(dir, 'data'), 'cold'));
    process.stderr.write(`round ${i + 1}/${rounds}: warm start ...\n`);
    results.push(await launch(path.join(dir, 'data'), 'warm'));
  }
} finally {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
}

const rows = results.map((r, i) => `| ${Math.floor(i / 2) + 1} | ${r.kind} | ${r.databaseSeconds.toFixed(2)} | ${r.seedSeconds.toFixed(2)} | ${r.readySeconds.toFixed(2)} |`);
const worstCold = Math.max(...results.filter((r) => r.kind === 'cold').map((r) => r.readySeconds));
const load = os.loadavg()[0].toFixed(1);
process.stdout.write([
  '| round | start | database up (s) | seed (s) | launch -> /ready 200 (s) |',
  '|---|---|---|---|---|',
  ...rows,
  '',
  `worst cold start / target (${TARGET_SECONDS} s): ${(worstCold / TARGET_SECONDS).toFixed(2)} ${worstCold < TARGET_SECONDS ? '(meets it)' : '(MISSES it)'}; 1-min load average ${load} on ${os.cpus().length} cores`,
  '',
].join('\n'));
