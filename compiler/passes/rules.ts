// Rewrite rules as data, each named by the identity it applies. Only identities exact in IEEE arithmetic.
import type { Ops } from "../dsl/ops.ts";
import { isConst, isConstExactly, type Node, type NodeOf } from "../ir/node.ts";
import { broadcastShapes, sameShape } from "../ir/shape.ts";

export interface Rule {
  readonly name: string;
  /** The replacement for `node`, or undefined when the rule does not match. */
  readonly apply: (node: Node, g: Ops) => Node | undefined;
}

export function rule(name: string, apply: Rule["apply"]): Rule {
  return { name, apply };
}

/** `x` widened to the shape of the node it replaces (a smaller operand may stand for a broadcast one). */
function as(g: Ops, node: Node, x: Node): Node {
  return g.broadcastTo(x, node.shape);
}

const binaryOps = { add: "add", sub: "sub", mul: "mul", div: "div" } as const;

function unbroadcastOperand(node: Node, g: Ops, position: 0 | 1): Node | undefined {
  if (!(node.op in binaryOps)) return undefined;
  const operand = node.inputs[position];
  const other = node.inputs[1 - position];
  if (operand.op !== "broadcastTo") return undefined;
  const inner = operand.inputs[0];
  // only when the op's own broadcasting rebuilds the same output shape
  const joined = broadcastShapes(other.shape, inner.shape);
  if (joined === undefined || !sameShape(joined, node.shape)) return undefined;
  const op = binaryOps[node.op as keyof typeof binaryOps];
  return position === 1 ? g[op](other, inner) : g[op](inner, other);
}

/** The power-of-two coefficient c ≥ 1 in magnitude of a term c·x (x alone is 1·x, −x is −1·x). */
function term(node: Node): { coefficient: number; x: Node } {
  if (node.op === "neg") return { coefficient: -1, x: node.inputs[0] };
  if (node.op === "mul") {
    const [a, b] = node.inputs;
    if (isScalarConst(a)) return { coefficient: a.attrs.values[0], x: b };
    if (isScalarConst(b)) return { coefficient: b.attrs.values[0], x: a };
  }
  return { coefficient: 1, x: node };
}

/** c·x for a product with a constant of one value (a scalar, or a splat of any shape). */
function scaling(node: Node): { coefficient: number; x: Node } | undefined {
  if (node.op !== "mul") return undefined;
  const [a, b] = node.inputs;
  const splat = (c: Node) => c.op === "const" && c.attrs.values.length === 1;
  if (splat(a) && a.op === "const" && !splat(b)) return { coefficient: a.attrs.values[0], x: b };
  if (splat(b) && b.op === "const" && !splat(a)) return { coefficient: b.attrs.values[0], x: a };
  return undefined;
}

function isScalarConst(node: Node): node is NodeOf<"const"> & Node {
  return node.op === "const" && node.shape.length === 0;
}

/** ±2^k with k ≥ 0: multiplying by it is exact unless it overflows. */
function isWholePowerOfTwo(c: number): boolean {
  const magnitude = Math.abs(c);
  return magnitude >= 1 && Number.isFinite(magnitude) && Math.log2(magnitude) % 1 === 0;
}

/**
 * a·x + b·x -> (a+b)·x, exact when a and b are powers of two ≥ 1 of one sign: a·x and b·x are then
 * exact (or overflow to the same infinity as (a+b)·x), a+b is exact, so both sides are the exact
 * (a+b)·x rounded once; signed zeros, infinities and NaN agree too. Other coefficients would round
 * a·x and b·x separately (and 2·x − x overflows where x does not), so they stay as written.
 */
function mergeTerms(node: Node, g: Ops): Node | undefined {
  if (node.op !== "add" || node.inputs[0] === node.inputs[1]) return undefined;
  const [p, q] = node.inputs.map(term);
  if (p.x !== q.x || (p.coefficient === 1 && q.coefficient === 1)) return undefined;
  const exact =
    isWholePowerOfTwo(p.coefficient) &&
    isWholePowerOfTwo(q.coefficient) &&
    Math.sign(p.coefficient) === Math.sign(q.coefficient);
  return exact ? as(g, node, g.mul(p.coefficient + q.coefficient, p.x)) : undefined;
}

/**
 * a·(b·x) -> (a·b)·x for constants b = ±2^k (k ≥ 0) and |a| ≥ 1: b·x is exact (or overflows), a·b
 * is exact, so both sides are a·b·x rounded once, and where b·x overflows so does a·b·x (|a| ≥ 1).
 * An a below 1 could bring an overflowed b·x back into range, and a b that rounds rounds twice.
 */
function mergeScalings(node: Node, g: Ops): Node | undefined {
  const outer = scaling(node);
  const inner = outer === undefined ? undefined : scaling(outer.x);
  if (outer === undefined || inner === undefined) return undefined;
  const a = outer.coefficient;
  const b = inner.coefficient;
  if (!isWholePowerOfTwo(b) || !(Math.abs(a) >= 1)) return undefined;
  if (!Number.isFinite(a * b)) return undefined;
  return as(g, node, g.mul(a * b, inner.x));
}

/** Permutation p then q is one permutation: axis i of the result is axis p[q[i]] of the input. */
function composeTransposes(node: Node, g: Ops): Node | undefined {
  if (node.op !== "transpose" || node.inputs[0].op !== "transpose") return undefined;
  const inner = node.inputs[0];
  if (inner.op !== "transpose") return undefined;
  return g.transpose(
    inner.inputs[0],
    node.attrs.perm.map((axis) => inner.attrs.perm[axis]),
  );
}

