// Floating-point operations per op, for the compile report: an estimate, not a measurement.
import type { Node, NodeOf, OpName, Region } from "../ir/node.ts";
import { sizeOf } from "../ir/shape.ts";

/** Flops of one node, from its inputs' and output's shapes and its attributes. */
type Cost<K extends OpName> = (node: NodeOf<K>) => number;

/** A transcendental (exp, log, sin, tanh...) counted as a few flops: a polynomial and a range reduction. */
export const transcendentalFlops = 4;

/** `flops` per output element: elementwise ops. */
const perOutput =
  (flops: number) =>
  (node: Node): number =>
    flops * sizeOf(node.shape);

/** `flops` per element of the first input: reductions. */
const perInput =
  (flops: number) =>
  (node: Node): number =>
    flops * sizeOf(node.inputs[0].shape);

/** Leaves, copies, selects and moves: no arithmetic. */
const free = (): number => 0;

const t = transcendentalFlops;

export const opCosts = {
  input: free,
  param: free,
  const: free,
  add: perOutput(1),
  sub: perOutput(1),
  mul: perOutput(1),
  div: perOutput(1),
  // a^b = exp(b·log a)
  power: perOutput(2 * t + 1),
  maximum: perOutput(1),
  minimum: perOutput(1),
  neg: perOutput(1),
  pow: perOutput(t),
  exp: perOutput(t),
  expm1: perOutput(t),
  log: perOutput(t),
  log1p: perOutput(t),
  sin: perOutput(t),
  cos: perOutput(t),
  tanh: perOutput(t),
  sqrt: perOutput(1),
  square: perOutput(1),
  reciprocal: perOutput(1),
  abs: perOutput(1),
  finiteOrZero: perOutput(2),
  sign: perOutput(1),
  relu: perOutput(1),
  // 1 / (1 + exp(−x))
  sigmoid: perOutput(t + 2),
  // max(x, 0) + log1p(exp(−|x|))
  softplus: perOutput(2 * t + 3),
  tan: perOutput(t),
  atan: perOutput(t),
  asin: perOutput(t),
  acos: perOutput(t),
  sinh: perOutput(t),
  cosh: perOutput(t),
  asinh: perOutput(t),
  acosh: perOutput(t),
  atanh: perOutput(t),
  atan2: perOutput(t),
  // series and continued fractions: tens of terms
  erf: perOutput(10 * t),
  erfc: perOutput(10 * t),
  lgamma: perOutput(10 * t),
  // a recurrence up to x ≥ 20 + n, then a series
  polygamma: perOutput(10 * t),
  xlogy: perOutput(t + 1),
  floor: perOutput(1),
  ceil: perOutput(1),
  round: perOutput(2),
  mod: perOutput(3),
  isFinite: perOutput(1),
  isNaN: perOutput(1),
  cumsum: perOutput(1),
  argmax: perInput(1),
  argmin: perInput(1),
  lt: perOutput(1),
  le: perOutput(1),
  gt: perOutput(1),
  ge: perOutput(1),
  eq: perOutput(1),
  where: free,
  cast: free,
  stopGradient: free,
  sum: perInput(1),
  max: perInput(1),
  min: perInput(1),
  prod: perInput(1),
  // max, then exp(x − max) summed, then one log per group
  logsumexp: (node) => (t + 3) * sizeOf(node.inputs[0].shape) + t * sizeOf(node.shape),
  // products before and after each element, and their product
  prodExcept: perInput(3),
  reshape: free,
  transpose: free,
  slice: free,
  pad: free,
  concat: free,
  broadcastTo: free,
  gather: free,
  // one add per update element
  scatterAdd: perInput(1),
  oneHot: free,
  // n multiplies and n adds
  dot: (node) => 2 * sizeOf(node.inputs[0].shape),
  // 2·m·n·k per batch: each output element is a length-k inner product
  matmul: (node) => {
    const a = node.inputs[0].shape;
    const k = node.attrs.transA ? a[a.length - 2] : a[a.length - 1];
    return 2 * k * sizeOf(node.shape);
  },
  custom: free,
  // every step runs the body once
  scan: (node) => node.attrs.length * bodyFlops(node.attrs.body),
  // one branch runs: the dearer one bounds it
  cond: (node) => Math.max(bodyFlops(node.attrs.whenTrue), bodyFlops(node.attrs.whenFalse)),
  // at most maxIterations steps, each a test and a run of the body; the bound bounds it
  while: (node) =>
    node.attrs.maxIterations * (bodyFlops(node.attrs.condition) + bodyFlops(node.attrs.body)) +
    bodyFlops(node.attrs.condition),
} satisfies { [K in OpName]: Cost<K> };

export function flopsOf(node: Node): number {
  return (opCosts[node.op] as Cost<OpName>)(node as never);
}

/** The flops of one run of a loop's body: every node its results reach. */
function bodyFlops(body: Region): number {
  const seen = new Set<number>();
  const stack = [...body.results];
  let total = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    total += flopsOf(node);
    stack.push(...node.inputs);
  }
  return total;
}
