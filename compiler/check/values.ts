// The points checkGrads evaluates at: values given with { at } stay fixed, float leaves are drawn
// uniformly from their range, booleans are 0 or 1, and integer leaves (labels, indices) are drawn
// from [0, n) where n is the smallest size an index op reading them allows.
import type { Node } from "../ir/node.ts";
import type { Program } from "../ir/program.ts";
import { formatShape, sizeOf } from "../ir/shape.ts";
import type { Rng } from "@adjoint/runtime/random";
import { fail, leafName, type Leaf, type Target } from "./target.ts";

export type Range = readonly [number, number];
export type FixedValue = number | ArrayLike<number>;

export interface ValueOptions {
  /** Fixed values by leaf name (a number fills the leaf): used at every point. */
  readonly at?: Readonly<Record<string, FixedValue>>;
  /** Interval of random float values: one for every leaf, or one per leaf name. */
  readonly range?: Range | Readonly<Record<string, Range>>;
}

const defaultRange: Range = [-1, 1];

/** Draws leaf values, one Float64Array per leaf f depends on, keyed by leaf name. */
export class LeafSampler {
  private readonly fixed = new Map<string, Float64Array>();
  private readonly bounds = new Map<string, number>();
  private readonly ranges = new Map<string, Range>();

  constructor(
    private readonly target: Target,
    options: ValueOptions,
  ) {
    const { program, leaves } = target;
    for (const [name, value] of Object.entries(options.at ?? {})) {
      const leaf = program.leaves.find((candidate) => leafName(candidate) === name);
      if (leaf === undefined) {
        fail(`at names "${name}", which is no input or param of "${program.name}"`);
      }
      this.fixed.set(name, fixedValues(leaf, value, program));
    }
    for (const leaf of leaves) {
      if (this.fixed.has(leafName(leaf))) continue;
      if (leaf.dtype === "i32") this.bounds.set(leafName(leaf), indexBound(program, leaf));
      if (leaf.dtype === program.dtype) this.ranges.set(leafName(leaf), rangeOf(leaf, options));
    }
  }

  /** Values for every leaf f depends on: the fixed ones, and fresh random ones for the rest. */
  sample(rng: Rng): Map<string, Float64Array> {
    const values = new Map<string, Float64Array>();
    for (const leaf of this.target.leaves) {
      const draw = this.drawer(leafName(leaf), rng);
      values.set(
        leafName(leaf),
        Float64Array.from({ length: sizeOf(leaf.shape) }, (_, i) => draw(i)),
      );
    }
    return values;
  }

  /** Element i of a leaf: its fixed value, an index below its bound, a float in its range, or a bool. */
  private drawer(name: string, rng: Rng): (i: number) => number {
    const fixed = this.fixed.get(name);
    if (fixed !== undefined) return (i) => fixed[i];
    const bound = this.bounds.get(name);
    if (bound !== undefined) return () => rng.int(bound);
    const range = this.ranges.get(name);
    if (range !== undefined) return () => range[0] + (range[1] - range[0]) * rng.uniform();
    return () => rng.int(2);
  }
}

function rangeOf(leaf: Leaf, options: ValueOptions): Range {
  const { range } = options;
  const chosen = Array.isArray(range)
    ? (range as Range)
    : ((range as Readonly<Record<string, Range>> | undefined)?.[leafName(leaf)] ?? defaultRange);
  const [lo, hi] = Array.isArray(chosen) ? chosen : [NaN, NaN];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    fail(
      `range for "${leafName(leaf)}" must be [lo, hi] with finite lo < hi, got ${String(chosen)}`,
    );
  }
  return [lo, hi];
}

/** The user's value for `leaf`, checked: one number to fill it, or one per element. */
function fixedValues(leaf: Leaf, value: FixedValue, program: Program): Float64Array {
  const size = sizeOf(leaf.shape);
  const what = `at: "${leafName(leaf)}" (shape ${formatShape(leaf.shape)}, ${leaf.dtype})`;
  const values =
    typeof value === "number"
      ? new Float64Array(size).fill(value)
      : isNumberList(value)
        ? Float64Array.from(value)
        : fail(`${what} must be a number or ${size} numbers`);
  if (values.length !== size) fail(`${what} needs ${size} values, got ${values.length}`);
  const wrong = values.findIndex((v) => !fits(v, leaf.dtype, program));
  if (wrong >= 0) {
    const kind =
      leaf.dtype === "bool" ? "0 or 1" : leaf.dtype === "i32" ? "whole numbers" : "finite numbers";
    fail(`${what} takes ${kind}; element ${wrong} is ${values[wrong]}`);
  }
  return values;
}

function isNumberList(value: unknown): value is ArrayLike<number> {
  if (ArrayBuffer.isView(value)) return true;
  return Array.isArray(value) && value.every((v) => typeof v === "number");
}

function fits(value: number, dtype: Leaf["dtype"], program: Program): boolean {
  if (dtype === "bool") return value === 0 || value === 1;
  if (dtype === "i32") return Number.isInteger(value);
  return dtype === program.dtype && Number.isFinite(value);
}

/**
 * The number of valid values of an integer leaf: the smallest bound among the index ops that read
 * it (directly or through reshapes, transposes, slices and broadcasts, which keep its values).
 */
function indexBound(program: Program, leaf: Leaf): number {
  const carriers = new Set<number>([leaf.id]);
  let bound = Infinity;
  for (const node of program.graph.nodes) {
    const from = node.inputs.findIndex((input) => carriers.has(input.id));
    if (from < 0) continue;
    if (keepsValues(node) && from === 0) carriers.add(node.id);
    bound = Math.min(bound, boundAt(node, from));
  }
  if (bound === Infinity) {
    fail(
      `i32 input "${leafName(leaf)}" reaches no gather, scatterAdd or oneHot that bounds its ` +
        `values; give them with { at: { ${leafName(leaf)}: [...] } }`,
    );
  }
  return bound;
}

function keepsValues(node: Node): boolean {
  return ["reshape", "transpose", "slice", "broadcastTo"].includes(node.op);
}

/** The index range node allows for its input `position`, or Infinity when it reads no index there. */
function boundAt(node: Node, position: number): number {
  if (node.op === "oneHot") return node.attrs.depth;
  if (node.op === "gather" && position === 1) return node.inputs[0].shape[node.attrs.axis];
  if (node.op === "scatterAdd" && position === 1) return node.attrs.shape[node.attrs.axis];
  return Infinity;
}
