// The core of the runtime, all that generated modules import: one arena per instance, named views,
// checked feeds. It imports nothing, so loading a generated module reads two files (start-up time
// is counted per file), and uses no Node-only API, so generated code runs unchanged in a browser.
// The one file it imports holds the kernel library's bytes, generated (see kernels/build.ts); the
// special functions (erf, lgamma, ...) that elementwise ops call live in special.ts, re-exported.
import { kernelBytesBase64 } from "./kernel-bytes.ts";

export { special } from "./special.ts";

export type DType = "f64" | "f32";
export type Arena = Float64Array | Float32Array;

/** A value for an input: a number for a one-element input, or one number per element. */
export type FeedValue = number | ArrayLike<number>;
/** The inputs an entry reads (`Name`), and the program's other inputs, which it accepts and ignores. */
export type Feeds<Name extends string, Other extends string = never> = {
  readonly [K in Name]: FeedValue;
} & { readonly [K in Other]?: FeedValue };

/** What a generated entry point needs to know about each input it reads. */
export interface InputSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly view: Arena;
  /** Integer labels or a boolean mask, stored in the float arena; a float input when absent. */
  readonly dtype?: "i32" | "bool";
  /** For an i32 input that an op uses as indices: every element must be in [0, size). */
  readonly indexes?: { readonly size: number; readonly op: string };
}

export class AdjointRuntimeError extends Error {
  override readonly name = "AdjointRuntimeError";
}

/** This runtime's version (the `@adjoint/runtime` package's, checked equal by the tests). */
export const runtimeVersion = "0.1.0";

/**
 * Run by a generated module when it is imported: a module made for another major.minor of the
 * runtime may call what this one lacks or lay out its arena differently, so it must not run.
 * Returns `madeFor`, the module's record of the version it was generated for.
 */
export function checkRuntimeVersion(madeFor: string, program: string): string {
  if (majorMinor(madeFor) !== majorMinor(runtimeVersion)) {
    throw new AdjointRuntimeError(
      `${program}: this module was generated for @adjoint/runtime ${madeFor}, but the runtime installed is ${runtimeVersion}; ` +
        `install @adjoint/runtime@${majorMinor(madeFor)} or regenerate the module with adjoint ${majorMinor(runtimeVersion)}`,
    );
  }
  return madeFor;
}

function majorMinor(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}

/** The instance's one allocation: every input, param, output and intermediate lives in it. */
export function allocateArena(dtype: "f64", length: number): Float64Array;
export function allocateArena(dtype: "f32", length: number): Float32Array;
export function allocateArena(dtype: DType, length: number): Arena;
export function allocateArena(dtype: DType, length: number): Arena {
  return dtype === "f32" ? new Float32Array(length) : new Float64Array(length);
}

/**
 * The arena of a module whose matmul may run in the kernel library: in the library's memory, with
 * the library instantiated over it, or a plain arena and null where the JS loops run. A module
 * generated with kernels "wasm" needs the library; one generated with "auto" takes it where the
 * engine has WebAssembly SIMD, unless setKernels says otherwise.
 */
export function allocateKernelArena(
  dtype: "f64",
  length: number,
  mode: "wasm" | "auto",
): { arena: Float64Array; kernels: Kernels | null };
export function allocateKernelArena(
  dtype: "f32",
  length: number,
  mode: "wasm" | "auto",
): { arena: Float32Array; kernels: Kernels | null };
export function allocateKernelArena(
  dtype: DType,
  length: number,
  mode: "wasm" | "auto",
): { arena: Arena; kernels: Kernels | null } {
  const wanted = mode === "wasm" ? "wasm" : kernelsMode();
  const bytes = length * (dtype === "f32" ? 4 : 8);
  const memory = wanted === "js" ? undefined : kernelMemory(bytes);
  if (memory === undefined && wanted === "wasm") {
    const why = simdSupported()
      ? `its arena (${bytes} bytes) is larger than WebAssembly's 2 GiB`
      : "this engine has no WebAssembly SIMD";
    throw new AdjointRuntimeError(
      `the matmul kernel library cannot run: ${why}; generate with kernels "auto" or "js" to run the JS loops`,
    );
  }
  if (memory === undefined) return { arena: allocateArena(dtype, length), kernels: null };
  const arena =
    dtype === "f32"
      ? new Float32Array(memory.buffer, 0, length)
      : new Float64Array(memory.buffer, 0, length);
  return { arena, kernels: memory.kernels };
}

