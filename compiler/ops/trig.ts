// Trigonometric and hyperbolic functions and their inverses. Each is Math's own function in the
// interpreter and the emitted code alike; rules reuse y where that is cheaper than recomputing.
import type { OpBuilder } from "./builder.ts";
import type { Node } from "../ir/node.ts";
import type { OpDef } from "./def.ts";
import { binary, plus, unary } from "./elementwise.ts";
import { pointwiseZero } from "./strongzero.ts";

export const tan: OpDef<"tan"> = unary({
  scalar: Math.tan,
  expr: (x) => `Math.tan(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·(1 + y²)
  vjp: ({ g, y, y_bar }) => g.mul(y_bar, g.add(1, g.square(y))),
  // ẏ = ẋ·(1 + y²)
  jvp: ({ g, y, x_dot }) => g.mul(x_dot, g.add(1, g.square(y))),
});

export const atan: OpDef<"atan"> = unary({
  scalar: Math.atan,
  expr: (x) => `Math.atan(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ/(1 + x²)
  vjp: ({ g, x, y_bar }) => g.div(y_bar, g.add(1, g.square(x))),
  // ẏ = ẋ/(1 + x²)
  jvp: ({ g, x, x_dot }) => g.div(x_dot, g.add(1, g.square(x))),
});

/** √(1 − x²) as √((1 − x)(1 + x)): no digits lost to 1 − x² near |x| = 1. */
function cosOfAsin(g: OpBuilder, x: Node): Node {
  return g.sqrt(g.mul(g.sub(1, x), g.add(1, x)));
}

export const asin: OpDef<"asin"> = unary({
  scalar: Math.asin,
  expr: (x) => `Math.asin(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ/√(1 − x²)
  vjp: ({ g, x, y_bar }) => g.div(y_bar, cosOfAsin(g, x)),
  // ẏ = ẋ/√(1 − x²)
  jvp: ({ g, x, x_dot }) => g.div(x_dot, cosOfAsin(g, x)),
});

export const acos: OpDef<"acos"> = unary({
  scalar: Math.acos,
  expr: (x) => `Math.acos(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = −ȳ/√(1 − x²)
  vjp: ({ g, x, y_bar }) => g.neg(g.div(y_bar, cosOfAsin(g, x))),
  // ẏ = −ẋ/√(1 − x²)
  jvp: ({ g, x, x_dot }) => g.neg(g.div(x_dot, cosOfAsin(g, x))),
});

export const sinh: OpDef<"sinh"> = unary({
  scalar: Math.sinh,
  expr: (x) => `Math.sinh(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·cosh x
  vjp: ({ g, x, y_bar }) => g.mul(y_bar, g.cosh(x)),
  // ẏ = ẋ·cosh x
  jvp: ({ g, x, x_dot }) => g.mul(x_dot, g.cosh(x)),
});

export const cosh: OpDef<"cosh"> = unary({
  scalar: Math.cosh,
  expr: (x) => `Math.cosh(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·sinh x
  vjp: ({ g, x, y_bar }) => g.mul(y_bar, g.sinh(x)),
  // ẏ = ẋ·sinh x
  jvp: ({ g, x, x_dot }) => g.mul(x_dot, g.sinh(x)),
});

export const asinh: OpDef<"asinh"> = unary({
  scalar: Math.asinh,
  expr: (x) => `Math.asinh(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ/√(x² + 1)
  vjp: ({ g, x, y_bar }) => g.div(y_bar, g.sqrt(g.add(g.square(x), 1))),
  // ẏ = ẋ/√(x² + 1)
  jvp: ({ g, x, x_dot }) => g.div(x_dot, g.sqrt(g.add(g.square(x), 1))),
});

/** √(x² − 1) as √((x − 1)(x + 1)): no digits lost near x = 1. */
function sinhOfAcosh(g: OpBuilder, x: Node): Node {
  return g.sqrt(g.mul(g.sub(x, 1), g.add(x, 1)));
}

export const acosh: OpDef<"acosh"> = unary({
  scalar: Math.acosh,
  expr: (x) => `Math.acosh(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ/√(x² − 1)
  vjp: ({ g, x, y_bar }) => g.div(y_bar, sinhOfAcosh(g, x)),
  // ẏ = ẋ/√(x² − 1)
  jvp: ({ g, x, x_dot }) => g.div(x_dot, sinhOfAcosh(g, x)),
});

export const atanh: OpDef<"atanh"> = unary({
  scalar: Math.atanh,
  expr: (x) => `Math.atanh(${x})`,
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ/(1 − x²) = ȳ/((1 − x)(1 + x))
  vjp: ({ g, x, y_bar }) => g.div(y_bar, g.mul(g.sub(1, x), g.add(1, x))),
  // ẏ = ẋ/((1 − x)(1 + x))
  jvp: ({ g, x, x_dot }) => g.div(x_dot, g.mul(g.sub(1, x), g.add(1, x))),
});

/** 1/(a² + b²), and 0 at the origin, where atan2 jumps: the zero subgradient there, not NaN. */
function inverseRadiusSquared(g: OpBuilder, a: Node, b: Node): Node {
  const r2 = g.add(g.square(a), g.square(b));
  const origin = g.eq(r2, 0);
  return g.where(origin, 0, g.reciprocal(g.where(origin, 1, r2)));
}

export const atan2: OpDef<"atan2"> = binary({
  scalar: Math.atan2,
  expr: (a, b) => `Math.atan2(${a}, ${b})`,
  zeroAdjoint: pointwiseZero(),
  // ā = ȳ·b/(a² + b²), b̄ = −ȳ·a/(a² + b²)   (0 at the origin)
  vjp: ({ g, a, b, y_bar }) => {
    const scale = g.mul(y_bar, inverseRadiusSquared(g, a, b));
    return [g.mul(scale, b), g.neg(g.mul(scale, a))];
  },
  // ẏ = (ȧ·b − ḃ·a)/(a² + b²)
  jvp: ({ g, a, b, a_dot, b_dot }) => {
    const numerator = plus(
      g,
      a_dot === null ? null : g.mul(a_dot, b),
      b_dot === null ? null : g.neg(g.mul(b_dot, a)),
    );
    return numerator === null ? null : g.mul(numerator, inverseRadiusSquared(g, a, b));
  },
});
