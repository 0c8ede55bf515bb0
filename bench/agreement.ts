// Engines are checked to agree before they are timed. The error of an output is normwise:
// max |a − b| / max |b|, so tiny components of a large gradient do not dominate. Float64 engines
// must match the hand-written reference to 1e-12; float32 engines (TensorFlow.js, jax-js) to 1e-3.
import type { EngineId, Outputs } from "./workloads/types.ts";

export const precision: { readonly [E in EngineId]: "f64" | "f32" } = {
  adjoint: "f64",
  handwritten: "f64",
  "tfjs-cpu": "f32",
  "tfjs-wasm": "f32",
  "jax-js": "f32",
};

export const tolerances = { f64: 1e-12, f32: 1e-3 } as const;

export interface Agreement {
  /** The largest normwise relative error over the outputs (Infinity for a missing output). */
  readonly error: number;
  /** The output with that error. */
  readonly worst: string;
  readonly tolerance: number;
  readonly agrees: boolean;
}

export function agreement(dtype: "f64" | "f32", actual: Outputs, reference: Outputs): Agreement {
  const tolerance = tolerances[dtype];
  let error = 0;
  let worst = "";
  for (const [name, expected] of Object.entries(reference)) {
    const outputError = normwiseError(actual[name], expected);
    if (outputError > error || worst === "") {
      error = outputError;
      worst = name;
    }
  }
  return { error, worst, tolerance, agrees: error <= tolerance };
}

function normwiseError(actual: ArrayLike<number> | undefined, expected: ArrayLike<number>): number {
  if (actual === undefined || actual.length !== expected.length) return Infinity;
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (Number.isNaN(difference)) return Infinity;
  return scale === 0 ? difference : difference / scale;
}
