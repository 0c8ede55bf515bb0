// The kernel library: one small WebAssembly SIMD module (matmul in f64x2 and f32x4), compiled once
// from bytes embedded in the runtime, instantiated per program instance over a memory that holds
// that instance's arena, so typed-array views and kernels share one buffer and nothing is copied.
// It imports no other runtime file (core re-exports it) and touches WebAssembly only if present.
import { kernelBytesBase64 } from "./kernel-bytes.ts";

/** Which matmul runs: the kernel library, the generated JS loops, or the library where supported. */
export type KernelMode = "wasm" | "js" | "auto";

/**
 * The kernel library's entries. Every pointer is an element offset into the arena; out[m×n] =
 * op(A)·op(B), transA and transB 0 or 1, out not overlapping A or B. They allocate nothing.
 */
export interface Kernels {
  matmulF64(
    a: number,
    b: number,
    out: number,
    m: number,
    k: number,
    n: number,
    transA: number,
    transB: number,
  ): void;
  matmulF32(
    a: number,
    b: number,
    out: number,
    m: number,
    k: number,
    n: number,
    transA: number,
    transB: number,
  ): void;
}

/** The few WebAssembly members the library uses, so the runtime needs no DOM or Node typings. */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
  Memory: new (size: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
}

const wasm = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
/** wasm32 addresses are computed in i32 by the kernels: arenas up to 2 GiB. */
const maxBytes = 2 ** 31;
const pageBytes = 65536;

let compiled: object | undefined;
let supported: boolean | undefined;
let override: KernelMode = "auto";

/**
 * Sets which matmul the instances created from now on run, in modules generated with kernels
 * "auto" (a module generated with "wasm" or "js" has only that path). For tests and benchmarks.
 */
export function setKernels(mode: KernelMode): void {
  override = mode;
}

/** The mode instances of "auto" modules are created with now. */
export function kernelsMode(): KernelMode {
  return override;
}

/** Whether this engine runs WebAssembly SIMD: it validates the library itself, once. */
export function simdSupported(): boolean {
  supported ??= wasm !== undefined && wasm.validate(kernelBytes());
  return supported;
}

/**
 * A memory of whole 64 KiB pages for `bytes`, never grown (its maximum is its size, so views
 * of its buffer stay valid), and the library instantiated over it; undefined if it cannot be.
 */
export function kernelMemory(bytes: number): { buffer: ArrayBuffer; kernels: Kernels } | undefined {
  if (!simdSupported() || bytes > maxBytes) return undefined;
  const api = wasm!;
  compiled ??= new api.Module(kernelBytes());
  const pages = Math.max(1, Math.ceil(bytes / pageBytes));
  const memory = new api.Memory({ initial: pages, maximum: pages });
  const instance = new api.Instance(compiled, { env: { memory } });
  return { buffer: memory.buffer, kernels: instance.exports as Kernels };
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The embedded module's bytes (decoded here: atob is not in every runtime's typings). */
function kernelBytes(): Uint8Array {
  const text = kernelBytesBase64.replace(/=+$/, "");
  const bytes = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let count = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    bits = (bits << 6) | alphabet.indexOf(text[i]);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes[at++] = (bits >> count) & 0xff;
    }
  }
  return bytes;
}
