// What the tests of plain `artillery run` and of docs/walkthrough.md share: the reference platform on
// the flow files' default target (127.0.0.1:3000), a copy of the suite to run in (so the bundles
// and files a run writes stay out of the repository), and the real Artillery binary spawned with no
// Rampart variables. Every process is bounded in time and stopped by its pid (its process group).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, cp, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';

/** The port of the flow files' default target, http://127.0.0.1:3000 (the README's `npm run platform`). */
export const DEFAULT_PORT = 3000;
export const DEFAULT_TARGET = `http://127.0.0.1:${DEFAULT_PORT}`;
export const ARTILLERY_BIN = path.join(REPO_ROOT, 'node_modules', 'artillery', 'bin', 'run');

/** True when nothing listens on 127.0.0.1:<port>. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/** The environment a user's shell would have: none of the variables `rampart run` sets for Artillery. */
export function plainEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('RAMPART_') && key !== 'ARTILLERY_PLUGINS') env[key] = value;
  }
  // Offline, Artillery retries its telemetry for 12-14 s at every exit (ARTILLERY-NOTES); .ci/run sets this too.
  return { ...env, ARTILLERY_DISABLE_TELEMETRY: 'true', ...extra };
}

/**
 * A copy of the suite in `dest`: scenarios/, phases/, processors/ (without a bundled dist/), with
 * node_modules, platform/, src/ and package.json linked from the repository, so that artillery,
 * `npm run platform` and `npx rampart` run in it as in the repository. The folder is made traversable
 * (as root the embedded PostgreSQL runs as another user).
 */
export async function copySuite(dest: string): Promise<string> {
  await chmod(dest, 0o755);
  for (const dir of ['scenarios', 'phases', 'processors']) {
    await cp(path.join(REPO_ROOT, dir), path.join(dest, dir), { recursive: true, filter: (src) => !src.split(path.sep).includes('dist') });
  }
  for (const link of ['node_modules', 'platform', 'src', 'package.json', 'rampart.config.yml']) {
    await symlink(path.join(REPO_ROOT, link), path.join(dest, link));
  }
  return dest;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Stops a process group: SIGTERM, then SIGKILL after `graceMs`, and waits until no process of the
 * group is left (a shell or npm exits at once; the platform behind it takes a moment to stop its
 * database).
 */
export async function stopGroup(child: ChildProcess, graceMs = 20_000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || !groupAlive(pid)) return;
  process.kill(-pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
  for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/** Runs a command in its own process group, killed (the group, by pid) if it outlives timeoutMs. */
export function runBounded(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<Finished> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, options.timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** `artillery <args>` through the real binary, in `cwd`, with a user's plain environment. */
export const runArtilleryCli = (args: string[], cwd: string, timeoutMs = 120_000): Promise<Finished> =>
  runBounded(process.execPath, [ARTILLERY_BIN, ...args], { cwd, env: plainEnv(), timeoutMs });

export interface RunningPlatform {
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the platform with `command` (e.g. node platform/server.ts, or npm run platform) in `cwd`,
 * on port 3000, and waits until /ready answers 200. Its console goes to `logFile`.
 */
export async function startDefaultPlatform(command: string, args: string[], options: { cwd: string; env: Record<string, string>; logFile: string; readyTimeoutMs?: number }): Promise<RunningPlatform> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const stop = async (): Promise<void> => {
    await stopGroup(child);
    log.end();
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const res = await fetch(`${DEFAULT_TARGET}/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return { pid: child.pid ?? -1, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`the platform did not become ready on ${DEFAULT_TARGET}; see ${options.logFile}`);
}
