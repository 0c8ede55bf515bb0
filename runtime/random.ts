// Seeded randomness for applications and examples: the same 32-bit seed gives the same numbers on
// every platform. xoshiro128** generates; splitmix32 expands the seed into its 128-bit state.
// Browser-safe: 32-bit integer arithmetic only (Math.imul and shifts).
import { AdjointRuntimeError } from "./core.ts";

/** A seeded source of random numbers. Every method advances the one stream. */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** The second value of the last Box–Muller pair, used by the next normal() call. */
  private spareNormal: number | undefined;

  /** The seed this generator started from. */
  readonly seed: number;

  /** `seed`: an integer from 0 to 4294967295. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new AdjointRuntimeError(
        `Rng: the seed must be an integer from 0 to 4294967295, got ${seed}`,
      );
    }
    this.seed = seed;
    let state = seed;
    const next = () => {
      state = (state + 0x9e3779b9) >>> 0;
      return splitmix32(state);
    };
    // splitmix32 is a bijection of distinct counters: at most one word is zero, never all four
    // (the one state xoshiro must not start from)
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** The next 32 random bits as an unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1), with all 53 bits of a double random (from two 32-bit outputs). */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A standard normal sample (Box–Muller: each pair of uniforms gives two independent normals). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    // 1 − u lies in (0, 1], so the logarithm is finite
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /**
   * A whole number in [0, n), for n from 1 to 2³²: floor(n·u) with a 53-bit u, so the bias is at
   * most n/2⁵³ (below 5·10⁻⁷ for every allowed n).
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x100000000) {
      throw new AdjointRuntimeError(`Rng.int: n must be an integer from 1 to 4294967296, got ${n}`);
    }
    return Math.floor(this.uniform() * n);
  }

  /** Shuffles `array` in place (Fisher–Yates), every order equally likely, and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const item = array[i];
      array[i] = array[j];
      array[j] = item;
    }
    return array;
  }
}

/** splitmix32's output function: a bijective mix of a 32-bit counter. */
function splitmix32(x: number): number {
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
