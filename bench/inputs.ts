// The workloads' inputs: fixed points and seeded random vectors, rounded to float32 so that the
// float32 engines (TensorFlow.js, jax-js) and the float64 ones see exactly the same numbers.
import { seeded, uniform } from "../test/support/random.ts";
import { batch as w4Batch, classes, features, hidden } from "./graphs/w4_mlp.graph.ts";

const float32 = (values: readonly number[]): Float64Array => Float64Array.from(values, Math.fround);

export const quadraticPoint = { x: 3, y: 4 } as const;

export const logSinPoint = { x1: 2, x2: 5 } as const;

/** Points in [-1.2, 1.2): around the valley of the Rosenbrock function, not on it. */
export function rosenbrockPoint(n: number): Float64Array {
  return float32(uniform(seeded(3), n, -1.2, 1.2));
}

/** 1 + noise of ±0.01: the product of 1000 of them stays near e^±0.2, far from overflow. */
export function productPoint(n: number): Float64Array {
  return float32(uniform(seeded(5), n, 0.99, 1.01));
}

export interface MlpPoint {
  /** [batch, features], pixel-like values in [0, 1). */
  readonly x: Float64Array;
  /** [batch] class indices in [0, classes). */
  readonly labels: Int32Array;
  readonly W1: Float64Array;
  readonly b1: Float64Array;
  readonly W2: Float64Array;
  readonly b2: Float64Array;
}

/** A batch and weights of the scale of a fresh network (Glorot-like uniform ranges). */
export function mlpPoint(batch: number = w4Batch): MlpPoint {
  const random = seeded(4);
  const scale1 = Math.sqrt(6 / (features + hidden));
  const scale2 = Math.sqrt(6 / (hidden + classes));
  return {
    x: float32(uniform(random, batch * features, 0, 1)),
    labels: Int32Array.from({ length: batch }, () => Math.floor(random() * classes)),
    W1: float32(uniform(random, features * hidden, -scale1, scale1)),
    b1: float32(uniform(random, hidden, -0.1, 0.1)),
    W2: float32(uniform(random, hidden * classes, -scale2, scale2)),
    b2: float32(uniform(random, classes, -0.1, 0.1)),
  };
}
