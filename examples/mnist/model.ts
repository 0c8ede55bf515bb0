// The generated MNIST model: seeded initial weights, minibatches copied into its input views, and
// evaluation of a set of digits in evaluate-sized batches.
import { createMnist, mnistLayout, type Mnist } from "../../generated/mnist.ts";
import { batchSize, evalBatchSize, pixels, side } from "../mnist.graph.ts";
import type { Digits } from "./data.ts";
import { heNormal } from "../../runtime/init.ts";
import { Rng } from "../../runtime/random.ts";

export type { Mnist };

/** The weights that make the model (optimizer state excluded): what a params file holds. */
export function weightsOf(model: Mnist) {
  const { W1, b1, W2, b2 } = model.params;
  return { W1, b1, W2, b2 };
}

/** The shapes of every param, as the params file format wants them. */
export const paramShapes = mnistLayout.params;

/** A model with He-normal weights from `seed` (for the relu layer and the logits), zero biases. */
export function createModel(seed: number): Mnist {
  const model = createMnist();
  const rng = new Rng(seed);
  heNormal(model.params.W1, paramShapes.W1.shape, rng);
  heNormal(model.params.W2, paramShapes.W2.shape, rng);
  return model;
}

/** Random whole-pixel shifts of training images, at most `maxShift` in x and in y. */
export interface Augmentation {
  readonly maxShift: number;
  readonly rng: Rng;
}

/**
 * Copies the digits `order[start .. start + batchSize)` into the training inputs, each moved by a
 * random shift when `augment` says so: new training examples for free, which lift held-out
 * accuracy by more than a point.
 */
export function feedBatch(
  model: Mnist,
  digits: Digits,
  order: Int32Array,
  start: number,
  augment?: Augmentation,
): void {
  const { x, labels } = model.inputs;
  for (let i = 0; i < batchSize; i++) {
    const row = order[start + i];
    const image = digits.images.subarray(row * pixels, (row + 1) * pixels);
    if (augment === undefined || augment.maxShift === 0) x.set(image, i * pixels);
    else {
      const span = 2 * augment.maxShift + 1;
      const dx = augment.rng.int(span) - augment.maxShift;
      const dy = augment.rng.int(span) - augment.maxShift;
      shiftInto(x, i * pixels, image, dx, dy);
    }
    labels[i] = digits.labels[row];
  }
}

/** The side×side image moved right by dx and down by dy, written at `at`; uncovered pixels are 0. */
export function shiftInto(
  into: Float64Array,
  at: number,
  image: Float64Array,
  dx: number,
  dy: number,
): void {
  for (let row = 0; row < side; row++) {
    const from = row - dy;
    for (let column = 0; column < side; column++) {
      const source = column - dx;
      const inside = from >= 0 && from < side && source >= 0 && source < side;
      into[at + row * side + column] = inside ? image[from * side + source] : 0;
    }
  }
}

export interface Evaluation {
  /** Fraction of the digits classified correctly. */
  readonly accuracy: number;
  /** Mean softmax cross-entropy over the digits. */
  readonly loss: number;
}

/** Accuracy and mean loss over `digits`, whose count must be a multiple of the evaluate batch. */
export function evaluate(model: Mnist, digits: Digits): Evaluation {
  if (digits.count === 0 || digits.count % evalBatchSize !== 0) {
    throw new Error(
      `mnist: evaluating ${digits.count} digits; the count must be a positive multiple of ${evalBatchSize}`,
    );
  }
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < digits.count; start += evalBatchSize) {
    model.inputs.evalX.set(
      digits.images.subarray(start * pixels, (start + evalBatchSize) * pixels),
    );
    model.inputs.evalLabels.set(digits.labels.subarray(start, start + evalBatchSize));
    const out = model.evaluate();
    correct += out.correct[0];
    lossSum += out.loss[0] * evalBatchSize;
  }
  return { accuracy: correct / digits.count, loss: lossSum / digits.count };
}
