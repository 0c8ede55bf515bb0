// Training the generated MNIST model on a small slice of digits, the same code in the browser and in
// Node: seeded He-normal weights, consecutive minibatches, momentum at a fixed learning rate. The
// browser test runs it in both and compares every loss bit for bit.
import type { Mnist } from "../../generated/mnist.ts";
import { heNormal } from "../../runtime/init.ts";
import { Rng } from "../../runtime/random.ts";

export const side = 28;
export const pixels = side * side;
export const batchSize = 64;
export const learningRate = 0.1;
export const seed = 7;

/** Digits as the page receives them: grey levels in thousandths (2 bytes each), then labels. */
export interface Digits {
  readonly count: number;
  readonly images: Float64Array;
  readonly labels: Float64Array;
}

/** The slice's bytes (see slice.ts) as grey levels in [0, 1] and labels. */
export function decodeDigits(bytes: Uint8Array): Digits {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.byteLength / (2 * pixels + 1);
  const images = new Float64Array(count * pixels);
  for (let i = 0; i < images.length; i++) images[i] = view.getUint16(2 * i, true) / 1000;
  const labels = Float64Array.from(bytes.subarray(2 * images.length), Number);
  return { count, images, labels };
}

/** Base64 text to bytes (atob: in browsers and in Node alike). */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

/** A model with its weights drawn from `seed`, as examples/mnist draws them. */
export function seeded(model: Mnist): Mnist {
  const rng = new Rng(seed);
  heNormal(model.params.W1, [pixels, model.params.b1.length], rng);
  heNormal(model.params.W2, [model.params.b1.length, model.params.b2.length], rng);
  return model;
}

/** One momentum step on minibatch `step` (the slice's batches in turn); returns the batch's loss. */
export function trainStep(model: Mnist, digits: Digits, step: number): number {
  const batches = Math.floor(digits.count / batchSize);
  const start = (step % batches) * batchSize;
  model.inputs.x.set(digits.images.subarray(start * pixels, (start + batchSize) * pixels));
  model.inputs.labels.set(digits.labels.subarray(start, start + batchSize));
  model.inputs.learningRate[0] = learningRate;
  return model.trainMomentum().loss[0];
}

/** The 16 hex digits of a float64's bits: equal strings mean equal numbers, bit for bit. */
export function bitsOf(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0).toString(16).padStart(16, "0");
}
