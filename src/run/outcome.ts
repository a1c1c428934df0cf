// What a finished Artillery child left in the bundle, and the run's exit code and verdict (pure
// decision). Stopped early, Artillery writes no --output: the periods its console printed are kept.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, type ExitCode } from '../core/errors.ts';
import { writeJsonAtomic } from '../core/bundle/files.ts';
import { BUNDLE_FILES, type ArtilleryOutput, type GeneratorFile } from '../core/bundle/types.ts';
import { outputFromConsole } from './console-report.ts';

async function readJsonOrNull<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * artillery.json, or — for an interrupted run without one — the output rebuilt from artillery.log
 * (written into the bundle); null when there is neither.
 */
export async function collectArtilleryOutput(bundleDir: string, interrupted: boolean, startedAtMs: number): Promise<ArtilleryOutput | null> {
  const outputPath = path.join(bundleDir, BUNDLE_FILES.artillery);
  const artillery = await readJsonOrNull<ArtilleryOutput>(outputPath);
  if (artillery !== null || !interrupted) return artillery;
  const log = await readFile(path.join(bundleDir, 'artillery.log'), 'utf8').catch(() => '');
  const rebuilt = outputFromConsole(log, startedAtMs);
  if (rebuilt !== null) await writeJsonAtomic(outputPath, rebuilt);
  return rebuilt;
}

/** generator.json of the rampart plugin, or null when it wrote none. */
export const readGenerator = (bundleDir: string): Promise<GeneratorFile | null> =>
  readJsonOrNull<GeneratorFile>(path.join(bundleDir, BUNDLE_FILES.generator));

/** The run's exit code and one-line verdict from Artillery's exit code and the generator's trust. */
export function decideExit(code: number | null, interrupted: boolean, generator: GeneratorFile | null, haveOutput: boolean): { exit: ExitCode; verdict: string } {
  if (interrupted) return { exit: EXIT.untrustworthy, verdict: 'interrupted: partial results kept' };
  if (!haveOutput) return { exit: EXIT.untrustworthy, verdict: `Artillery failed (exit ${String(code)}) and wrote no results; see artillery.log` };
  if (generator !== null && !generator.trust.trustworthy) return { exit: EXIT.untrustworthy, verdict: `untrustworthy: ${generator.trust.reasons[0] ?? 'the load generator could not be trusted'}` };
  if (code === 0) return { exit: EXIT.ok, verdict: 'pass: every threshold and expectation held' };
  if (code === 1) return { exit: EXIT.checkFailed, verdict: 'fail: a threshold (ensure) was breached' };
  if (code === 21) return { exit: EXIT.checkFailed, verdict: 'fail: expectations failed (wrong status or body)' };
  return { exit: EXIT.untrustworthy, verdict: `Artillery exited ${String(code)}; see artillery.log` };
}
