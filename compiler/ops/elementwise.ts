// Builders for elementwise op records: shape, eval and the loop come from one scalar function.
import type { AttrsOf, Node, OpName } from "../ir/node.ts";
import type { OpBuilder } from "./builder.ts";
import {
  broadcastAll,
  evalElementwise,
  fitTo,
  type JvpContext,
  type OpDef,
  type VjpContext,
  type ZeroAdjoint,
} from "./def.ts";
import { elementwiseSparsity, type SparsityRule } from "./sparsity.ts";

export interface UnarySpec<K extends OpName> {
  readonly scalar: (x: number, attrs: AttrsOf[K]) => number;
  readonly expr: (x: string, attrs: AttrsOf[K]) => string;
  /** x̄ from ȳ (null: no gradient flows). */
  readonly vjp: (ctx: VjpContext<K> & { readonly x: Node }) => Node | null;
  /** ẏ from ẋ (a null ẋ gives a null ẏ before the rule runs; null: no tangent flows). */
  readonly jvp: (ctx: JvpContext<K> & { readonly x: Node; readonly x_dot: Node }) => Node | null;
  /** Which elements of x each output element depends on: by default its own. */
  readonly sparsity?: SparsityRule<K>;
  /** "bounded" or pointwiseZero(): whether x̄ is exactly 0 where ȳ is, whatever x holds. */
  readonly zeroAdjoint: ZeroAdjoint<K>;
}

export function unary<K extends OpName>(spec: UnarySpec<K>): OpDef<K> {
  return {
    arity: 1,
    shape: ([x]) => x,
    eval: (inputs, attrs, shape) => evalElementwise(inputs, shape, ([x]) => spec.scalar(x, attrs)),
    emit: { kind: "elementwise", expr: ([x], attrs) => spec.expr(x, attrs) },
    vjp: (ctx) => [spec.vjp({ ...ctx, x: ctx.inputs[0] })],
    zeroAdjoint: spec.zeroAdjoint,
    jvp: (ctx) => {
      const x_dot = ctx.dots[0];
      return x_dot === null ? null : spec.jvp({ ...ctx, x: ctx.inputs[0], x_dot });
    },
    // y[i] = f(x[i])
    sparsity: spec.sparsity ?? elementwiseSparsity,
  };
}

export interface BinarySpec<K extends OpName> {
  readonly scalar: (a: number, b: number) => number;
  readonly expr: (a: string, b: string) => string;
  /** [ā, b̄] at the output's shape; broadcast operands are summed back by the record. */
  readonly vjp: (
    ctx: VjpContext<K> & { readonly a: Node; readonly b: Node },
  ) => readonly [Node, Node];
  /** ẏ from ȧ and ḃ, either of which may be a structural zero (null). */
  readonly jvp: (
    ctx: JvpContext<K> & {
      readonly a: Node;
      readonly b: Node;
      readonly a_dot: Node | null;
      readonly b_dot: Node | null;
    },
  ) => Node | null;
  /** "bounded" or pointwiseZero(): whether ā and b̄ are exactly 0 where ȳ is, whatever a and b hold. */
  readonly zeroAdjoint: ZeroAdjoint<K>;
}

export function binary<K extends OpName>(spec: BinarySpec<K>): OpDef<K> {
  return {
    arity: 2,
    shape: (shapes) => broadcastAll(shapes),
    eval: (inputs, _attrs, shape) => evalElementwise(inputs, shape, ([a, b]) => spec.scalar(a, b)),
    emit: { kind: "elementwise", expr: ([a, b]) => spec.expr(a, b) },
    vjp: (ctx) => {
      const [a, b] = ctx.inputs;
      const [a_bar, b_bar] = spec.vjp({ ...ctx, a, b });
      return [fitTo(ctx.g, a_bar, a.shape), fitTo(ctx.g, b_bar, b.shape)];
    },
    zeroAdjoint: spec.zeroAdjoint,
    jvp: (ctx) => {
      const [a, b] = ctx.inputs;
      const [a_dot, b_dot] = ctx.dots;
      const y_dot = spec.jvp({ ...ctx, a, b, a_dot, b_dot });
      return y_dot === null ? null : ctx.g.broadcastTo(y_dot, ctx.y.shape);
    },
    // y[i] = f(a[i], b[i]), broadcast
    sparsity: elementwiseSparsity,
  };
}

/** u + v where either may be a structural zero. */
export function plus(g: OpBuilder, u: Node | null, v: Node | null): Node | null {
  if (u === null) return v;
  if (v === null) return u;
  return g.add(u, v);
}

/** t·factor where the tangent t may be a structural zero. */
export function times(g: OpBuilder, t: Node | null, factor: Node): Node | null {
  return t === null ? null : g.mul(t, factor);
}
