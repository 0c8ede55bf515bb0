// What every workload offers the benchmark: one runner per engine, each computing the value and
// the full gradient on the same inputs, so engines can be checked against each other, then timed.

export const engineIds = ["adjoint", "handwritten", "tfjs-cpu", "tfjs-wasm", "jax-js"] as const;
export type EngineId = (typeof engineIds)[number];

/** Named outputs of one evaluation (the value and every gradient), flattened row-major. */
export type Outputs = Readonly<Record<string, ArrayLike<number>>>;

export interface Runner {
  /** One evaluation of the value and the full gradient, every output ending in JS memory. */
  readonly run: () => void;
  /** One evaluation whose outputs are returned as copies, for the agreement check. */
  readonly outputs: () => Outputs;
  /** Runs before each batch of calls and before the agreement check (TF.js: its backend). */
  readonly enter?: () => void;
  /** Frees engine memory (tensors, arrays) once the runner is timed. */
  readonly dispose?: () => void;
}

/** Thrown by an adapter when its engine cannot express the workload; the message says why. */
export class Unavailable extends Error {
  override readonly name = "Unavailable";
}

/** The value alone (no gradient) by Adjoint and by hand, for the cheap-gradient ratio. */
export interface ValueOnly {
  readonly adjoint: () => Runner;
  readonly handwritten: () => Runner;
}

export interface Workload {
  readonly id: string;
  readonly title: string;
  /** The float type of Adjoint's program (f64 unless given). */
  readonly dtype?: "f64" | "f32";
  /** Every engine has an adapter, so none is silently dropped: unsupported ones throw Unavailable. */
  readonly adapters: { readonly [E in EngineId]: () => Promise<Runner> };
  readonly valueOnly?: ValueOnly;
}

/**
 * A runner over a function that fills preallocated outputs (Adjoint's entries, hand-written code),
 * timed as it is: no wrapper, so nothing stands between the timing loop and the entry.
 */
export function viewRunner<T extends ViewOutputs<T>>(evaluate: () => T): Runner {
  return {
    run: evaluate,
    outputs: () => copyOutputs(evaluate()),
  };
}

/** An entry's outputs object (an interface of views, which has no index signature). */
export type ViewOutputs<T> = { readonly [K in keyof T]: ArrayLike<number> };

export function copyOutputs<T extends ViewOutputs<T>>(outputs: T): Outputs {
  const copy: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries<ArrayLike<number>>(outputs)) {
    copy[name] = Float64Array.from(values);
  }
  return copy;
}
