/**
 * @module
 * mulberry32, a small seeded PRNG for tests that shuffle or fuzz: a failing run can be
 * replayed from the seed it prints.
 */

/** @example const random = seededRandom(42); random() // a number in [0, 1), the same for seed 42 every time */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
