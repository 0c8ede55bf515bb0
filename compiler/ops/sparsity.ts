// Structural sparsity: for each element of a node, which elements of the differentiated inputs it
// may depend on. An op's `sparsity` rule maps its inputs' dependency sets to its output's; a rule
// may answer a superset (conservative is correct, smaller is faster). Shared rule shapes live here.
import type { AttrsOf, Node, OpName } from "../ir/node.ts";
import { broadcastStrides, sizeOf, stridesOf, type Shape } from "../ir/shape.ts";

/**
 * Per element of a value (row-major), the sorted indices of the wrt elements it may depend on;
 * or "dense": it may depend on every one of them (past the budget, sets are not tracked).
 */
export type Dependencies = readonly Int32Array[] | "dense";

export interface SparsityContext<K extends OpName> {
  /** The dependencies of each input, in order. */
  readonly deps: readonly Dependencies[];
  readonly inputs: readonly Node[];
  readonly shape: Shape;
  readonly attrs: AttrsOf[K];
}

export type SparsityRule<K extends OpName> = (ctx: SparsityContext<K>) => Dependencies;

const empty = new Int32Array(0);

/** Where an output element reads its value: input `input` at flat offset `offset`. */
export interface Source {
  readonly input: number;
  readonly offset: number;
}

/** The sorted union of sorted index sets (the same array back when there is only one). */
export function unionOf(sets: readonly Int32Array[]): Int32Array {
  const distinct = [...new Set(sets)].filter((set) => set.length > 0);
  if (distinct.length === 0) return empty;
  if (distinct.length === 1) return distinct[0];
  if (distinct.length === 2) return mergeSorted(distinct[0], distinct[1]);
  return withoutRepeats(concatenated(distinct).sort());
}

/** Two sorted index sets merged, without repeats. */
function mergeSorted(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    if (i < a.length && a[i] === next) i++;
    if (j < b.length && b[j] === next) j++;
    out[n++] = next;
  }
  return out.subarray(0, n);
}

function concatenated(sets: readonly Int32Array[]): Int32Array {
  const out = new Int32Array(sets.reduce((total, set) => total + set.length, 0));
  let at = 0;
  for (const set of sets) {
    out.set(set, at);
    at += set.length;
  }
  return out;
}

/** A sorted array with each run of equal values kept once. */
function withoutRepeats(sorted: Int32Array): Int32Array {
  let n = 0;
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i];
  return sorted.subarray(0, n);
}

/** No output element depends on anything: leaves, comparisons, integer results, stopGradient. */
export function noSparsity(ctx: { readonly shape: Shape }): Dependencies {
  return new Array<Int32Array>(sizeOf(ctx.shape)).fill(empty);
}

/** Every output element depends on every element of every input: the conservative rule. */
export function denseSparsity(ctx: {
  readonly deps: readonly Dependencies[];
  readonly shape: Shape;
}): Dependencies {
  if (ctx.deps.includes("dense")) return "dense";
  const all = unionOf(
    (ctx.deps as readonly (readonly Int32Array[])[]).flatMap((sets) => unionOf(sets)),
  );
  return new Array<Int32Array>(sizeOf(ctx.shape)).fill(all);
}

/** y[i] = f(x₁[i], x₂[i], ...) with NumPy broadcasting: the union of the operands' elements at i. */
export function elementwiseSparsity(ctx: {
  readonly deps: readonly Dependencies[];
  readonly inputs: readonly Node[];
  readonly shape: Shape;
}): Dependencies {
  const strides = ctx.inputs.map((input) => broadcastStrides(input.shape, ctx.shape));
  return readSparsity(ctx.deps, ctx.shape, (index) =>
    strides.map((s, input) => ({ input, offset: flatOffset(index, s) })),
  );
}

/**
 * y[index] = the inputs' elements at `sourcesOf(index)` (none: a structural zero), the rule of
 * every movement op: slice, pad, transpose, concat, broadcast.
 */
export function readSparsity(
  deps: readonly Dependencies[],
  shape: Shape,
  sourcesOf: (index: readonly number[], i: number) => readonly Source[],
): Dependencies {
  if (deps.includes("dense")) return "dense";
  const sets = deps as readonly (readonly Int32Array[])[];
  const out: Int32Array[] = [];
  forEachIndex(shape, (index, i) =>
    out.push(unionOf(sourcesOf(index, i).map(({ input, offset }) => sets[input][offset]))),
  );
  return out;
}

/** What the rules of ops over reduction groups read. */
interface ReductionContext {
  readonly deps: readonly Dependencies[];
  readonly inputs: readonly Node[];
  readonly attrs: { readonly axes: readonly number[] };
}

/** A reduction over `axes`: output element g depends on the union of its group. */
export function reductionSparsity(ctx: ReductionContext): Dependencies {
  const [x] = ctx.deps;
  if (x === "dense") return "dense";
  return groupsOf(ctx.inputs[0].shape, ctx.attrs.axes).map((group) =>
    unionOf(group.map((i) => x[i])),
  );
}

/** Each element depends on the union of its reduction group (prodExcept: the others in it). */
export function groupSparsity(ctx: ReductionContext): Dependencies {
  const [x] = ctx.deps;
  if (x === "dense") return "dense";
  const out = new Array<Int32Array>(x.length);
  for (const group of groupsOf(ctx.inputs[0].shape, ctx.attrs.axes)) {
    const union = unionOf(group.map((i) => x[i]));
    for (const i of group) out[i] = union;
  }
  return out;
}

/** y is input 0 unchanged (reshape keeps row-major order; custom's value is its input 0). */
export function firstInputSparsity(ctx: { readonly deps: readonly Dependencies[] }): Dependencies {
  return ctx.deps[0];
}

/** Flat offsets of `shape`'s elements grouped by the position on the axes not in `axes`. */
function groupsOf(shape: Shape, axes: readonly number[]): number[][] {
  const keptStrides = stridesOf(shape.map((size, axis) => (axes.includes(axis) ? 1 : size)));
  const groups = new Map<number, number[]>();
  forEachIndex(shape, (index, i) => {
    const group = index.reduce(
      (total, v, axis) => total + (axes.includes(axis) ? 0 : v * keptStrides[axis]),
      0,
    );
    const members = groups.get(group);
    if (members === undefined) groups.set(group, [i]);
    else members.push(i);
  });
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, members]) => members);
}

/** Calls `fn` with every multi-index of `shape` and its row-major position. */
export function forEachIndex(
  shape: Shape,
  fn: (index: readonly number[], i: number) => void,
): void {
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < sizeOf(shape); i++) {
    fn(index, i);
    for (let axis = shape.length - 1; axis >= 0 && ++index[axis] === shape[axis]; axis--)
      index[axis] = 0;
  }
}

/** Σ index·stride: the flat offset of a multi-index. */
export function flatOffset(index: readonly number[], strides: readonly number[]): number {
  return index.reduce((total, v, axis) => total + v * strides[axis], 0);
}
