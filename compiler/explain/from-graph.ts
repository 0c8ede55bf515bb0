// The expression DAG of a scalar node as a symbolic expression over its scalar leaves.
import { AdjointError } from "../errors.ts";
import type { Node } from "../ir/node.ts";
import { formatShape } from "../ir/shape.ts";
import { call, num, power, product, sum, treeSize, variable, type Expr, type Fn } from "./expr.ts";

/** Past this many nodes written out as a tree, a formula is no longer worth reading. */
const maxTreeSize = 20_000;

const functionOps: readonly string[] = [
  "exp",
  "log",
  "sin",
  "cos",
  "tanh",
  "sigmoid",
  "abs",
  "sign",
] satisfies readonly Fn[];

/** Ops whose rank-0 form is the identity on their value. */
const identityOps: readonly string[] = ["stopGradient", "custom", "sum", "reshape", "broadcastTo"];

/** The formula computed by the scalar node `root`; an AdjointError for tensors and other ops. */
export function expressionOf(root: Node, what: string): Expr {
  const memo = new Map<number, Expr>();
  const convert = (node: Node): Expr => {
    const known = memo.get(node.id);
    if (known !== undefined) return known;
    const expr = convertNode(node, node.inputs.map(convert), what);
    memo.set(node.id, expr);
    return expr;
  };
  // inputs first, in id order, so deep graphs do not recurse deeply
  for (const node of dependencies(root)) convert(node);
  const expr = convert(root);
  if (treeSize(expr) > maxTreeSize) {
    throw new AdjointError(
      `explain: ${what} is too large to print as one formula (over ${maxTreeSize} terms written out)`,
    );
  }
  return expr;
}

function convertNode(node: Node, args: readonly Expr[], what: string): Expr {
  checkScalar(node, what);
  const [a, b] = args;
  switch (node.op) {
    case "input":
    case "param":
      return variable(node.attrs.name);
    case "const":
      return num(node.attrs.values[0]);
    case "add":
      return sum([a, b]);
    case "sub":
      return sum([a, product([num(-1), b])]);
    case "mul":
      return product([a, b]);
    case "div":
      return product([a, power(b, num(-1))]);
    case "neg":
      return product([num(-1), a]);
    case "pow":
      return power(a, num(node.attrs.exponent));
    case "square":
      return power(a, num(2));
    case "reciprocal":
      return power(a, num(-1));
    case "sqrt":
      return power(a, num(0.5));
    case "expm1":
      return sum([call("exp", a), num(-1)]);
    case "log1p":
      return call("log", sum([num(1), a]));
    case "softplus":
      return call("log", sum([num(1), call("exp", a)]));
    case "cast":
      if (node.dtype === node.inputs[0].dtype) return a;
      break;
    default:
      if (functionOps.includes(node.op)) return call(node.op as Fn, a);
      if (identityOps.includes(node.op)) return a;
  }
  throw new AdjointError(
    `explain works on scalar graphs of elementwise ops (add, sub, mul, div, neg, pow, exp, log, sin, cos, tanh, sqrt, ...): ${what} uses ${node.op}, which it cannot print as a formula`,
  );
}

/** A tensor leaf passes (as a name); the op that reads it is the one the message names. */
function checkScalar(node: Node, what: string): void {
  if (node.inputs.length === 0) return;
  const tensor = [...node.inputs, node].find((n) => n.shape.length > 0);
  if (tensor === undefined) return;
  throw new AdjointError(
    `explain works on scalar graphs: ${what} applies ${node.op} to a ${tensor.dtype}${formatShape(tensor.shape)} tensor`,
  );
}

function dependencies(root: Node): Node[] {
  const seen = new Map<number, Node>();
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    seen.set(node.id, node);
    stack.push(...node.inputs);
  }
  return [...seen.values()].sort((x, y) => x.id - y.id);
}