/**
 * Copies `feeds` into the input views of `entry`, checking names, lengths and element types (and
 * index ranges) of every feed before writing any, so a rejected call changes no view. `declared` is
 * every input the program has: the ones this entry does not read are accepted and ignored.
 */
export function feedInputs(
  entry: string,
  specs: readonly InputSpec[],
  feeds: unknown,
  declared: readonly string[] = specs.map((spec) => spec.name),
): void {
  if (typeof feeds !== "object" || feeds === null) {
    throw new AdjointRuntimeError(
      `${entry}: feeds must be an object of inputs, got ${describe(feeds)}`,
    );
  }
  const given = feeds as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!declared.includes(key)) {
      throw new AdjointRuntimeError(
        `${entry}: unknown input "${key}"; it reads ${names(specs)}${ignored(specs, declared)}`,
      );
    }
  }
  // own properties only: an input named valueOf or toString is missing, not Object's method
  const valueOf = (spec: InputSpec) =>
    Object.hasOwn(given, spec.name) ? given[spec.name] : undefined;
  for (const spec of specs) checkFeed(entry, spec, valueOf(spec));
  for (const spec of specs) {
    const value = valueOf(spec) as FeedValue;
    if (typeof value === "number") spec.view[0] = value;
    else spec.view.set(value);
  }
}

function checkFeed(entry: string, spec: InputSpec, value: unknown): void {
  const shape = shapeText(spec);
  const expected = spec.view.length;
  if (value === undefined) {
    throw new AdjointRuntimeError(`${entry}: missing input "${spec.name}" (shape ${shape})`);
  }
  if (typeof value === "number") {
    if (expected !== 1) {
      throw new AdjointRuntimeError(
        `${entry}: input "${spec.name}" has shape ${shape} (${expected} values); a single number fits only one value`,
      );
    }
    checkElements(entry, spec, value);
    return;
  }
  if (!isNumberArray(value)) {
    throw new AdjointRuntimeError(
      `${entry}: input "${spec.name}" (shape ${shape}) must be a number, an array of numbers or a typed array of numbers, ` +
        `got ${describe(value)}`,
    );
  }
  const values = value as ArrayLike<number>;
  if (values.length !== expected) {
    throw new AdjointRuntimeError(
      `${entry}: input "${spec.name}" has shape ${shape} (${expected} values), got ${values.length} values`,
    );
  }
  checkElements(entry, spec, values);
}

/** An array of numbers, or a typed array of numbers (any element type: the view converts them). */
function isNumberArray(value: unknown): value is ArrayLike<number> {
  if (Array.isArray(value)) return value.every((element) => typeof element === "number");
  // a DataView is no array, and bigint elements do not convert to numbers
  return (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array)
  );
}

/**
 * Every fed value must be one the input can hold: finite for a float input (NaN and ±Infinity are
 * almost always a bug upstream; write the view directly to pass them on purpose), a whole int32
 * for an i32 input, 0 or 1 for a bool one. One pass over values the feed copies anyway.
 */
function checkElements(entry: string, spec: InputSpec, values: FeedValue): void {
  const wrong = firstWrong(spec, values);
  if (wrong < 0) return;
  const value = typeof values === "number" ? values : values[wrong]!;
  const kind = spec.dtype === undefined ? "" : `, ${spec.dtype}`;
  const where =
    spec.shape.length === 0 ? "" : ` at ${position(spec.shape, wrong)} (element ${wrong})`;
  throw new AdjointRuntimeError(
    `${entry}: input "${spec.name}" (shape ${shapeText(spec)}${kind}) holds ${value}${where}${problem(spec, value)}`,
  );
}

