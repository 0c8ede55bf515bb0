// Arithmetic: add, sub, mul, div, neg, pow with a constant exponent, power, maximum and minimum.
import type { OpBuilder } from "./builder.ts";
import type { Node } from "../ir/node.ts";
import type { OpDef } from "./def.ts";
import { binary, plus, times, unary } from "./elementwise.ts";
import { pointwiseZero } from "./strongzero.ts";

export const add: OpDef<"add"> = binary({
  scalar: (a, b) => a + b,
  expr: (a, b) => `${a} + ${b}`,
  // strong zero as it stands: ā and b̄ are ȳ itself
  zeroAdjoint: "bounded",
  // ā = ȳ, b̄ = ȳ
  vjp: ({ y_bar }) => [y_bar, y_bar],
  // ẏ = ȧ + ḃ
  jvp: ({ g, a_dot, b_dot }) => plus(g, a_dot, b_dot),
});

export const sub: OpDef<"sub"> = binary({
  scalar: (a, b) => a - b,
  expr: (a, b) => `${a} - ${b}`,
  // strong zero as it stands: ā and b̄ are ±ȳ
  zeroAdjoint: "bounded",
  // ā = ȳ, b̄ = −ȳ
  vjp: ({ g, y_bar }) => [y_bar, g.neg(y_bar)],
  // ẏ = ȧ − ḃ
  jvp: ({ g, a_dot, b_dot }) => (b_dot === null ? a_dot : plus(g, a_dot, g.neg(b_dot))),
});

export const mul: OpDef<"mul"> = binary({
  scalar: (a, b) => a * b,
  expr: (a, b) => `${a} * ${b}`,
  // ȳ·c needs no guard for a finite constant c; any other factor may be ±∞ or NaN
  zeroAdjoint: pointwiseZero((inputs, k) => constantWhose(inputs[1 - k], Number.isFinite)),
  // ā = ȳ·b, b̄ = ȳ·a
  vjp: ({ g, a, b, y_bar }) => [g.mul(y_bar, b), g.mul(y_bar, a)],
  // ẏ = ȧ·b + a·ḃ
  jvp: ({ g, a, b, a_dot, b_dot }) => plus(g, times(g, a_dot, b), times(g, b_dot, a)),
});

export const div: OpDef<"div"> = binary({
  scalar: (a, b) => a / b,
  expr: (a, b) => `${a} / ${b}`,
  // ȳ/c needs no guard for a finite nonzero constant c (a mean's count)
  zeroAdjoint: pointwiseZero(
    (inputs, k) => k === 0 && constantWhose(inputs[1], (v) => Number.isFinite(v) && v !== 0),
  ),
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
  // strong zero as it stands: x̄ = −ȳ
  zeroAdjoint: "bounded",
  // x̄ = −ȳ
  vjp: ({ g, y_bar }) => g.neg(y_bar),
  // ẏ = −ẋ
  jvp: ({ g, x_dot }) => g.neg(x_dot),
});

export const pow: OpDef<"pow"> = unary<"pow">({
  // x*x for squares, in the interpreter and the emitted code alike, so both round the same way
  scalar: (x, { exponent }) => (exponent === 2 ? x * x : x ** exponent),
  expr: (x, { exponent }) => (exponent === 2 ? `${x} * ${x}` : `${x} ** ${literal(exponent)}`),
  zeroAdjoint: pointwiseZero(),
  // x̄ = ȳ·p·x^(p−1)
  vjp: ({ g, x, y_bar, attrs }) => g.mul(y_bar, slope(g, x, attrs.exponent)),
  // ẏ = ẋ·p·x^(p−1)
  jvp: ({ g, x, x_dot, attrs }) => g.mul(x_dot, slope(g, x, attrs.exponent)),
});

/** A constant whose every value passes `test`: a factor that cannot turn a zero adjoint into NaN. */
function constantWhose(node: Node, test: (value: number) => boolean): boolean {
  return node.op === "const" && node.attrs.values.every(test);
}

/** p·x^(p−1), the derivative of x^p. */
function slope(g: OpBuilder, x: Node, p: number): Node {
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
  // prettier's spelling of an exponent: 1e21, not 1e+21
  const text = String(value).replace("e+", "e");
  return value < 0 ? `(${text})` : text;
}

