// jax-js on its WebAssembly device (single-threaded in Node: it has no Web Workers), float32.
// `jit(valueAndGrad(f))` traces f once and compiles fused Wasm kernels. jax-js arrays are
// reference counted: functions consume their arguments, so resident inputs are passed as `.ref`,
// and reading an output with dataSync() consumes it.
import { Unavailable } from "../workloads/types.ts";

export type Jax = typeof import("@jax-js/jax");
export type JaxArray = import("@jax-js/jax").Array;

let loading: Promise<Jax> | undefined;

export async function jaxWasm(): Promise<Jax> {
  try {
    loading ??= loadJax();
    return await loading;
  } catch (error) {
    throw new Unavailable(`failed to load: ${String(error)}`);
  }
}

async function loadJax(): Promise<Jax> {
  const jax = await import("@jax-js/jax");
  const devices = await jax.init("wasm");
  if (!devices.includes("wasm"))
    throw new Error(`init("wasm") gave devices [${devices.join(", ")}]`);
  jax.defaultDevice("wasm");
  return jax;
}

/** A float32 jax-js array holding `values` (float32 input data is what jax-js is built around). */
export function jaxFloat32(
  jax: Jax,
  values: ArrayLike<number>,
  shape: readonly number[],
): JaxArray {
  return jax.numpy.array(Float32Array.from(values)).reshape([...shape]);
}

/**
 * A runner over `evaluate`, which calls a jitted function on `.ref`s of resident inputs and
 * returns its outputs by name; each is read back with dataSync(), which also frees it.
 */
export function jaxRunner(
  evaluate: () => Readonly<Record<string, JaxArray>>,
  inputs: readonly JaxArray[],
) {
  return {
    run: () => {
      for (const array of Object.values(evaluate())) array.dataSync();
    },
    outputs: () => {
      const read: Record<string, Float64Array> = {};
      for (const [name, array] of Object.entries(evaluate())) {
        read[name] = Float64Array.from(array.dataSync());
      }
      return read;
    },
    dispose: () => {
      for (const array of inputs) array.dispose();
    },
  };
}
