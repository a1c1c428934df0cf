// Real Artillery runs against a tiny local HTTP server, for the plugin's tests and its benchmark.
// Everything is bounded in time and stopped by process id; ports are ephemeral.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const ARTILLERY_BIN = join(REPO, 'node_modules/artillery/bin/run');

export interface LocalServer {
  port: number;
  close(): Promise<void>;
}

/** 200 with a small JSON body for every path, 404 under /missing, 202 for POST. */
export async function startServer(): Promise<LocalServer> {
  const server = createServer((req, res) => {
    const status = req.url?.startsWith('/missing') ? 404 : req.method === 'POST' ? 202 : 200;
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"id":1,"severity":"high"}');
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

export interface ArtilleryResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  wallMs: number;
  /** user + system CPU seconds of the Artillery process (all its threads), sampled from /proc every 100 ms; null off Linux */
  cpuSeconds: number | null;
  /** the samples behind cpuSeconds: wall-clock ms and cumulative CPU seconds */
  cpuSamples: { at: number; cpuSeconds: number }[];
}

/** CPU seconds spent between two wall-clock times, interpolated between samples. */
export function cpuBetween(samples: { at: number; cpuSeconds: number }[], from: number, to: number): number | null {
  const at = (time: number): number | null => {
    if (samples.length === 0 || time < samples[0].at || time > samples[samples.length - 1].at) return null;
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1];
      const b = samples[i];
      if (time <= b.at) return b.at === a.at ? b.cpuSeconds : a.cpuSeconds + ((b.cpuSeconds - a.cpuSeconds) * (time - a.at)) / (b.at - a.at);
    }
    return samples[samples.length - 1].cpuSeconds;
  };
  const start = at(from);
  const end = at(to);
  return start === null || end === null ? null : end - start;
}

/** utime + stime of a process in seconds, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export interface Interruption {
  /** send SIGINT this long after stdout first matches `when` (like Ctrl-C during the run) */
  when: RegExp;
  afterMs: number;
}

/** Runs `artillery run <script> --output <output>`, killed by its pid if it outlives timeoutMs. */
export function runArtillery(script: string, output: string, env: Record<string, string | undefined>, timeoutMs: number, interrupt?: Interruption): Promise<ArtilleryResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [ARTILLERY_BIN, 'run', script, '--output', output], {
    cwd: REPO,
    env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let interruptScheduled = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (interrupt !== undefined && !interruptScheduled && interrupt.when.test(stdout)) {
      interruptScheduled = true;
      setTimeout(() => {
        if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGINT');
      }, interrupt.afterMs);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  let cpuSeconds: number | null = null;
  const cpuSamples: { at: number; cpuSeconds: number }[] = [];
  const sampler = setInterval(() => {
    const sample = child.pid === undefined ? null : processCpuSeconds(child.pid);
    if (sample !== null) {
      cpuSeconds = sample;
      cpuSamples.push({ at: Date.now(), cpuSeconds: sample });
    }
  }, 100);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      resolve({ code, signal, stdout, stderr, timedOut, wallMs: Date.now() - started, cpuSeconds, cpuSamples });
    });
  });
}

export const PLUGIN_DIR = join(REPO, 'plugins/rampart');

/** Builds the plugin's JavaScript (plugins/rampart/dist/) as `npm ci` does; throws with the build's output if it fails. */
export function buildPlugin(): void {
  const result = spawnSync(process.execPath, [join(PLUGIN_DIR, 'build.ts')], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`plugin build failed (${String(result.status)}): ${result.stderr}`);
}

/** `npm pack` of the built plugin into `dir`: the tarball a worker installs. Returns its path. */
export function packPlugin(dir: string): string {
  const result = spawnSync('npm', ['pack', PLUGIN_DIR, '--pack-destination', dir, '--json', '--silent'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`npm pack failed (${String(result.status)}): ${result.stderr}`);
  const [packed] = JSON.parse(result.stdout) as { filename: string }[];
  return join(dir, packed.filename);
}
