// The run's manifest (run.json, RunManifest): what ran, written before Artillery starts and completed
// when it ends (end time, interruption, Artillery's exit code).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ComposedRun } from '../compose/types.ts';
import type { RunManifest } from '../core/bundle/types.ts';
import type { RunOptions } from './args.ts';

/** `<UTC time>-<profile>-<4 hex>`, the name of the run's bundle folder. */
export function newRunId(profile: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
  return `${stamp}-${profile}-${Math.random().toString(16).slice(2, 6)}`;
}

async function gitRevision(root: string): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: root, timeout: 5000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

async function versionOf(file: string): Promise<string> {
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface ManifestInput {
  root: string;
  runId: string;
  options: RunOptions;
  composed: ComposedRun;
  target: string;
}

/** The manifest as the run starts (not ended, not interrupted, no exit code yet). */
export async function startManifest({ root, runId, options, composed, target }: ManifestInput): Promise<RunManifest> {
  return {
    schema: 'rampart.run/1',
    runId,
    profile: options.profile,
    flows: composed.flows,
    seed: options.seed,
    target,
    gitRevision: await gitRevision(root),
    startedAt: new Date().toISOString(),
    endedAt: null,
    interrupted: false,
    artilleryExitCode: null,
    rateScale: options.rateScale,
    durationOverride: options.durationText,
    phases: composed.phases,
    versions: {
      rampart: await versionOf(path.join(root, 'package.json')),
      artillery: await versionOf(path.join(root, 'node_modules', 'artillery', 'package.json')),
      node: process.version,
    },
    host: { hostname: os.hostname(), cpus: os.availableParallelism(), memoryBytes: os.totalmem() },
  };
}

/** The manifest once Artillery has exited: an interrupted run has no end time. */
export function finishManifest(manifest: RunManifest, interrupted: boolean, artilleryExitCode: number | null): RunManifest {
  return { ...manifest, endedAt: interrupted ? null : new Date().toISOString(), interrupted, artilleryExitCode };
}
