// Rounding, the floored remainder and the finiteness tests. Piecewise constant functions have a
// zero derivative (a structural zero, also at their jumps), and isFinite/isNaN give booleans.
import { special } from "@adjoint/runtime/core";
import type { DType } from "../ir/node.ts";
import { evalElementwise, ShapeError, type OpDef } from "./def.ts";
import { binary, plus, unary } from "./elementwise.ts";
import { pointwiseZero } from "./strongzero.ts";
import { noSparsity } from "./sparsity.ts";

type Step = "floor" | "ceil" | "round";

/** A step function: its derivative is 0 everywhere it exists, and taken as 0 at the jumps. */
function step<K extends Step>(
  scalar: (x: number) => number,
  expr: (x: string) => string,
): OpDef<K> {
  return unary<K>({
    scalar,
    expr,
    // strong zero as it stands: no gradient flows
    zeroAdjoint: "bounded",
    // piecewise constant: x̄ = 0 (a structural zero)
    vjp: () => null,
    jvp: () => null,
    sparsity: noSparsity,
  });
}

export const floor: OpDef<"floor"> = step(Math.floor, (x) => `Math.floor(${x})`);
export const ceil: OpDef<"ceil"> = step(Math.ceil, (x) => `Math.ceil(${x})`);
/** Ties to even: round(0.5) = 0, round(1.5) = 2, round(−2.5) = −2 (NumPy's, JAX's and IEEE's). */
export const round: OpDef<"round"> = step(
  special.roundHalfEven,
  (x) => `special.roundHalfEven(${x})`,
);

export const mod: OpDef<"mod"> = binary({
  scalar: special.floorMod,
  expr: (a, b) => `special.floorMod(${a}, ${b})`,
  // floor(a/b) is ±∞ or NaN where b = 0
  zeroAdjoint: pointwiseZero(),
  // ā = ȳ, b̄ = −ȳ·floor(a/b)   (mod(a, b) = a − b·floor(a/b), floor's slope 0)
  vjp: ({ g, a, b, y_bar }) => [y_bar, g.neg(g.mul(y_bar, g.floor(g.div(a, b))))],
  // ẏ = ȧ − ḃ·floor(a/b)
  jvp: ({ g, a, b, a_dot, b_dot }) =>
    plus(g, a_dot, b_dot === null ? null : g.neg(g.mul(b_dot, g.floor(g.div(a, b))))),
});

/** A test of each element of a float tensor: 1 where it holds, else 0, as booleans. */
function test<K extends "isFinite" | "isNaN">(
  holds: (x: number) => boolean,
  expr: (x: string) => string,
): OpDef<K> {
  return {
    arity: 1,
    dtype: ([x], _attrs, float) => floatOperand(x, float),
    shape: ([x]) => x,
    eval: (inputs, _attrs, shape) => evalElementwise(inputs, shape, ([x]) => (holds(x) ? 1 : 0)),
    emit: { kind: "elementwise", expr: ([x]) => expr(x) },
    // strong zero as it stands: no gradient flows
    zeroAdjoint: "bounded",
    // a boolean output: no gradient flows into x (a structural zero, not an error)
    vjp: () => [null],
    jvp: () => null,
    sparsity: noSparsity,
  };
}

function floatOperand(x: DType, float: DType): DType {
  if (x !== float) throw new ShapeError(`the operand is ${x}; expected ${float} (use g.cast)`);
  return "bool";
}

export const isFinite: OpDef<"isFinite"> = test(
  Number.isFinite,
  (x) => `Number.isFinite(${x}) ? 1 : 0`,
);
export const isNaN: OpDef<"isNaN"> = test(Number.isNaN, (x) => `${x} !== ${x} ? 1 : 0`);
