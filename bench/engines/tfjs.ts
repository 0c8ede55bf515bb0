// TensorFlow.js, loaded on first use with the backend a runner asks for. Both backends work in
// float32. The wasm backend needs its .wasm binaries: setWasmPaths points at the package's dist
// folder in node_modules (a file path, which the backend reads with fs in Node).
import { createRequire } from "node:module";
import path from "node:path";
import { Unavailable } from "../workloads/types.ts";

export type Tf = typeof import("@tensorflow/tfjs");
export type TfBackend = "cpu" | "wasm";

let loading: Promise<Tf> | undefined;
const failures = new Map<TfBackend, string>();

/** The tfjs module with `backend` active, or Unavailable with the reason it failed to load. */
export async function tfjsWith(backend: TfBackend): Promise<Tf> {
  const known = failures.get(backend);
  if (known !== undefined) throw new Unavailable(known);
  try {
    loading ??= loadTfjs();
    const tf = await loading;
    if (!(await tf.setBackend(backend)))
      throw new Error(`tf.setBackend("${backend}") returned false`);
    await tf.ready();
    return tf;
  } catch (error) {
    const reason =
      error instanceof Unavailable ? error.message : `failed to load: ${String(error)}`;
    failures.set(backend, reason);
    throw new Unavailable(reason);
  }
}

async function loadTfjs(): Promise<Tf> {
  const tf = await import("@tensorflow/tfjs");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(wasmDistFolder());
  return tf;
}

function wasmDistFolder(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("@tensorflow/tfjs-backend-wasm/package.json");
  return path.join(path.dirname(packageJson), "dist") + path.sep;
}

/** Whether the wasm backend found SIMD and threads, for the machine description. */
export async function tfjsWasmFeatures(): Promise<string> {
  try {
    const tf = await tfjsWith("wasm");
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    return `SIMD ${simd ? "on" : "off"}, threads ${threads ? "on" : "off"}`;
  } catch (error) {
    return String(error);
  }
}

type Tensor = import("@tensorflow/tfjs").Tensor;

/**
 * A runner over `evaluate`, which builds the value and gradient tensors from resident inputs:
 * every output is read back to JS memory (dataSync) and every tensor of the call disposed.
 * The backend active when it is made is switched back on before each batch (`enter`), so that
 * the cpu and wasm runners can be timed interleaved, each on its own tensors. Both backends are
 * initialized by then, so setBackend switches at once (its promise only reports success).
 */
export function tfjsRunner(
  tf: Tf,
  evaluate: () => Readonly<Record<string, Tensor>>,
  inputs: readonly Tensor[],
) {
  const readAll = (): Record<string, Float64Array> => {
    const read: Record<string, Float64Array> = {};
    tf.tidy(() => {
      for (const [name, tensor] of Object.entries(evaluate())) {
        read[name] = Float64Array.from(tensor.dataSync());
      }
    });
    return read;
  };
  const backend = tf.getBackend();
  return {
    enter: () => void tf.setBackend(backend),
    run: () =>
      tf.tidy(() => {
        for (const tensor of Object.values(evaluate())) tensor.dataSync();
      }),
    outputs: readAll,
    dispose: () => tf.dispose([...inputs]),
  };
}

/** The reason shared by workloads TensorFlow.js cannot differentiate twice. */
export const tfjsNoHessian =
  "no Hessian: TensorFlow.js has no forward mode, hessian or jacobian (only reverse-mode grads)";
