// Runs a bundle's profile again for `rampart gate --repeat`: the same profile, flows, seed, rate
// scale and duration as its run.json, through src/run/command.ts's executeRun.
import { dirname } from 'node:path';
import { EXIT, RampartError, usageError } from '../core/errors.ts';
import type { LoadedBundle } from '../core/bundle/types.ts';
import { parseDuration } from '../core/duration.ts';

/** Runs the bundle's profile again with `rampart run` and returns the new bundle's folder. */
export type Rerun = (bundle: LoadedBundle, target: string | undefined) => Promise<string>;

/**
 * The same profile, flows, seed, rate scale and duration as the bundle's run.json, through
 * src/run/command.ts's executeRun; the new bundle goes beside the first. Without --target the run
 * starts its own platform, as `rampart run` does.
 */
export const rerunWithRampart: Rerun = async (bundle, target) => {
  const manifest = bundle.manifest;
  if (manifest === null) throw usageError(`${bundle.dir}: --repeat needs a bundle made by 'rampart run' (run.json names the profile to run again)`);
  const { executeRun } = await import('../run/command.ts');
  const say = (line: string): void => {
    process.stderr.write(`[rampart gate --repeat] ${line}\n`);
  };
  say(`some endpoints are undecided; running profile '${manifest.profile}' again`);
  const seconds = manifest.durationOverride === null ? null : parseDuration(manifest.durationOverride);
  const result = await executeRun({
    profile: manifest.profile,
    flows: manifest.flows.map((flow) => flow.name),
    target,
    durationSeconds: seconds ?? undefined,
    durationText: manifest.durationOverride,
    rateScale: manifest.rateScale,
    seed: manifest.seed,
    reportsDir: dirname(bundle.dir),
    report: true,
  }, { progress: say });
  if (result.exitCode === EXIT.untrustworthy || result.exitCode === EXIT.usage) {
    throw new RampartError(result.exitCode, `the repeat run of '${manifest.profile}' failed (exit ${result.exitCode}); see ${result.bundleDir}`);
  }
  return result.bundleDir;
};

