// The digits the page trains on, cut from the `mnist` package in Node at build time: the first
// `count` digits of a seeded shuffle, grey levels as thousandths (the package's own precision).
import { loadDigits, permutation } from "../mnist/data.ts";
import { Rng } from "../../runtime/random.ts";
import { pixels, seed } from "./train.ts";

export const sliceCount = 384;

export function sliceBytes(count = sliceCount): Uint8Array {
  const digits = loadDigits();
  const order = permutation(digits.count, new Rng(seed));
  const bytes = new Uint8Array(count * (2 * pixels + 1));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) {
    const row = order[i];
    for (let p = 0; p < pixels; p++) {
      view.setUint16(
        2 * (i * pixels + p),
        Math.round(digits.images[row * pixels + p] * 1000),
        true,
      );
    }
    bytes[2 * count * pixels + i] = digits.labels[row];
  }
  return bytes;
}
