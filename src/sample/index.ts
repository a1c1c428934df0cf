// The platform sampler's public entry (src/run starts and stops it; docs/analysis.md describes
// what it records).
export { DEFAULT_INTERVAL_MS, startSampler } from './sampler.ts';
export type { Sampler, SamplerResult } from './sampler.ts';
export { givenTargetTargets, ownPlatformTargets } from './locate.ts';
export { processTree } from './proc.ts';
