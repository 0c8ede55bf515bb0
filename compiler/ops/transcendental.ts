// Elementary functions. Rules reuse the output y where it is cheaper than recomputing.
import type { OpDef } from "./def.ts";
import { unary } from "./elementwise.ts";

export const exp: OpDef<"exp"> = unary({
  scalar: Math.exp,
  expr: (x) => `Math.exp(${x})`,
  // x̄ = ȳ·eˣ = ȳ·y
  vjp: ({ g, y, y_bar }) => g.mul(y_bar, y),
  // ẏ = ẋ·y
  jvp: ({ g, y, x_dot }) => g.mul(x_dot, y),
});

export const log: OpDef<"log"> = unary({
  scalar: Math.log,
  expr: (x) => `Math.log(${x})`,
  // x̄ = ȳ/x
  vjp: ({ g, x, y_bar }) => g.div(y_bar, x),
  // ẏ = ẋ/x
  jvp: ({ g, x, x_dot }) => g.div(x_dot, x),
});

export const sin: OpDef<"sin"> = unary({
  scalar: Math.sin,
  expr: (x) => `Math.sin(${x})`,
  // x̄ = ȳ·cos x
  vjp: ({ g, x, y_bar }) => g.mul(y_bar, g.cos(x)),
  // ẏ = ẋ·cos x
  jvp: ({ g, x, x_dot }) => g.mul(x_dot, g.cos(x)),
});

export const cos: OpDef<"cos"> = unary({
  scalar: Math.cos,
  expr: (x) => `Math.cos(${x})`,
  // x̄ = −ȳ·sin x
  vjp: ({ g, x, y_bar }) => g.neg(g.mul(y_bar, g.sin(x))),
  // ẏ = −ẋ·sin x
  jvp: ({ g, x, x_dot }) => g.neg(g.mul(x_dot, g.sin(x))),
});

export const tanh: OpDef<"tanh"> = unary({
  scalar: Math.tanh,
  expr: (x) => `Math.tanh(${x})`,
  // x̄ = ȳ·(1 − y²)
  vjp: ({ g, y, y_bar }) => g.mul(y_bar, g.sub(1, g.mul(y, y))),
  // ẏ = ẋ·(1 − y²)
  jvp: ({ g, y, x_dot }) => g.mul(x_dot, g.sub(1, g.mul(y, y))),
});

export const sqrt: OpDef<"sqrt"> = unary({
  scalar: Math.sqrt,
  expr: (x) => `Math.sqrt(${x})`,
  // x̄ = ȳ/(2y)
  vjp: ({ g, y, y_bar }) => g.div(y_bar, g.mul(2, y)),
  // ẏ = ẋ/(2y)
  jvp: ({ g, y, x_dot }) => g.div(x_dot, g.mul(2, y)),
});