/** The index of the first value `spec` cannot hold, or -1. */
function firstWrong(spec: InputSpec, values: FeedValue): number {
  const accepts = acceptor(spec);
  if (typeof values === "number") return accepts(values) ? -1 : 0;
  for (let i = 0; i < values.length; i++) if (!accepts(values[i]!)) return i;
  return -1;
}

const maxF32 = 3.4028234663852886e38;
const int32Min = -2147483648;
const int32Max = 2147483647;
/** Whole numbers a float32 holds exactly: up to 2²⁴ in magnitude. */
const exactF32 = 16777216;

function acceptor(spec: InputSpec): (value: number) => boolean {
  const f32 = spec.view instanceof Float32Array;
  if (spec.dtype === "bool") return (value) => value === 0 || value === 1;
  if (spec.dtype === "i32" && spec.indexes !== undefined) {
    const { size } = spec.indexes;
    return (value) => Number.isInteger(value) && value >= 0 && value < size;
  }
  if (spec.dtype === "i32") {
    const low = f32 ? -exactF32 : int32Min;
    const high = f32 ? exactF32 : int32Max;
    return (value) => Number.isInteger(value) && value >= low && value <= high;
  }
  // a float32 view would turn a finite value beyond its range into ±Infinity
  if (f32) return (value) => Math.abs(value) <= maxF32 || Math.abs(Math.fround(value)) <= maxF32;
  return (value) => Number.isFinite(value);
}

/** Why `value` is wrong for `spec`, as the end of the message. */
function problem(spec: InputSpec, value: number): string {
  const f32 = spec.view instanceof Float32Array;
  if (spec.dtype === "bool") return "; a bool input takes 0 or 1";
  if (spec.dtype === "i32" && spec.indexes !== undefined) {
    const { size, op } = spec.indexes;
    return `; it indexes ${op}, which takes whole numbers from 0 to ${size - 1}`;
  }
  if (spec.dtype === "i32") {
    return f32
      ? `; an i32 input of a float32 program takes whole numbers from -${exactF32} to ${exactF32}`
      : `; an i32 input takes whole numbers from ${int32Min} to ${int32Max}`;
  }
  if (Number.isFinite(value)) return ", which overflows float32";
  return "; fed values must be finite";
}

/** The multi-index of element `flat` of a row-major tensor of `shape`: "[1,0]". */
function position(shape: readonly number[], flat: number): string {
  const index = new Array<number>(shape.length);
  let rest = flat;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis]!;
    index[axis] = rest % size;
    rest = Math.floor(rest / size);
  }
  return `[${index.join(",")}]`;
}

// with shapes, so a misspelt name can be matched to the input it meant
function names(specs: readonly InputSpec[]): string {
  return specs.length === 0
    ? "no inputs"
    : specs.map((spec) => `"${spec.name}" (shape ${shapeText(spec)})`).join(", ");
}

/** The program's inputs this entry does not read, which it accepts and ignores. */
function ignored(specs: readonly InputSpec[], declared: readonly string[]): string {
  const others = declared.filter((name) => !specs.some((spec) => spec.name === name));
  return others.length === 0
    ? ""
    : `, and ignores the program's other inputs ${others.map((name) => `"${name}"`).join(", ")}`;
}

function shapeText(spec: InputSpec): string {
  return `[${spec.shape.join(",")}]`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array with non-number elements";
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : typeof value;
}

/** The shape every generated instance has; generated modules declare precise types. */
export interface Instance {
  readonly arena: Arena;
  readonly inputs: Readonly<Record<string, Arena>>;
  readonly params: Readonly<Record<string, Arena>>;
}

/**
 * `index` when it is a whole number in [0, size); otherwise a clear error naming `where` (the
 * generated op and its source line). Called by gather and oneHot kernels on every index they read.
 */
