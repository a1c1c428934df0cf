// Starting the reference platform for a run without --target: `node platform/server.ts` as a child on
// a free loopback port, its data in a temp folder (or --data-dir), stopped by its PID afterwards.
// Its output goes to a log file in the bundle. It signs tokens with a secret we choose, so the
// api-coverage scenario can mint a genuinely expired token (RAMPART_TARGET_JWT_SECRET).
// On one machine the generator and the platform share the cores, and a generator that waits for a
// core measures its own waiting: the platform starts under `nice` (PLATFORM_NICE, 19 unless
// RAMPART_PLATFORM_NICE says otherwise; 0 turns it off), and its embedded PostgreSQL inherits it, so
// the generator is served first and the platform gets every cycle the generator leaves; under Linux's
// autogroup scheduling their sessions are niced too (./priority.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { untrustworthy, usageError } from '../core/errors.ts';
import { keepAutogroupsNiced } from './priority.ts';

export interface StartedPlatform {
  url: string;
  pid: number;
  jwtSecret: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface PlatformOptions {
  root: string;
  logFile: string;
  dataDir?: string;
  readyTimeoutMs?: number;
  env?: Record<string, string>;
  onProgress?: (line: string) => void;
  /** Niceness of the platform and its database (0..19); default platformNice(). */
  nice?: number;
}

export const PLATFORM_NICE = 19;

/** The niceness the platform starts with: RAMPART_PLATFORM_NICE (0..19), else PLATFORM_NICE. */
export function platformNice(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.RAMPART_PLATFORM_NICE;
  if (raw === undefined || raw.trim() === '') return PLATFORM_NICE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 19) throw usageError(`RAMPART_PLATFORM_NICE must be a whole number from 0 to 19 (0: the platform runs at the generator's priority), not '${raw}'`);
  return n;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw untrustworthy(`the platform exited (${child.exitCode ?? child.signalCode}) before it was ready; see its log`);
    }
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw untrustworthy(`the platform did not become ready within ${Math.round(timeoutMs / 1000)} s; see its log`);
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      resolve();
      return;
    }
    const pid = child.pid;
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL'); // its own process group: the server and its embedded database
      } catch {
        // already gone
      }
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The platform stops its embedded PostgreSQL itself on SIGTERM. If it could not (it was killed after
 * the grace period), the database server — in its own process group — would outlive it: stop it by
 * the PID it wrote into postmaster.pid of the data folder this run gave it (SIGINT = fast shutdown).
 */
async function stopOrphanedDatabase(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return; // no server running on this data folder
  }
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Start the platform and wait until /ready answers 200. */
export async function startPlatform(options: PlatformOptions): Promise<StartedPlatform> {
  const nice = options.nice ?? platformNice(); // a bad RAMPART_PLATFORM_NICE stops here, before any folder
  const ownData = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'rampart-platform-')));
  const port = await freePort();
  const jwtSecret = randomBytes(32).toString('hex');
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const server = [process.execPath, path.join(options.root, 'platform', 'server.ts')];
  // nice execs the server, so the child's PID is the server's own.
  const [command, ...args] = nice > 0 ? ['nice', '-n', String(nice), ...server] : server;
  const child = spawn(command, args, {
    cwd: options.root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      JWT_SECRET: jwtSecret,
      SEED_PRESET: process.env.SEED_PRESET ?? 'small',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...options.env,
    },
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const url = `http://127.0.0.1:${port}`;
  const priority = child.pid === undefined ? null : keepAutogroupsNiced(child.pid, nice);
  const cleanup = async (): Promise<void> => {
    priority?.stop();
    await stopChild(child, 20_000);
    await stopOrphanedDatabase(dataDir).catch(() => undefined);
    log.end();
    if (ownData) await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    options.onProgress?.(`starting the platform on ${url} (data in ${dataDir}${nice > 0 ? `, nice ${nice}` : ''})`);
    await waitReady(url, child, options.readyTimeoutMs ?? 90_000);
    priority?.apply(); // the database and its first backends, started meanwhile
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { url, pid: child.pid ?? -1, jwtSecret, dataDir, stop: cleanup };
}
