// The platform sampler (src/sample) around a run's load: started once the platform is ready and
// before Artillery, stopped when Artillery has exited (or the run failed or was interrupted), so
// resources.json and statements.json are in the bundle before it is analysed. It never fails the
// run: a sampler that cannot start is a progress line.
import type { StartedPlatform } from './platform.ts';
import { givenTargetTargets, ownPlatformTargets, startSampler, type Sampler } from '../sample/index.ts';

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** The sampler for the platform this run started (or was given by its caller), or for --target. */
export async function startRunSampler(bundleDir: string, platform: StartedPlatform | null, givenTarget: string | null, say: (line: string) => void): Promise<Sampler | null> {
  try {
    const targets = platform !== null ? await ownPlatformTargets(platform) : givenTarget !== null ? givenTargetTargets(givenTarget) : null;
    if (targets === null) return null;
    for (const line of targets.missing) say(`sampler: not sampled: ${line}`);
    return await startSampler({ ...targets, bundleDir });
  } catch (error) {
    say(`the platform sampler did not start (${firstLine(error)}); the bundle has no resources.json`);
    return null;
  }
}

/** Stops it and says what it recorded (one line). */
export async function stopRunSampler(sampler: Sampler | null, say: (line: string) => void): Promise<void> {
  if (sampler === null) return;
  const { resources, statements, written } = await sampler.stop();
  const parts = [`${resources.samples.length} platform samples`, ...(statements === null ? [] : [`${statements.statements.length} SQL statements`])];
  const lost = resources.missing.filter((line) => !line.startsWith('platform process:') && !line.startsWith('platform disk') && !line.startsWith('database process:'));
  say(`sampler: ${parts.join(', ')} written (${written.length} files)${lost.length === 0 ? '' : `; missing: ${lost.join('; ')}`}`);
}
