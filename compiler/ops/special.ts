// Special functions: erf, erfc, log|Γ|, the polygamma family and xlogy. Values come from the
// runtime's float64 implementations (runtime/special.ts), which the interpreter calls too, so the
// generated code and the reference agree bit for bit. Each derivative is another op of the family:
// lgamma' = ψ, ψ⁽ⁿ⁾' = ψ⁽ⁿ⁺¹⁾, so every order closes.
import { special } from "@adjoint/runtime/core";
import type { OpBuilder } from "./builder.ts";
import type { Node } from "../ir/node.ts";
import type { OpDef } from "./def.ts";
import { binary, plus, unary } from "./elementwise.ts";
import { pointwiseZero } from "./strongzero.ts";

const twoOverSqrtPi = 2 / Math.sqrt(Math.PI);

/** erf'(x) = 2/√π·e^(−x²). */
function gaussianSlope(g: OpBuilder, x: Node): Node {
  return g.mul(twoOverSqrtPi, g.exp(g.neg(g.square(x))));
}

export const erf: OpDef<"erf"> = unary({
  scalar: special.erf,
  expr: (x) => `special.erf(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·2/√π·e^(−x²)
  vjp: ({ g, x, y_bar }) => g.mul(y_bar, gaussianSlope(g, x)),
  // ẏ = ẋ·2/√π·e^(−x²)
  jvp: ({ g, x, x_dot }) => g.mul(x_dot, gaussianSlope(g, x)),
});

export const erfc: OpDef<"erfc"> = unary({
  scalar: special.erfc,
  expr: (x) => `special.erfc(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = −ȳ·2/√π·e^(−x²)
  vjp: ({ g, x, y_bar }) => g.neg(g.mul(y_bar, gaussianSlope(g, x))),
  // ẏ = −ẋ·2/√π·e^(−x²)
  jvp: ({ g, x, x_dot }) => g.neg(g.mul(x_dot, gaussianSlope(g, x))),
});

export const lgamma: OpDef<"lgamma"> = unary({
  scalar: special.lgamma,
  expr: (x) => `special.lgamma(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·ψ(x)   (d log|Γ| = Γ'/Γ on both signs of Γ)
  vjp: ({ g, x, y_bar }) => g.mul(y_bar, g.polygamma(0, x)),
  // ẏ = ẋ·ψ(x)
  jvp: ({ g, x, x_dot }) => g.mul(x_dot, g.polygamma(0, x)),
});

export const polygamma: OpDef<"polygamma"> = unary<"polygamma">({
  scalar: (x, { order }) => special.polygamma(order, x),
  expr: (x, { order }) => `special.polygamma(${order}, ${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·ψ⁽ⁿ⁺¹⁾(x)
  vjp: ({ g, x, y_bar, attrs }) => g.mul(y_bar, g.polygamma(attrs.order + 1, x)),
  // ẏ = ẋ·ψ⁽ⁿ⁺¹⁾(x)
  jvp: ({ g, x, x_dot, attrs }) => g.mul(x_dot, g.polygamma(attrs.order + 1, x)),
});

/**
 * x/y, and 0 where x = y = 0: ∂(x·log y)/∂y, which is 0 wherever x = 0 (the value is 0 there for
 * every y). Written x·(1/y), so that its own x-derivative stays 1/y at x = 0 (y ≠ 0).
 */
function xOverY(g: OpBuilder, x: Node, y: Node): Node {
  const inverse = g.reciprocal(y);
  return g.mul(x, g.where(g.eq(x, 0), g.where(g.eq(y, 0), 0, inverse), inverse));
}

/** x·log y, 0 wherever x = 0; ∂/∂x is log y (−∞ at y = 0, as the function's own slope). */
export const xlogy: OpDef<"xlogy"> = binary({
  scalar: (x, y) => (x === 0 ? 0 : x * Math.log(y)),
  expr: (x, y) => `${x} === 0 ? 0 : ${x} * Math.log(${y})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·log y, ȳ_y = ȳ·x/y   (0 where x = 0)
  vjp: ({ g, a, b, y_bar }) => [g.mul(y_bar, g.log(b)), g.mul(y_bar, xOverY(g, a, b))],
  // ẏ = ẋ·log y + ẏ_y·x/y
  jvp: ({ g, a, b, a_dot, b_dot }) =>
    plus(
      g,
      a_dot === null ? null : g.mul(a_dot, g.log(b)),
      b_dot === null ? null : g.mul(b_dot, xOverY(g, a, b)),
    ),
});
