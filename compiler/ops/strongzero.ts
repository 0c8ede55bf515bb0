// Strong-zero partials for ops whose derivative may be ±∞ or NaN: a term ȳ[o]·∂y[o]/∂x[i] with
// ȳ[o] = 0 counts as exactly 0, so the side of a select that is not taken sends back nothing.
import type { OpBuilder } from "./builder.ts";
import type { Node, OpName } from "../ir/node.ts";
import { sameShape } from "../ir/shape.ts";
import {
  fitTo,
  notDifferentiable,
  type NotDifferentiable,
  type Partials,
  type StrongZeroContext,
  type ZeroAdjoint,
} from "./def.ts";

type Partial = Node | null | NotDifferentiable;

/** A partial that is a node (not a structural zero, not a non-differentiable input). */
export function isNodePartial(part: Partial): part is Node {
  return part !== null && part !== notDifferentiable;
}

/** 1 where ȳ ≠ 0 (NaN included), 0 where ȳ is ±0: which output elements still carry an adjoint. */
export function nonzero(g: OpBuilder, y_bar: Node): Node {
  return g.where(g.eq(y_bar, 0), 0, 1);
}

/**
 * `z` where it is finite, else 0. Where ȳ is 0 a term ȳ·f' is 0 or (f' = ±∞, NaN) NaN: this keeps
 * the 0 and, unlike a constant 0, its derivative in ȳ (f' where f' is finite), so a second order
 * taken where ȳ happens to be 0 (a stationary point) loses no term.
 */
export function finiteOrZero(g: OpBuilder, z: Node): Node {
  return g.finiteOrZero(z);
}

/** `part` where `idle` is false; where it is true, `part` if finite, else 0 (see finiteOrZero). */
export function zeroWhere(g: OpBuilder, idle: Node, part: Partial): Partial {
  return isNodePartial(part) ? g.where(idle, finiteOrZero(g, part), part) : part;
}

/**
 * Elementwise ops: a partial element is ȳ at one output element times a factor. Each partial is
 * built at the output's shape (a broadcast input widened first), kept where ȳ ≠ 0, and only then
 * summed back over the broadcast axes, so no 0·∞ reaches the sum. `finite(inputs, k)` says the
 * factor of input k is finite whatever the values (x·c for a finite constant c): no guard there.
 */
export function pointwiseZero<K extends OpName>(
  finite?: (inputs: readonly Node[], k: number) => boolean,
): ZeroAdjoint<K> {
  return ({ g, y, inputs, y_bar, rule }) => {
    const idle = g.eq(y_bar, 0);
    return rule(inputs, y_bar).map((part, k) => {
      const x = inputs[k];
      if (!isNodePartial(part) || finite?.(inputs, k)) return part;
      if (sameShape(x.shape, y.shape)) return zeroWhere(g, idle, part);
      const widened = inputs.map((input, j) => (j === k ? g.broadcastTo(input, y.shape) : input));
      const wide = rule(widened, y_bar)[k] as Node;
      return fitTo(g, zeroWhere(g, idle, wide) as Node, x.shape);
    });
  };
}

/** Ops whose every input element reaches every output element (dot, custom rules): 0 when all of ȳ is. */
export function wholeZero<K extends OpName>({
  g,
  inputs,
  y_bar,
  rule,
}: StrongZeroContext<K>): Partials {
  const idle = y_bar.shape.length === 0 ? g.eq(y_bar, 0) : g.eq(g.sum(nonzero(g, y_bar)), 0);
  return rule(inputs, y_bar).map((part) => zeroWhere(g, idle, part));
}

type Reduction = "max" | "min" | "prod" | "logsumexp";

/**
 * Reductions over `axes`: each input element reaches the one output element of its group, so its
 * partial is kept where that element's ȳ ≠ 0 (ȳ reshaped with the reduced axes kept as 1).
 */
export function reducedZero<K extends Reduction>(ctx: StrongZeroContext<K>): Partials {
  const { g, inputs, y_bar, rule, attrs } = ctx;
  const [x] = inputs;
  const kept = x.shape.map((size, axis) => (attrs.axes.includes(axis) ? 1 : size));
  const idle = g.eq(g.reshape(y_bar, kept), 0);
  return rule(inputs, y_bar).map((part) => zeroWhere(g, idle, part));
}

/**
 * prodExcept over `axes`: each input element reaches every output element of its group, so its
 * partial is 0 when the whole group's ȳ is.
 */
export function groupZero({
  g,
  inputs,
  y_bar,
  rule,
  attrs,
}: StrongZeroContext<"prodExcept">): Partials {
  const idle = g.eq(g.sum(nonzero(g, y_bar), attrs.axes, true), 0);
  return rule(inputs, y_bar).map((part) => zeroWhere(g, idle, part));
}