export function checkIndex(index: number, size: number, where: string): number {
  if (Number.isInteger(index) && index >= 0 && index < size) return index;
  throw new AdjointRuntimeError(`${where}: index ${index} is out of range [0, ${size})`);
}

// The kernel library: one small WebAssembly SIMD module (matmul in f64x2 and f32x4), compiled once
// from the embedded bytes, instantiated per program instance over a memory that holds that
// instance's arena, so typed-array views and kernels share one buffer and nothing is copied.

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
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
  Memory: new (size: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
}

// module-scoped, so neither DOM nor Node typings are needed; undefined in an engine without it
declare const WebAssembly: WebAssemblyApi | undefined;
const wasm = typeof WebAssembly === "object" ? WebAssembly : undefined;
/** wasm32 addresses are computed in i32 by the kernels: arenas up to 2 GiB. */
const maxBytes = 2 ** 31;
const pageBytes = 65536;

/** The compiled library: undefined until first asked for, null where the engine cannot compile it. */
let compiled: object | null | undefined;
let override: KernelMode = "auto";

/**
 * Sets which matmul the instances created from now on run, in modules generated with kernels
 * "auto" (a module generated with "wasm" or "js" has only that path). For tests and benchmarks.
 */
export function setKernels(mode: KernelMode): void {
  override = mode;
}

/** The mode instances of "auto" modules are created with now. */
function kernelsMode(): KernelMode {
  return override;
}

/**
 * Whether this engine runs WebAssembly SIMD: it compiles the library itself, once (validating a
 * probe first would only repeat the work compiling does).
 */
export function simdSupported(): boolean {
  if (compiled === undefined) {
    try {
      compiled = wasm === undefined ? null : new wasm.Module(kernelBytes());
    } catch {
      compiled = null;
    }
  }
  return compiled !== null;
}

/**
 * A memory of whole 64 KiB pages for `bytes`, never grown (its maximum is its size, so views
 * of its buffer stay valid), and the library instantiated over it; undefined if it cannot be.
 */
export function kernelMemory(bytes: number): { buffer: ArrayBuffer; kernels: Kernels } | undefined {
  if (!simdSupported() || bytes > maxBytes) return undefined;
  const api = wasm!;
  const pages = Math.max(1, Math.ceil(bytes / pageBytes));
  const memory = new api.Memory({ initial: pages, maximum: pages });
  const instance = new api.Instance(compiled!, { env: { memory } });
  return { buffer: memory.buffer, kernels: instance.exports as Kernels };
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The embedded module's bytes. */
function kernelBytes(): Uint8Array {
  return decodeBase64(kernelBytesBase64);
}

/** Base64 to bytes, whitespace ignored (decoded here: atob is not in every runtime's typings). */
function decodeBase64(encoded: string): Uint8Array {
  const text = encoded.replace(/\s+/g, "").replace(/=+$/, "");
  const bytes = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let count = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = alphabet.indexOf(text[i]!);
    if (digit < 0)
      throw new AdjointRuntimeError(`base64 values: "${text[i]}" is not a base64 digit`);
    bits = ((bits << 6) | digit) & 0xffffff;
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes[at++] = (bits >> count) & 0xff;
    }
  }
  return bytes;
}

/**
 * Writes `view.length` float64 values, given as little-endian bytes in base64, into `view` (a
 * float32 view rounds them as `set` does). Generated modules carry long initial values this way:
 * exact, in half the text of shortest round-trip decimals. Called once per instance, never per call.
 */
export function setBase64Values(view: Arena, encoded: string): void {
  const bytes = decodeBase64(encoded);
  if (bytes.length !== view.length * 8) {
    throw new AdjointRuntimeError(
      `base64 values: ${bytes.length} bytes hold ${bytes.length / 8} float64 values, the view has ${view.length}`,
    );
  }
  const data = new DataView(bytes.buffer);
  for (let i = 0; i < view.length; i++) view[i] = data.getFloat64(8 * i, true);
}
