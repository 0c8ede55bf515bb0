// Seeded randomness for codegen and runtime tests: the same seed gives the same inputs on every run.

/** Uniform numbers in [0, 1) from a 32-bit seed (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` numbers uniform in [low, high). */
export function uniform(random: () => number, length: number, low = -2, high = 2): number[] {
  return Array.from({ length }, () => low + (high - low) * random());
}
