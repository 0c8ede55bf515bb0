// Rewrite rules as data, each named by the identity it applies. Only identities exact in IEEE arithmetic.
import type { Ops } from "../dsl/ops.ts";
import { isConst, isConstExactly, type Node } from "../ir/node.ts";
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
  rule("--x -> x", (n) =>
    n.op === "neg" && n.inputs[0].op === "neg" ? n.inputs[0].inputs[0] : undefined,
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
