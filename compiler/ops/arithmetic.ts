// Arithmetic: add, sub, mul, div, neg, and pow with a constant exponent.
import type { Ops } from "../dsl/ops.ts";
import type { Node } from "../ir/node.ts";
import type { OpDef } from "./def.ts";
import { binary, plus, times, unary } from "./elementwise.ts";

export const add: OpDef<"add"> = binary({
  scalar: (a, b) => a + b,
  expr: (a, b) => `${a} + ${b}`,
  // ā = ȳ, b̄ = ȳ
  vjp: ({ y_bar }) => [y_bar, y_bar],
  // ẏ = ȧ + ḃ
  jvp: ({ g, a_dot, b_dot }) => plus(g, a_dot, b_dot),
});

export const sub: OpDef<"sub"> = binary({
  scalar: (a, b) => a - b,
  expr: (a, b) => `${a} - ${b}`,
  // ā = ȳ, b̄ = −ȳ
  vjp: ({ g, y_bar }) => [y_bar, g.neg(y_bar)],
  // ẏ = ȧ − ḃ
  jvp: ({ g, a_dot, b_dot }) => (b_dot === null ? a_dot : plus(g, a_dot, g.neg(b_dot))),
});

export const mul: OpDef<"mul"> = binary({
  scalar: (a, b) => a * b,
  expr: (a, b) => `${a} * ${b}`,
  // ā = ȳ·b, b̄ = ȳ·a
  vjp: ({ g, a, b, y_bar }) => [g.mul(y_bar, b), g.mul(y_bar, a)],
  // ẏ = ȧ·b + a·ḃ
  jvp: ({ g, a, b, a_dot, b_dot }) => plus(g, times(g, a_dot, b), times(g, b_dot, a)),
});

export const div: OpDef<"div"> = binary({
  scalar: (a, b) => a / b,
  expr: (a, b) => `${a} / ${b}`,
  // ā = ȳ/b, b̄ = −ȳ·y/b   (y = a/b)
  vjp: ({ g, b, y, y_bar }) => [g.div(y_bar, b), g.neg(g.div(g.mul(y_bar, y), b))],
  // ẏ = (ȧ − y·ḃ)/b
  jvp: ({ g, b, y, a_dot, b_dot }) => {
    const numerator = b_dot === null ? a_dot : plus(g, a_dot, g.neg(g.mul(y, b_dot)));
    return numerator === null ? null : g.div(numerator, b);
  },
});

export const neg: OpDef<"neg"> = unary({
  scalar: (x) => -x,
  expr: (x) => `-${x}`,
  // x̄ = −ȳ
  vjp: ({ g, y_bar }) => g.neg(y_bar),
  // ẏ = −ẋ
  jvp: ({ g, x_dot }) => g.neg(x_dot),
});

export const pow: OpDef<"pow"> = unary<"pow">({
  // x*x for squares, in the interpreter and the emitted code alike, so both round the same way
  scalar: (x, { exponent }) => (exponent === 2 ? x * x : x ** exponent),
  expr: (x, { exponent }) => (exponent === 2 ? `${x} * ${x}` : `${x} ** ${literal(exponent)}`),
  // x̄ = ȳ·p·x^(p−1)
  vjp: ({ g, x, y_bar, attrs }) => g.mul(y_bar, slope(g, x, attrs.exponent)),
  // ẏ = ẋ·p·x^(p−1)
  jvp: ({ g, x, x_dot, attrs }) => g.mul(x_dot, slope(g, x, attrs.exponent)),
});

/** p·x^(p−1), the derivative of x^p. */
function slope(g: Ops, x: Node, p: number): Node {
  // x^0 is constant: 0·x^(−1) would be NaN at x = 0 (and x^1's second derivative builds x^0)
  if (p === 0) return g.constant(0);
  return g.mul(p, g.pow(x, p - 1));
}

/** A number as TypeScript source, parenthesised when negative so it composes with any operator. */
export function literal(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "(-Infinity)";
  if (Object.is(value, -0)) return "(-0)";
  return value < 0 ? `(${String(value)})` : String(value);
}
