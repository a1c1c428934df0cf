// `npm run platform`-style start-up: platform/server.ts as a child process on a free port with a temp
// DATA_DIR. It initialises the embedded database, migrates, seeds, serves /ready, and on SIGTERM
// finishes an in-flight request before exiting 0 and stopping its database. A second start on the
// same data directory does not seed again. Bad configuration exits 2 with a one-line message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER = path.join(ROOT, 'platform/server.ts');
/** A bound on waiting, not a speed assertion (the 20 s target is measured by bench:cold-start). */
const START_BOUND_MS = 90_000;

type Running = { child: ChildProcess; url: Promise<string>; output: () => string; exit: Promise<number | null> };

function startServer(env: Record<string, string>): Running {
  const child = spawn(process.execPath, [SERVER], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', JWT_SECRET: 'server-test-secret-server-test-secret-0123', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match !== null) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      reject(new Error(`server exited with ${String(code)} before listening:\n${output}`));
    });
  });
  url.catch(() => undefined);
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  return { child, url, output: () => output, exit };
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + START_BOUND_MS;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/ready`).catch(() => undefined);
    if (response?.status === 200) return;
    await sleep(200);
  }
  throw new Error('server never became ready');
}

/** Whether a postgres server on this data directory is running (read from /proc, no pgrep needed). */
async function postgresRunning(dataDir: string): Promise<boolean> {
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args[0]?.endsWith('/postgres') && args[1] === '-D' && args[2] === dataDir) return true;
  }
  return false;
}

test('server.ts starts on an empty DATA_DIR, serves /ready, finishes in-flight requests on SIGTERM, and does not reseed', { timeout: 240_000 }, async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rampart-server-test-'));
  await fs.chmod(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  let running: Running | undefined;
  t.after(async () => {
    if (running !== undefined && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exit;
    }
    await fs.rm(dir, { recursive: true, force: true });
  });

  // Slow the login on purpose (INJECT_LATENCY) so that it is still in flight when SIGTERM arrives.
  running = startServer({ PORT: '0', DATA_DIR: dataDir, SEED_PRESET: 'small', BCRYPT_COST: '10', INJECT_LATENCY: 'POST /api/v1/auth/login=20' });
  const url = await running.url;
  await waitReady(url);
  assert.match(running.output(), /admin \/ admin-demo-pass/, 'prints the demo credentials');
  assert.match(running.output(), /first start: seeding the database/);
  assert.ok(await postgresRunning(dataDir), 'the embedded database runs');

  const inFlight = fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'admin-demo-pass' }),
  });
  await sleep(300);
  running.child.kill('SIGTERM');
  const response = await inFlight;
  assert.equal(response.status, 200, 'the in-flight request completes');
  assert.equal(((await response.json()) as { user: { username: string } }).user.username, 'admin');
  assert.equal(await running.exit, 0, running.output());
  assert.match(running.output(), /shutdown complete/);
  assert.equal(await postgresRunning(dataDir), false, 'the embedded database is stopped');
  const refused = await fetch(`${url}/health`).then(() => 'answered', () => 'refused');
  assert.equal(refused, 'refused');

  running = startServer({ PORT: '0', DATA_DIR: dataDir, SEED_PRESET: 'small' });
  const second = await running.url;
  await waitReady(second);
  assert.doesNotMatch(running.output(), /first start: seeding/, 'an already seeded database is not seeded again');
  const login = await fetch(`${second}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'analyst01', password: 'analyst-demo-pass' }),
  });
  assert.equal(login.status, 200);
  running.child.kill('SIGINT');
  assert.equal(await running.exit, 0);
  assert.equal(await postgresRunning(dataDir), false);
});

test('server.ts with an invalid setting exits 2 with one line naming the variable', { timeout: 60_000 }, async () => {
  const running = startServer({ PORT: 'eighty', DATA_DIR: path.join(os.tmpdir(), 'rampart-never-created') });
  const code = await running.exit;
  assert.equal(code, 2);
  const lines = running.output().trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^rampart-platform: PORT="eighty" is not a whole number/);
  await assert.rejects(fs.stat(path.join(os.tmpdir(), 'rampart-never-created')));
});
