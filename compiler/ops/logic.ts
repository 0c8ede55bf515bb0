// Comparisons (bool outputs, no gradient), selection, type conversion and stopGradient.
import type { DType } from "../ir/node.ts";
import {
  broadcastAll,
  evalElementwise,
  fitTo,
  notDifferentiable,
  ShapeError,
  type OpDef,
} from "./def.ts";
import { unary } from "./elementwise.ts";
import { elementwiseSparsity, noSparsity } from "./sparsity.ts";

const isFloat = (dtype: DType) => dtype === "f64" || dtype === "f32";

type Comparison = "lt" | "le" | "gt" | "ge" | "eq";

/** A comparison: 1 where `holds(a, b)`, else 0, with NumPy broadcasting; `operator` is its TypeScript. */
function comparison<K extends Comparison>(
  holds: (a: number, b: number) => boolean,
  operator: string,
): OpDef<K> {
  return {
    arity: 2,
    dtype: comparedTypes,
    shape: (shapes) => broadcastAll(shapes),
    eval: (inputs, _attrs, shape) =>
      evalElementwise(inputs, shape, ([a, b]) => (holds(a, b) ? 1 : 0)),
    emit: { kind: "elementwise", expr: ([a, b]) => `${a} ${operator} ${b} ? 1 : 0` },
    // strong zero as it stands: no gradient flows
    zeroAdjoint: "bounded",
    // piecewise constant: no gradient flows into either operand (a structural zero, not an error)
    vjp: () => [null, null],
    jvp: () => null,
    // piecewise constant: no dependency
    sparsity: noSparsity,
  };
}

/** Numbers (floats and integers) compare with each other, booleans only with booleans. */
function comparedTypes([a, b]: readonly DType[]): DType {
  if ((a === "bool") !== (b === "bool")) {
    throw new ShapeError(`cannot compare ${a} with ${b} (cast one of them first)`);
  }
  return "bool";
}

export const lt: OpDef<"lt"> = comparison((a, b) => a < b, "<");
export const le: OpDef<"le"> = comparison((a, b) => a <= b, "<=");
export const gt: OpDef<"gt"> = comparison((a, b) => a > b, ">");
export const ge: OpDef<"ge"> = comparison((a, b) => a >= b, ">=");
export const eq: OpDef<"eq"> = comparison((a, b) => a === b, "===");

export const where: OpDef<"where"> = {
  arity: 3,
  dtype: ([cond, a, b]) => {
    if (cond !== "bool") {
      throw new ShapeError(
        `the condition (operand 1) is ${cond}; expected bool (compare with g.gt, g.lt, ... or g.cast(x, "bool"))`,
      );
    }
    if (a !== b)
      throw new ShapeError(`the branches (operands 2 and 3) are ${a} and ${b}; expected one dtype`);
    return a;
  },
  shape: (shapes) => broadcastAll(shapes),
  eval: (inputs, _attrs, shape) => evalElementwise(inputs, shape, ([c, a, b]) => (c !== 0 ? a : b)),
  emit: { kind: "elementwise", expr: ([c, a, b]) => `${c} !== 0 ? ${a} : ${b}` },
  // strong zero as it stands: ā and b̄ select ȳ or 0
  zeroAdjoint: "bounded",
  // c̄: none (c is piecewise constant); ā = where(c, ȳ, 0), b̄ = where(c, 0, ȳ), summed back to their shapes
  vjp: ({ g, inputs: [c, a, b], y_bar }) => [
    null,
    fitTo(g, g.where(c, y_bar, 0), a.shape),
    fitTo(g, g.where(c, 0, y_bar), b.shape),
  ],
  // ẏ = where(c, ȧ, ḃ), a structurally zero tangent standing as 0
  jvp: ({ g, inputs: [c], dots: [, a_dot, b_dot], y }) =>
    a_dot === null && b_dot === null
      ? null
      : g.broadcastTo(g.where(c, a_dot ?? 0, b_dot ?? 0), y.shape),
  // y[i] = c[i] ? a[i] : b[i]
  sparsity: elementwiseSparsity,
};

export const cast: OpDef<"cast"> = {
  arity: 1,
  dtype: (_, { to }, float) => {
    if (isFloat(to) && to !== float)
      throw new ShapeError(`cannot cast to ${to} in a ${float} program`);
    return to;
  },
  shape: ([x]) => x,
  eval: ([x], { to }) => Float64Array.from(x.data, (v) => convert(v, to)),
  emit: {
    kind: "elementwise",
    expr: ([x], { to }) =>
      to === "bool" ? `${x} !== 0 ? 1 : 0` : to === "i32" ? `Math.trunc(${x})` : x,
  },
  // strong zero as it stands: x̄ is ȳ itself
  zeroAdjoint: "bounded",
  // from a float, a float cast is the identity; from booleans and integers nothing flows back
  vjp: ({ inputs: [x], y_bar, y }) => [
    isFloat(x.dtype) && isFloat(y.dtype) ? y_bar : notDifferentiable,
  ],
  jvp: ({ inputs: [x], dots: [x_dot], y }) => (isFloat(x.dtype) && isFloat(y.dtype) ? x_dot : null),
  // y[i] = cast(x[i])
  sparsity: elementwiseSparsity,
};

/** The value of cast(v) for element type `to`, as the emitted code computes it. */
function convert(v: number, to: DType): number {
  if (to === "bool") return v !== 0 ? 1 : 0;
  if (to === "i32") return Math.trunc(v);
  return v;
}

/**
 * x where finite, else 0 (and −0 as +0). Its tangent is the finite part of ẋ too, so a strong-zero
 * guard built from it stays finite in forward mode over reverse (ẋ = 0·∞ at an idle term).
 */
export const finiteOrZero: OpDef<"finiteOrZero"> = unary<"finiteOrZero">({
  scalar: (x) => (Math.abs(x) < Infinity ? x + 0 : 0),
  expr: (x) => `Math.abs(${x}) < Infinity ? ${x} + 0 : 0`,
  // strong zero as it stands: x̄ is ȳ or 0
  zeroAdjoint: "bounded",
  // x̄ = ȳ where x is finite, else 0
  vjp: ({ g, x, y_bar }) => g.where(g.lt(g.abs(x), Infinity), y_bar, 0),
  // ẏ = finiteOrZero(ẋ) where x is finite, else 0
  jvp: ({ g, x, x_dot }) => g.where(g.lt(g.abs(x), Infinity), g.finiteOrZero(x_dot), 0),
});

export const stopGradient: OpDef<"stopGradient"> = unary<"stopGradient">({
  scalar: (x) => x,
  expr: (x) => x,
  // strong zero as it stands: no gradient flows
  zeroAdjoint: "bounded",
  // the value flows, the gradient does not: x̄ = 0 (a structural zero)
  vjp: () => null,
  jvp: () => null,
  // no tangent flows: no dependency
  sparsity: noSparsity,
});
