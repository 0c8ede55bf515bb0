// Stabilize: rewrites into ops that stay finite and accurate where the written formula overflows
// or cancels. Unlike the algebraic rules these change values, for the better (log(Σ exp x) is
// Infinity at x = 1000, logsumexp(x) is not). The Ops builder is handed them and applies them as nodes are built, so
// gradients taken in the DSL differentiate the stable form; the pipeline runs them again as a pass.
import type { Ops } from "../dsl/ops.ts";
import { isConst, type Node } from "../ir/node.ts";
import { rule, type Rule } from "./rules.ts";

/** `x` widened to the shape of the node it replaces (a smaller operand may stand for a broadcast one). */
function as(g: Ops, node: Node, x: Node): Node {
  return g.broadcastTo(x, node.shape);
}

/** The other operand of an `add` whose one operand is the constant 1, if any. */
function onePlus(node: Node): Node | undefined {
  if (node.op !== "add") return undefined;
  if (isConst(node.inputs[0], 1)) return node.inputs[1];
  if (isConst(node.inputs[1], 1)) return node.inputs[0];
  return undefined;
}

/** x for −x written as neg(x), (−1)·x or x·(−1). */
function negated(node: Node): Node | undefined {
  if (node.op === "neg") return node.inputs[0];
  if (node.op !== "mul") return undefined;
  if (isConst(node.inputs[0], -1)) return node.inputs[1];
  if (isConst(node.inputs[1], -1)) return node.inputs[0];
  return undefined;
}

/** x for a denominator 1 + exp(−x) (either order of the sum). */
function logisticDenominator(node: Node): Node | undefined {
  const term = onePlus(node);
  return term?.op === "exp" ? negated(term.inputs[0]) : undefined;
}

export const stabilizeRules: readonly Rule[] = [
  rule("log(sum(exp(x))) -> logsumexp(x)", (n, g) => {
    if (n.op !== "log" || n.inputs[0].op !== "sum") return undefined;
    const total = n.inputs[0];
    if (total.op !== "sum" || total.inputs[0].op !== "exp") return undefined;
    return g.logsumexp(total.inputs[0].inputs[0], total.attrs.axes, total.attrs.keepDims);
  }),
  // also log(softmax(x)) -> logSoftmax(x): softmax is built as exp(logSoftmax(x))
  rule("log(exp(x)) -> x", (n) =>
    n.op === "log" && n.inputs[0].op === "exp" ? n.inputs[0].inputs[0] : undefined,
  ),
  // before log(1+x): log(1 + exp(x)) becomes log1p(exp(x)), which this rule then finishes
  rule("log1p(exp(x)) -> softplus(x)", (n, g) =>
    n.op === "log1p" && n.inputs[0].op === "exp" ? g.softplus(n.inputs[0].inputs[0]) : undefined,
  ),
  rule("log(1+x) -> log1p(x)", (n, g) => {
    if (n.op !== "log") return undefined;
    const x = onePlus(n.inputs[0]);
    return x === undefined ? undefined : g.log1p(as(g, n, x));
  }),
  rule("exp(x)-1 -> expm1(x)", (n, g) =>
    n.op === "sub" && n.inputs[0].op === "exp" && isConst(n.inputs[1], 1)
      ? as(g, n, g.expm1(n.inputs[0].inputs[0]))
      : undefined,
  ),
  rule("1/(1+exp(-x)) -> sigmoid(x)", (n, g) => {
    if (n.op !== "div" || !isConst(n.inputs[0], 1)) return undefined;
    const x = logisticDenominator(n.inputs[1]);
    return x === undefined ? undefined : as(g, n, g.sigmoid(x));
  }),
  rule("reciprocal(1+exp(-x)) -> sigmoid(x)", (n, g) => {
    if (n.op !== "reciprocal") return undefined;
    const x = logisticDenominator(n.inputs[0]);
    return x === undefined ? undefined : as(g, n, g.sigmoid(x));
  }),
];
