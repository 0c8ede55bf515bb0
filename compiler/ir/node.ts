// The IR: a closed set of ops, each with typed attributes; nodes are immutable and interned.
import type { SourceLoc } from "../errors.ts";
import type { Shape } from "./shape.ts";

/** The element type of a program's real values, and of its one arena. */
export type FloatType = "f64" | "f32";
/** Booleans (comparisons) and integers (labels, indices) live in the same arena, as 0/1 and whole numbers. */
export type DType = FloatType | "bool" | "i32";

type NoAttrs = Readonly<Record<never, never>>;

/** The graph a region's body lives in, as the IR reads it (ir/graph.ts's Graph is one). */
export interface RegionGraph {
  readonly nodes: readonly Node[];
  readonly dtype: FloatType;
  has(node: Node): boolean;
  origin(node: Node): {
    readonly loc?: SourceLoc;
    readonly label?: string;
    readonly role?: "adjoint" | "tangent";
  };
}

/**
 * A loop's body: a graph of its own whose leaves `args` are `input` nodes (one per input of the
 * loop node) and whose `results` are what one step computes. `key` is its stable text form, so
 * two equal bodies intern their loops as one node.
 */
export interface Region {
  readonly kind: "adjoint.region";
  readonly key: string;
  readonly graph: RegionGraph;
  readonly args: readonly NodeOf<"input">[];
  readonly results: readonly Node[];
}

/**
 * A cond: inputs [predicate (a bool scalar), captured by whenTrue..., captured by whenFalse...];
 * each branch's args are its captured values (`split` of them for whenTrue). Only the taken branch
 * runs. The value is the taken branch's results, one flat vector (both return the same shapes).
 */
export interface CondAttrs {
  readonly whenTrue: Region;
  readonly whenFalse: Region;
  readonly split: number;
}

/**
 * A scan: inputs [initial carries, sequences [length, ...], captured values]; the body's args are
 * [carries, the step's slices, captured]; its results [new carries, per-step outputs]. The value
 * is one flat vector: the final carries, the per-step outputs stacked [length, ...], then, with
 * `tape`, the carries at the start of every step stacked [length, ...] (what reverse mode reads;
 * loops are built with it and the optimizer drops it where nothing reads it).
 * `checkpoint` (absent: every carry is taped) lists strides k1 > k2 > ...: the tape then holds the
 * carry entering every k1-th step only, [ceil(length / k1), ...], and reverse mode recomputes each
 * segment of k1 steps from its checkpoint by a scan checkpointed by the rest of the strides.
 */
export interface ScanAttrs {
  readonly body: Region;
  readonly carries: number;
  readonly sequences: number;
  readonly length: number;
  readonly reverse: boolean;
  readonly tape: boolean;
  readonly checkpoint?: readonly number[];
}

/**
 * A bounded while: inputs [initial carries, captured by the condition, captured by the body]. The
 * condition's args are [carries, its captured] (`split` of those), its one result a bool scalar; the
 * body's args are [carries, its captured], its results the new carries. The body runs while the
 * condition holds, at most `maxIterations` times; a condition that still holds then stops the loop
 * ("stop") or is a run-time error naming `site`, the user's line ("error"). The value is one flat
 * vector: the final carries, the iteration count, then, with `tape`, the carries at the start of
 * every step stacked [maxIterations, ...] (rows from the count on are left as they were).
 */
export interface WhileAttrs {
  readonly condition: Region;
  readonly body: Region;
  readonly carries: number;
  readonly split: number;
  readonly maxIterations: number;
  readonly onMaxIterations: "stop" | "error";
  readonly site: string;
  readonly tape: boolean;
}

/** Reduction over `axes` (sorted, non-negative); `keepDims` keeps them as size-1 dimensions. */
export interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/**
 * Attributes per op. Adding an op here forces a record for it in ops/registry.ts, a row in the
 * op tests, and (through the registry) rules for shape, eval, emit, vjp and jvp.
 */
