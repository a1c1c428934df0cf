// Running Artillery as a child process: `node node_modules/artillery/bin/run run <script> --output <json>`
// (or `run-fargate ...`, src/run/fargate.ts) spawned directly (never through npx) and stopped by its PID.
// The rampart plugin's counters (src/core/counters.ts: hundreds of names per period, when a profile
// turns them on) are hidden from Artillery's console, and so from artillery.log, by the plugin option
// suppressOutput, set with --overrides; they stay in the --output file, where they belong. Its console goes to a log file; a
// progress line (elapsed of planned time, requests, errors) is reported every few seconds from the
// counters Artillery prints every 10 s. SIGINT (Ctrl-C) is passed on once, so Artillery stops and
// still writes what it measured; a second one kills it.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

export interface ArtilleryRun {
  exitCode: number | null;
  signal: string | null;
  interrupted: boolean;
}

export interface ArtilleryOptions {
  root: string;
  scriptPath: string;
  outputPath: string;
  logFile: string;
  env: Record<string, string>;
  phaseCount: number;
  onProgress?: (line: string) => void;
  progressEveryMs?: number;
  /** Artillery's subcommand (default 'run') and flags after the script's */
  command?: 'run' | 'run-fargate';
  args?: string[];
}

/** Hides the plugin's counters (plugins.rampart.*) from Artillery's console; deep-merged into the script. */
export const SUPPRESS_PLUGIN_COUNTERS = JSON.stringify({ config: { plugins: { rampart: { suppressOutput: true } } } });

export interface Progress {
  requests: number;
  errors: number;
  vusersCreated: number;
  vusersFailed: number;
  phase: string | null;
  /** phases completed so far */
  phasesDone: number;
}

/** Update running totals from one line of Artillery's console output (pure). */
export function readProgressLine(progress: Progress, line: string): Progress {
  const phase = /Phase started: (.+?) \(index/.exec(line);
  if (phase !== null) return { ...progress, phase: phase[1] };
  if (/Phase completed: /.test(line)) return { ...progress, phasesDone: progress.phasesDone + 1 };
  // "name: ......... 12"; error names may contain colons themselves, so the name runs to the last one.
  const counter = /^(http\.requests|vusers\.created|vusers\.failed|errors\..*):\s+\.*\s*(\d+)$/.exec(line.trim());
  if (counter === null) return progress;
  const n = Number(counter[2]);
  if (counter[1] === 'http.requests') return { ...progress, requests: progress.requests + n };
  if (counter[1] === 'vusers.created') return { ...progress, vusersCreated: progress.vusersCreated + n };
  if (counter[1] === 'vusers.failed') return { ...progress, vusersFailed: progress.vusersFailed + n };
  return { ...progress, errors: progress.errors + n };
}

/** One progress line (pure). Counts come from Artillery's 10 s reports, so they lag by up to 10 s. */
export function formatProgress(p: Progress, elapsedSeconds: number, phaseCount: number): string {
  const at = `${Math.round(elapsedSeconds)}s`;
  if (p.phase === null) return `${at}: Artillery is starting (bundling processors, starting its worker)`;
  const stage = p.phasesDone >= phaseCount ? 'all phases done, waiting for virtual users to finish' : `phase '${p.phase}' (${p.phasesDone + 1}/${phaseCount})`;
  return `${at}: ${stage}; so far ${p.vusersCreated} users, ${p.requests} requests, ${p.errors} errors, ${p.vusersFailed} failed users`;
}

export function runArtillery(options: ArtilleryOptions): { done: Promise<ArtilleryRun>; interrupt(): void; pid: number } {
  const bin = path.join(options.root, 'node_modules', 'artillery', 'bin', 'run');
  const args = [bin, options.command ?? 'run', options.scriptPath, '--output', options.outputPath, '--overrides', SUPPRESS_PLUGIN_COUNTERS, ...(options.args ?? [])];
  const child = spawn(process.execPath, args, {
    cwd: path.dirname(options.scriptPath),
    // Its own process group: a terminal's Ctrl-C reaches rampart only, which passes on exactly one SIGINT.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true', ...options.env },
  });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const started = Date.now();
  let progress: Progress = { requests: 0, errors: 0, vusersCreated: 0, vusersFailed: 0, phase: null, phasesDone: 0 };
  let pendingText = '';
  let summaryStarted = false;
  child.stdout.on('data', (chunk: Buffer) => {
    log.write(chunk);
    pendingText += chunk.toString('utf8');
    const lines = pendingText.split('\n');
    pendingText = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('Summary report @')) summaryStarted = true; // totals repeat the periods: do not count twice
      if (!summaryStarted) progress = readProgressLine(progress, line);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => log.write(chunk));
  const ticker = setInterval(() => {
    options.onProgress?.(formatProgress(progress, (Date.now() - started) / 1000, options.phaseCount));
  }, options.progressEveryMs ?? 5000);
  let interrupts = 0;
  let lastInterrupt = 0;
  const done = new Promise<ArtilleryRun>((resolve, reject) => {
    child.once('error', (error) => {
      clearInterval(ticker);
      log.end();
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearInterval(ticker);
      log.end();
      resolve({ exitCode: code, signal, interrupted: interrupts > 0 });
    });
  });
  return {
    done,
    pid: child.pid ?? -1,
    interrupt(): void {
      // One Ctrl-C can arrive twice (terminal group + a wrapper passing it on): count presses 1 s apart.
      if (Date.now() - lastInterrupt < 1000) return;
      lastInterrupt = Date.now();
      interrupts += 1;
      if (child.exitCode !== null || child.pid === undefined) return;
      try {
        process.kill(child.pid, interrupts === 1 ? 'SIGINT' : 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