export const power: OpDef<"power"> = binary({
  scalar: (a, b) => a ** b,
  expr: (a, b) => `${a} ** ${b}`,
  zeroAdjoint: pointwiseZero(),
  // ā = ȳ·b·a^(b−1), b̄ = ȳ·y·log a   (each slope 0 where its formula would give 0·∞)
  vjp: ({ g, a, b, y, y_bar }) => [
    g.mul(y_bar, baseSlope(g, a, b)),
    g.mul(y_bar, exponentSlope(g, a, y)),
  ],
  // ẏ = ȧ·b·a^(b−1) + ḃ·y·log a
  jvp: ({ g, a, b, y, a_dot, b_dot }) =>
    plus(
      g,
      a_dot === null ? null : g.mul(a_dot, baseSlope(g, a, b)),
      b_dot === null ? null : g.mul(b_dot, exponentSlope(g, a, y)),
    ),
});

/**
 * ∂(a^b)/∂a = b·a^(b−1), and 0 where a = b = 0, where 0·0^(−1) would be NaN. Masking only there
 * keeps the slope's own derivative in b, a^(b−1) (1/a at b = 0), for the second order.
 */
function baseSlope(g: OpBuilder, a: Node, b: Node): Node {
  const slope = g.mul(b, g.power(a, g.sub(b, 1)));
  return g.where(g.eq(b, 0), g.where(g.eq(a, 0), 0, slope), slope);
}

/**
 * ∂(a^b)/∂b = a^b·log a, and 0 where a = 0: 0^b is flat in b where it is finite (b > 0), but
 * 0·log 0 would be NaN. For a < 0 it stays NaN: a^b is not real for nearby non-integer b.
 */
function exponentSlope(g: OpBuilder, a: Node, y: Node): Node {
  return g.mul(y, g.log(g.where(g.eq(a, 0), 1, a)));
}

export const maximum: OpDef<"maximum"> = binary({
  scalar: Math.max,
  expr: (a, b) => `Math.max(${a}, ${b})`,
  // strong zero as it stands: the shares are 0, ½ or 1 (NaN included)
  zeroAdjoint: "bounded",
  // ā = ȳ·w, b̄ = ȳ·(1 − w), w = 1 where a > b, ½ on a tie, 0 where a < b
  vjp: ({ g, a, b, y_bar }) => splitBetween(g, y_bar, winnerShare(g, g.gt(a, b), g.eq(a, b))),
  // ẏ = ȧ·w + ḃ·(1 − w)
  jvp: ({ g, a, b, a_dot, b_dot }) =>
    mixTangents(g, a_dot, b_dot, winnerShare(g, g.gt(a, b), g.eq(a, b))),
});

export const minimum: OpDef<"minimum"> = binary({
  scalar: Math.min,
  expr: (a, b) => `Math.min(${a}, ${b})`,
  // strong zero as it stands: the shares are 0, ½ or 1 (NaN included)
  zeroAdjoint: "bounded",
  // ā = ȳ·w, b̄ = ȳ·(1 − w), w = 1 where a < b, ½ on a tie, 0 where a > b
  vjp: ({ g, a, b, y_bar }) => splitBetween(g, y_bar, winnerShare(g, g.lt(a, b), g.eq(a, b))),
  // ẏ = ȧ·w + ḃ·(1 − w)
  jvp: ({ g, a, b, a_dot, b_dot }) =>
    mixTangents(g, a_dot, b_dot, winnerShare(g, g.lt(a, b), g.eq(a, b))),
});

/**
 * The share of the gradient that goes to the first operand of maximum or minimum: 1 where it is
 * chosen, ½ on a tie (so max(x, x) = x has slope 1), 0 elsewhere (NaNs included). Built from
 * comparisons and constants only, it is piecewise constant: its own derivative is zero.
 */
function winnerShare(g: OpBuilder, wins: Node, ties: Node): Node {
  return g.where(wins, 1, g.where(ties, 0.5, 0));
}

/** [ȳ·w, ȳ·(1 − w)]: w and 1 − w are 0, ½ or 1, so the two shares add up to ȳ exactly. */
function splitBetween(g: OpBuilder, y_bar: Node, share: Node): [Node, Node] {
  return [g.mul(y_bar, share), g.mul(y_bar, g.sub(1, share))];
}

/** ȧ·w + ḃ·(1 − w), either tangent possibly a structural zero. */
function mixTangents(
  g: OpBuilder,
  a_dot: Node | null,
  b_dot: Node | null,
  share: Node,
): Node | null {
  return plus(g, times(g, a_dot, share), b_dot === null ? null : g.mul(b_dot, g.sub(1, share)));
}