export interface AttrsOf {
  // leaves
  input: { readonly name: string; readonly shape: Shape; readonly dtype: DType };
  param: { readonly name: string; readonly shape: Shape };
  /** One value fills the whole shape; otherwise one value per element, row-major. */
  const: { readonly values: readonly number[]; readonly shape: Shape; readonly dtype: DType };
  // binary arithmetic, NumPy broadcasting
  add: NoAttrs;
  sub: NoAttrs;
  mul: NoAttrs;
  div: NoAttrs;
  /** a^b with a tensor exponent. */
  power: NoAttrs;
  maximum: NoAttrs;
  minimum: NoAttrs;
  // unary
  neg: NoAttrs;
  /** x^p with a constant exponent. */
  pow: { readonly exponent: number };
  exp: NoAttrs;
  expm1: NoAttrs;
  log: NoAttrs;
  log1p: NoAttrs;
  sin: NoAttrs;
  cos: NoAttrs;
  tanh: NoAttrs;
  sqrt: NoAttrs;
  square: NoAttrs;
  reciprocal: NoAttrs;
  abs: NoAttrs;
  /** −1, 0 or 1 (0 for ±0, NaN for NaN). */
  sign: NoAttrs;
  relu: NoAttrs;
  sigmoid: NoAttrs;
  softplus: NoAttrs;
  // trigonometric and hyperbolic (ops/trig.ts)
  tan: NoAttrs;
  atan: NoAttrs;
  asin: NoAttrs;
  acos: NoAttrs;
  sinh: NoAttrs;
  cosh: NoAttrs;
  asinh: NoAttrs;
  acosh: NoAttrs;
  atanh: NoAttrs;
  /** atan2(a, b): the angle of the point (b, a), in (−π, π]. */
  atan2: NoAttrs;
  // special functions (ops/special.ts)
  erf: NoAttrs;
  /** 1 − erf(x), accurate where it is tiny. */
  erfc: NoAttrs;
  /** log|Γ(x)|. */
  lgamma: NoAttrs;
  /** ψ⁽ⁿ⁾(x), the n-th derivative of digamma (order 0 is digamma, 1 trigamma). */
  polygamma: { readonly order: number };
  /** x·log y, 0 where x = 0 (whatever y). */
  xlogy: NoAttrs;
  // rounding (ops/rounding.ts): piecewise constant, no gradient
  floor: NoAttrs;
  ceil: NoAttrs;
  /** To the nearest integer, ties to even. */
  round: NoAttrs;
  /** a − b·floor(a/b): the sign of the divisor. */
  mod: NoAttrs;
  isFinite: NoAttrs;
  isNaN: NoAttrs;
  // along one axis (ops/cumulative.ts)
  /** Running sum along `axis`, from the end when `reverse`. */
  cumsum: { readonly axis: number; readonly reverse: boolean };
  /** Position (i32) of the largest element along `axis`; the first on a tie or NaN. */
  argmax: { readonly axis: number; readonly keepDims: boolean };
  argmin: { readonly axis: number; readonly keepDims: boolean };
  // comparisons (bool output, no gradient) and selection
  lt: NoAttrs;
  le: NoAttrs;
  gt: NoAttrs;
  ge: NoAttrs;
  eq: NoAttrs;
  /** where(cond, a, b): a where cond is true, else b; broadcasting all three. */
  where: NoAttrs;
  /** Converts between element types; from bool or i32 nothing is differentiable. */
  cast: { readonly to: DType };
  /** The value flows, the gradient does not. */
  stopGradient: NoAttrs;
  /** x where it is finite (−0 as +0), 0 where ±∞ or NaN: an idle term of a strong-zero guard. */
  finiteOrZero: NoAttrs;
  // reductions
  sum: ReduceAttrs;
  max: ReduceAttrs;
  min: ReduceAttrs;
  prod: ReduceAttrs;
  /** log Σ exp, computed with the maximum subtracted. */
  logsumexp: ReduceAttrs;
  /** For each element, the product of the others in its reduction group (prod's adjoint, exact at zeros). */
  prodExcept: { readonly axes: readonly number[] };
  // movement
  reshape: { readonly shape: Shape };
  transpose: { readonly perm: readonly number[] };
  /** Elements [begin, end) along every axis. */
  slice: { readonly begin: readonly number[]; readonly end: readonly number[] };
  /** Zeros around: `before` and `after` elements per axis (slice's adjoint). */
  pad: { readonly before: readonly number[]; readonly after: readonly number[] };
  /** Inputs joined along `axis` (any number of inputs). */
  concat: { readonly axis: number };
  /** NumPy broadcasting of the input to `shape`. */
  broadcastTo: { readonly shape: Shape };
  /** x indexed along `axis` by integer indices: out shape = x[:axis] + indices + x[axis+1:]. */
  gather: { readonly axis: number };
  /** gather's adjoint: updates added into zeros of `shape` at the indices along `axis`. */
  scatterAdd: { readonly axis: number; readonly shape: Shape };
  /** Integer labels to one-hot rows of length `depth`. */
  oneHot: { readonly depth: number };
  // linear algebra
  /** Inner product of two vectors. */
  dot: NoAttrs;
  /** Matrix product op(A)·op(B) over the last two axes, leading (batch) axes broadcast. */
  matmul: { readonly transA: boolean; readonly transB: boolean };
  /** A subgraph with a user-given derivative rule: its value is input 0; `rule` names the rule. */
  custom: { readonly rule: number };
  // control flow
  scan: ScanAttrs;
  cond: CondAttrs;
  while: WhileAttrs;
}

export type OpName = keyof AttrsOf;

export interface NodeOf<K extends OpName> {
  readonly id: number;
  readonly op: K;
  readonly inputs: readonly Node[];
  readonly attrs: AttrsOf[K];
  readonly shape: Shape;
  readonly dtype: DType;
}

export type Node = { [K in OpName]: NodeOf<K> }[OpName];

export function isOp<K extends OpName>(node: Node, op: K): node is NodeOf<K> & Node {
  return node.op === op;
}

/** True when `node` is a constant whose every element equals `value` (0 matches -0). */
export function isConst(node: Node, value: number): boolean {
  return node.op === "const" && node.attrs.values.every((v) => v === value);
}

/** Like isConst, but telling -0 from +0: for identities that hold only for one signed zero. */
export function isConstExactly(node: Node, value: number): boolean {
  return node.op === "const" && node.attrs.values.every((v) => Object.is(v, value));
}

/** A node's regions, each with its title in the text form: a scan's body, a cond's branches, a while's condition and body. */
export function nodeRegions(node: Node): readonly (readonly [string, Region])[] {
  switch (node.op) {
    case "scan":
      return [["", node.attrs.body]];
    case "cond":
      return [
        ["true:", node.attrs.whenTrue],
        ["false:", node.attrs.whenFalse],
      ];
    case "while":
      return [
        ["condition:", node.attrs.condition],
        ["body:", node.attrs.body],
      ];
    default:
      return [];
  }
}
