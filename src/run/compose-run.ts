// The run's composition, shared by `rampart run` and `rampart run --fargate`: load the profile, the
// flows it mixes (or --flows) and rampart.config.yml, compose one script, check a given target
// against the allowlist. Pure apart from reading those files.
import { loadConfig } from '../compose/config.ts';
import { compose } from '../compose/compose.ts';
import { loadFlow, loadProfile } from '../compose/load.ts';
import { checkTargetAllowed, parseTarget } from '../compose/target.ts';
import type { ComposedRun, FlowFile } from '../compose/types.ts';
import type { RunOptions } from './args.ts';

/** Load and compose without side effects: every input error surfaces here, before anything starts. */
export async function composeRun(suite: string, options: RunOptions, target: string, processor: string, plugins?: Record<string, unknown>): Promise<ComposedRun> {
  const config = await loadConfig(suite);
  const loaded = await loadProfile(suite, options.profile);
  const profile = options.phases === undefined ? loaded : { ...loaded, phases: options.phases };
  const names = options.flows ?? Object.entries(profile.mix).filter(([, w]) => w > 0).map(([n]) => n);
  const files = new Map<string, FlowFile>();
  for (const name of names) files.set(name, await loadFlow(suite, name));
  const composed = compose(profile, files, {
    target,
    flows: options.flows,
    rateScale: options.rateScale,
    durationSeconds: options.durationSeconds,
    seed: options.seed,
    processor,
    maxArrivalRate: config.maxArrivalRate,
    plugins,
  });
  if (options.target !== undefined) checkTargetAllowed(parseTarget(options.target), config);
  return composed;
}

