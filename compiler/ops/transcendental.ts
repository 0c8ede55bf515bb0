// Elementary functions. Rules reuse the output y where it is cheaper than recomputing.
import type { OpDef } from "./def.ts";
import { unary } from "./elementwise.ts";
import { pointwiseZero } from "./strongzero.ts";
import { noSparsity } from "./sparsity.ts";

export const exp: OpDef<"exp"> = unary({
  scalar: Math.exp,
  expr: (x) => `Math.exp(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·eˣ = ȳ·y
  vjp: ({ g, y, y_bar }) => g.mul(y_bar, y),
  // ẏ = ẋ·y
  jvp: ({ g, y, x_dot }) => g.mul(x_dot, y),
});

export const log: OpDef<"log"> = unary({
  scalar: Math.log,
  expr: (x) => `Math.log(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ/x
  vjp: ({ g, x, y_bar }) => g.div(y_bar, x),
  // ẏ = ẋ/x
  jvp: ({ g, x, x_dot }) => g.div(x_dot, x),
});

export const sin: OpDef<"sin"> = unary({
  scalar: Math.sin,
  expr: (x) => `Math.sin(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·cos x
  vjp: ({ g, x, y_bar }) => g.mul(y_bar, g.cos(x)),
  // ẏ = ẋ·cos x
  jvp: ({ g, x, x_dot }) => g.mul(x_dot, g.cos(x)),
});

export const cos: OpDef<"cos"> = unary({
  scalar: Math.cos,
  expr: (x) => `Math.cos(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = −ȳ·sin x
  vjp: ({ g, x, y_bar }) => g.neg(g.mul(y_bar, g.sin(x))),
  // ẏ = −ẋ·sin x
  jvp: ({ g, x, x_dot }) => g.neg(g.mul(x_dot, g.sin(x))),
});

export const tanh: OpDef<"tanh"> = unary({
  scalar: Math.tanh,
  expr: (x) => `Math.tanh(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·(1 − y²)
  vjp: ({ g, y, y_bar }) => g.mul(y_bar, g.sub(1, g.mul(y, y))),
  // ẏ = ẋ·(1 − y²)
  jvp: ({ g, y, x_dot }) => g.mul(x_dot, g.sub(1, g.mul(y, y))),
});

export const sqrt: OpDef<"sqrt"> = unary({
  scalar: Math.sqrt,
  expr: (x) => `Math.sqrt(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ/(2y)
  vjp: ({ g, y, y_bar }) => g.div(y_bar, g.mul(2, y)),
  // ẏ = ẋ/(2y)
  jvp: ({ g, y, x_dot }) => g.div(x_dot, g.mul(2, y)),
});

export const expm1: OpDef<"expm1"> = unary({
  scalar: Math.expm1,
  expr: (x) => `Math.expm1(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·eˣ   (not ȳ·(y + 1), which rounds to 0 for x ≪ 0)
  vjp: ({ g, x, y_bar }) => g.mul(y_bar, g.exp(x)),
  // ẏ = ẋ·eˣ
  jvp: ({ g, x, x_dot }) => g.mul(x_dot, g.exp(x)),
});

export const log1p: OpDef<"log1p"> = unary({
  scalar: Math.log1p,
  expr: (x) => `Math.log1p(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ/(1 + x)
  vjp: ({ g, x, y_bar }) => g.div(y_bar, g.add(1, x)),
  // ẏ = ẋ/(1 + x)
  jvp: ({ g, x, x_dot }) => g.div(x_dot, g.add(1, x)),
});

export const square: OpDef<"square"> = unary({
  scalar: (x) => x * x,
  expr: (x) => `${x} * ${x}`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·2x
  vjp: ({ g, x, y_bar }) => g.mul(y_bar, g.mul(2, x)),
  // ẏ = ẋ·2x
  jvp: ({ g, x, x_dot }) => g.mul(x_dot, g.mul(2, x)),
});

export const reciprocal: OpDef<"reciprocal"> = unary({
  scalar: (x) => 1 / x,
  expr: (x) => `1 / ${x}`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = −ȳ·y²   (y = 1/x)
  vjp: ({ g, y, y_bar }) => g.neg(g.mul(y_bar, g.mul(y, y))),
  // ẏ = −ẋ·y²
  jvp: ({ g, y, x_dot }) => g.neg(g.mul(x_dot, g.mul(y, y))),
});

export const abs: OpDef<"abs"> = unary({
  scalar: Math.abs,
  expr: (x) => `Math.abs(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·sign x   (0 at the kink x = 0)
  vjp: ({ g, x, y_bar }) => g.mul(y_bar, g.sign(x)),
  // ẏ = ẋ·sign x
  jvp: ({ g, x, x_dot }) => g.mul(x_dot, g.sign(x)),
});

export const sign: OpDef<"sign"> = unary({
  scalar: Math.sign,
  expr: (x) => `Math.sign(${x})`,
  // strong zero as it stands: no gradient flows
  zeroAdjoint: "bounded",
  // piecewise constant: x̄ = 0 (a structural zero), also at the jump x = 0
  vjp: () => null,
  jvp: () => null,
  sparsity: noSparsity,
});

export const relu: OpDef<"relu"> = unary({
  scalar: (x) => Math.max(x, 0),
  expr: (x) => `Math.max(${x}, 0)`,
  // strong zero as it stands: x̄ selects ȳ or 0
  zeroAdjoint: "bounded",
  // x̄ = where(x > 0, ȳ, 0)   (0 at the kink x = 0)
  vjp: ({ g, x, y_bar }) => g.where(g.gt(x, 0), y_bar, 0),
  // ẏ = where(x > 0, ẋ, 0)
  jvp: ({ g, x, x_dot }) => g.where(g.gt(x, 0), x_dot, 0),
});

export const sigmoid: OpDef<"sigmoid"> = unary({
  scalar: logistic,
  // e^(−|x|) on both sides, so no exp overflows; the same formula as `logistic`
  expr: (x) => `${x} >= 0 ? 1 / (1 + Math.exp(-${x})) : Math.exp(${x}) / (1 + Math.exp(${x}))`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·y·(1 − y)
  vjp: ({ g, y, y_bar }) => g.mul(y_bar, g.mul(y, g.sub(1, y))),
  // ẏ = ẋ·y·(1 − y)
  jvp: ({ g, y, x_dot }) => g.mul(x_dot, g.mul(y, g.sub(1, y))),
});

/** 1/(1 + e^(−x)) without overflow: e^x/(1 + e^x) for x < 0. */
function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export const softplus: OpDef<"softplus"> = unary({
  // log(1 + eˣ) = log1p(e^(−|x|)) + max(x, 0): no overflow for x ≫ 0, no lost digits for x ≪ 0
  scalar: (x) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0),
  expr: (x) => `Math.log1p(Math.exp(-Math.abs(${x}))) + Math.max(${x}, 0)`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·sigmoid(x)
  vjp: ({ g, x, y_bar }) => g.mul(y_bar, g.sigmoid(x)),
  // ẏ = ẋ·sigmoid(x)
  jvp: ({ g, x, x_dot }) => g.mul(x_dot, g.sigmoid(x)),
});
