// A small seeded pseudo-random generator (mulberry32) so resampling is reproducible: the same
// inputs and seed give the same confidence interval, in tests and in CI.

export type Random = () => number; // uniform in [0, 1)

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: Random, bound: number): number {
  return Math.floor(random() * bound);
}