/** Run before constant folding: they need no interpreter and keep a splat a splat. */
export const beforeFoldingRules: readonly Rule[] = [
  rule("broadcastTo(c) -> c", (n, g) => {
    if (n.op !== "broadcastTo") return undefined;
    const c = n.inputs[0];
    return c.op === "const" && c.attrs.values.length === 1
      ? g.constant(c.attrs.values[0], n.shape, c.dtype)
      : undefined;
  }),
];

export const algebraicRules: readonly Rule[] = [
  rule("x*1 -> x", (n, g) =>
    n.op === "mul" && isConst(n.inputs[1], 1) ? as(g, n, n.inputs[0]) : undefined,
  ),
  rule("1*x -> x", (n, g) =>
    n.op === "mul" && isConst(n.inputs[0], 1) ? as(g, n, n.inputs[1]) : undefined,
  ),
  rule("x*-1 -> -x", (n, g) =>
    n.op === "mul" && isConst(n.inputs[1], -1) ? as(g, n, g.neg(n.inputs[0])) : undefined,
  ),
  rule("-1*x -> -x", (n, g) =>
    n.op === "mul" && isConst(n.inputs[0], -1) ? as(g, n, g.neg(n.inputs[1])) : undefined,
  ),
  rule("x/1 -> x", (n, g) =>
    n.op === "div" && isConst(n.inputs[1], 1) ? as(g, n, n.inputs[0]) : undefined,
  ),
  // Signed zeros decide which additive identities are exact: x + (-0) is x for every x, but
  // x + 0 turns -0 into +0, so "x+0 -> x" is deliberately absent.
  rule("x+(-0) -> x", (n, g) =>
    n.op === "add" && isConstExactly(n.inputs[1], -0) ? as(g, n, n.inputs[0]) : undefined,
  ),
  rule("(-0)+x -> x", (n, g) =>
    n.op === "add" && isConstExactly(n.inputs[0], -0) ? as(g, n, n.inputs[1]) : undefined,
  ),
  rule("x-0 -> x", (n, g) =>
    n.op === "sub" && isConstExactly(n.inputs[1], 0) ? as(g, n, n.inputs[0]) : undefined,
  ),
  rule("(-0)-x -> -x", (n, g) =>
    n.op === "sub" && isConstExactly(n.inputs[0], -0) ? as(g, n, g.neg(n.inputs[1])) : undefined,
  ),
  rule("x+x -> 2*x", (n, g) =>
    n.op === "add" && n.inputs[0] === n.inputs[1] ? g.mul(2, n.inputs[0]) : undefined,
  ),
  rule("a*x+b*x -> (a+b)*x", mergeTerms),
  // x − x is absent: Infinity − Infinity and NaN − NaN are NaN, not 0, and finiteness is unknown
  rule("--x -> x", (n) =>
    n.op === "neg" && n.inputs[0].op === "neg" ? n.inputs[0].inputs[0] : undefined,
  ),
  rule("a*(b*x) -> (a*b)*x", mergeScalings),
  // negation is exact and rounding is symmetric, so a sign moves out of a product or into a sum
  rule("(-x)*y -> -(x*y)", (n, g) =>
    n.op === "mul" && n.inputs[0].op === "neg" && !isScalarConst(n.inputs[1])
      ? g.neg(g.mul(n.inputs[0].inputs[0], n.inputs[1]))
      : undefined,
  ),
  rule("x*(-y) -> -(x*y)", (n, g) =>
    n.op === "mul" && n.inputs[1].op === "neg" && !isScalarConst(n.inputs[0])
      ? g.neg(g.mul(n.inputs[0], n.inputs[1].inputs[0]))
      : undefined,
  ),
  rule("x+(-y) -> x-y", (n, g) =>
    n.op === "add" && n.inputs[1].op === "neg"
      ? g.sub(n.inputs[0], n.inputs[1].inputs[0])
      : undefined,
  ),
  rule("(-x)+y -> y-x", (n, g) =>
    n.op === "add" && n.inputs[0].op === "neg" && n.inputs[1].op !== "neg"
      ? g.sub(n.inputs[1], n.inputs[0].inputs[0])
      : undefined,
  ),
  rule("transpose(transpose(x)) -> transpose(x)", composeTransposes),
  rule("reshape(reshape(x)) -> reshape(x)", (n, g) =>
    n.op === "reshape" && n.inputs[0].op === "reshape"
      ? g.reshape(n.inputs[0].inputs[0], n.shape)
      : undefined,
  ),
  rule("x^1 -> x", (n) => (n.op === "pow" && n.attrs.exponent === 1 ? n.inputs[0] : undefined)),
  // x**0 is 1 for every x in IEEE arithmetic, NaN included
  rule("x^0 -> 1", (n, g) =>
    n.op === "pow" && n.attrs.exponent === 0 ? g.constant(1, n.shape) : undefined,
  ),
  // elementwise ops broadcast scalars themselves: no need to materialise the broadcast
  rule("x∘broadcastTo(s) -> x∘s", (n, g) => unbroadcastOperand(n, g, 1)),
  rule("broadcastTo(s)∘x -> s∘x", (n, g) => unbroadcastOperand(n, g, 0)),
  // passes run after differentiation, so a stopped gradient has nothing left to stop
  rule("stopGradient(x) -> x", (n) => (n.op === "stopGradient" ? n.inputs[0] : undefined)),
  // 0*x is not one of them: 0*Infinity is NaN, so it only folds when x is a constant
  // a custom node only steers differentiation, which is over once the passes run
  rule("custom(y, ...) -> y", (n) => (n.op === "custom" ? n.inputs[0] : undefined)),
];
