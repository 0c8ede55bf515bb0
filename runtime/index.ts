// The runtime of generated modules: one arena per instance, named views, checked feeds.
// It imports nothing and uses no Node-only API, so generated code runs unchanged in a browser.

export type DType = "f64" | "f32";
export type Arena = Float64Array | Float32Array;

/** A value for an input: a number for a one-element input, or one number per element. */
export type FeedValue = number | ArrayLike<number>;
export type Feeds<Name extends string> = { readonly [K in Name]: FeedValue };

/** What a generated entry point needs to know about each input it reads. */
export interface InputSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly view: Arena;
}

export class AdjointRuntimeError extends Error {
  override readonly name = "AdjointRuntimeError";
}

/** The instance's one allocation: every input, param, output and intermediate lives in it. */
export function allocateArena(dtype: "f64", length: number): Float64Array;
export function allocateArena(dtype: "f32", length: number): Float32Array;
export function allocateArena(dtype: DType, length: number): Arena;
export function allocateArena(dtype: DType, length: number): Arena {
  return dtype === "f32" ? new Float32Array(length) : new Float64Array(length);
}

/** Copies `feeds` into the input views of `entry`, checking names, lengths and element types. */
export function feedInputs(entry: string, specs: readonly InputSpec[], feeds: unknown): void {
  if (typeof feeds !== "object" || feeds === null) {
    throw new AdjointRuntimeError(
      `${entry}: feeds must be an object of inputs, got ${describe(feeds)}`,
    );
  }
  const given = feeds as Record<string, unknown>;
  for (const key in given) {
    if (!specs.some((spec) => spec.name === key)) {
      throw new AdjointRuntimeError(`${entry}: unknown input "${key}"; it reads ${names(specs)}`);
    }
  }
  // every feed is checked before any is written, so a rejected call changes no view
  for (const spec of specs) checkFeed(entry, spec, given[spec.name]);
  for (const spec of specs) {
    const value = given[spec.name] as FeedValue;
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
    return;
  }
  if (ArrayBuffer.isView(value)) {
    if (value.constructor !== spec.view.constructor) {
      throw new AdjointRuntimeError(
        `${entry}: input "${spec.name}" (shape ${shape}) must be a ${spec.view.constructor.name} or an array of numbers, ` +
          `got ${value.constructor.name}`,
      );
    }
  } else if (!Array.isArray(value) || !value.every((element) => typeof element === "number")) {
    throw new AdjointRuntimeError(
      `${entry}: input "${spec.name}" (shape ${shape}) must be a number, an array of numbers or a ${spec.view.constructor.name}, ` +
        `got ${describe(value)}`,
    );
  }
  const values = value as ArrayLike<number>;
  if (values.length !== expected) {
    throw new AdjointRuntimeError(
      `${entry}: input "${spec.name}" has shape ${shape} (${expected} values), got ${values.length} values`,
    );
  }
}

// with shapes, so a misspelt name can be matched to the input it meant
function names(specs: readonly InputSpec[]): string {
  return specs.length === 0
    ? "no inputs"
    : specs.map((spec) => `"${spec.name}" (shape ${shapeText(spec)})`).join(", ");
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
