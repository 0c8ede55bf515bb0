// The builder that op records build their derivative rules through: one method per registered op
// (dsl/ops.ts's Ops implements it), so ops/ never imports the DSL.
import type { Graph } from "../ir/graph.ts";
import type { DType, Node } from "../ir/node.ts";
import type { Shape } from "../ir/shape.ts";

/** A node, or a number that becomes a scalar constant. */
export type Operand = Node | number;

/** Axes to reduce: one, several (negative counts from the end), or all when omitted. */
export type Axes = number | readonly number[];

export interface MatmulOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
}

export interface OpBuilder {
  readonly graph: Graph;
  /** Throws an AdjointError for `op`, at the line being built. */
  fail(op: string, message: string): never;
  constant(value: number | readonly number[], shape?: Shape, dtype?: DType): Node;
  add(a: Operand, b: Operand): Node;
  sub(a: Operand, b: Operand): Node;
  mul(a: Operand, b: Operand): Node;
  div(a: Operand, b: Operand): Node;
  power(a: Operand, b: Operand): Node;
  maximum(a: Operand, b: Operand): Node;
  minimum(a: Operand, b: Operand): Node;
  pow(x: Operand, exponent: number): Node;
  neg(x: Operand): Node;
  exp(x: Operand): Node;
  expm1(x: Operand): Node;
  log(x: Operand): Node;
  log1p(x: Operand): Node;
  sin(x: Operand): Node;
  cos(x: Operand): Node;
  tanh(x: Operand): Node;
  sqrt(x: Operand): Node;
  square(x: Operand): Node;
  reciprocal(x: Operand): Node;
  abs(x: Operand): Node;
  sign(x: Operand): Node;
  relu(x: Operand): Node;
  sigmoid(x: Operand): Node;
  softplus(x: Operand): Node;
  tan(x: Operand): Node;
  atan(x: Operand): Node;
  asin(x: Operand): Node;
  acos(x: Operand): Node;
  sinh(x: Operand): Node;
  cosh(x: Operand): Node;
  asinh(x: Operand): Node;
  acosh(x: Operand): Node;
  atanh(x: Operand): Node;
  atan2(a: Operand, b: Operand): Node;
  erf(x: Operand): Node;
  erfc(x: Operand): Node;
  lgamma(x: Operand): Node;
  /** ψ⁽ⁿ⁾(x), n = order ≥ 0 (0: digamma). */
  polygamma(order: number, x: Operand): Node;
  xlogy(x: Operand, y: Operand): Node;
  floor(x: Operand): Node;
  ceil(x: Operand): Node;
  round(x: Operand): Node;
  mod(a: Operand, b: Operand): Node;
  isFinite(x: Operand): Node;
  isNaN(x: Operand): Node;
  cumsum(x: Operand, axis?: number, reverse?: boolean): Node;
  stopGradient(x: Operand): Node;
  finiteOrZero(x: Operand): Node;
  lt(a: Operand, b: Operand): Node;
  le(a: Operand, b: Operand): Node;
  gt(a: Operand, b: Operand): Node;
  ge(a: Operand, b: Operand): Node;
  eq(a: Operand, b: Operand): Node;
  where(cond: Node, a: Operand, b: Operand): Node;
  cast(x: Operand, to: DType): Node;
  sum(x: Operand, axes?: Axes, keepDims?: boolean): Node;
  max(x: Operand, axes?: Axes, keepDims?: boolean): Node;
  min(x: Operand, axes?: Axes, keepDims?: boolean): Node;
  prod(x: Operand, axes?: Axes, keepDims?: boolean): Node;
  logsumexp(x: Operand, axes?: Axes, keepDims?: boolean): Node;
  prodExcept(x: Operand, axes?: Axes): Node;
  /** Sum over `axes` divided by their element count. */
  mean(x: Operand, axes?: Axes, keepDims?: boolean): Node;
  reshape(x: Operand, shape: Shape): Node;
  transpose(x: Operand, perm?: readonly number[]): Node;
  slice(x: Operand, begin: readonly number[], end: readonly number[]): Node;
  pad(x: Operand, before: readonly number[], after: readonly number[]): Node;
  concat(xs: readonly Operand[], axis?: number): Node;
  broadcastTo(x: Operand, shape: Shape): Node;
  gather(x: Operand, indices: Node, axis?: number): Node;
  scatterAdd(updates: Operand, indices: Node, axis: number, shape: Shape): Node;
  oneHot(labels: Node, depth: number): Node;
  dot(a: Operand, b: Operand): Node;
  matmul(a: Operand, b: Operand, options?: MatmulOptions): Node;
}
