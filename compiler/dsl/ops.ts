// The op-building surface shared by the DSL and by derivative rules: g.add(x, y), g.exp(x), ...
import type { Graph, Origin } from "../ir/graph.ts";
import type { DType, Node } from "../ir/node.ts";
import { formatShape, sameShape, type Shape } from "../ir/shape.ts";
import type { Axes, MatmulOptions, OpBuilder, Operand } from "../ops/builder.ts";
import { describeValue, flag } from "./arguments.ts";
import { composite } from "./composite.ts";
import { MathOps, type MathBinaryOp, type MathUnaryOp } from "./math.ts";
import * as nn from "./nn.ts";

export type { ArgSpec } from "./regions.ts";
export type { GeluOptions, NormOptions } from "./math.ts";

export type { Axes, MatmulOptions, Operand } from "../ops/builder.ts";

/**
 * A rewrite applied to every unary and binary node as it is built (the stabilize rules, handed
 * in from the layer that owns them): the replacement, or undefined when it does not match.
 */
export interface BuildRule {
  readonly name: string;
  readonly apply: (node: Node, g: Ops) => Node | undefined;
}

type UnaryOp =
  | "neg"
  | "exp"
  | "expm1"
  | "log"
  | "log1p"
  | "sin"
  | "cos"
  | "tanh"
  | "sqrt"
  | "square"
  | "reciprocal"
  | "abs"
  | "sign"
  | "relu"
  | "sigmoid"
  | "softplus"
  | "stopGradient"
  | "finiteOrZero";
type BinaryOp = "add" | "sub" | "mul" | "div" | "power" | "maximum" | "minimum";
type CompareOp = "lt" | "le" | "gt" | "ge" | "eq";
type ReduceOp = "sum" | "max" | "min" | "prod" | "logsumexp";

export class Ops extends MathOps implements OpBuilder {
  constructor(
    root: Graph,
    /** Rewrites every new unary and binary node goes through (the stabilize rules; [] for none). */
    readonly buildRules: readonly BuildRule[],
    /** Where a node built outside any transform comes from (the DSL captures the user's line). */
    defaultOrigin: () => Origin = () => ({}),
  ) {
    super(root, defaultOrigin);
  }

  /**
   * Every unary and binary node goes through the build rules until none matches, so a gradient
   * taken in the DSL differentiates log1p(x) rather than log(1 + x). Rules build through this
   * same builder, so one rewrite may complete another (log(1 + eˣ) -> log1p(eˣ) -> softplus).
   */
  protected stabilized(node: Node): Node {
    let current = node;
    for (let step = 0; step < 100; step++) {
      const next = this.firstRewrite(current);
      if (next === undefined) return current;
      current = next;
    }
    throw new Error(`stabilize: rules do not terminate on ${node.op} %${node.id}`);
  }

  private firstRewrite(node: Node): Node | undefined {
    for (const candidate of this.buildRules) {
      const result = candidate.apply(node, this);
      if (result !== undefined && result !== node) return result;
    }
    return undefined;
  }

  // ---- elementwise ----

  add(a: Operand, b: Operand): Node {
    return this.binary("add", a, b);
  }
  sub(a: Operand, b: Operand): Node {
    return this.binary("sub", a, b);
  }
  mul(a: Operand, b: Operand): Node {
    return this.binary("mul", a, b);
  }
  div(a: Operand, b: Operand): Node {
    return this.binary("div", a, b);
  }
  /** a^b with a tensor exponent (use pow for a constant one). */
  power(a: Operand, b: Operand): Node {
    return this.binary("power", a, b);
  }
  maximum(a: Operand, b: Operand): Node {
    return this.binary("maximum", a, b);
  }
  minimum(a: Operand, b: Operand): Node {
    return this.binary("minimum", a, b);
  }
  /** x limited to [lo, hi]. */
  clamp(x: Operand, lo: Operand, hi: Operand): Node {
    const operands = [
      this.lift("clamp", x, 1),
      this.lift("clamp", lo, 2),
      this.lift("clamp", hi, 3),
    ];
    const [value, low, high] = operands;
    return composite("clamp", operands, () => this.minimum(this.maximum(value, low), high));
  }
  /** x to a constant power. */
  pow(x: Operand, exponent: number): Node {
    if (typeof exponent !== "number") {
      this.fail("pow", `the exponent must be a number constant, got ${describeValue(exponent)}`);
    }
    return this.node("pow", [this.lift("pow", x, 1)], { exponent });
  }
  neg(x: Operand): Node {
    return this.unary("neg", x);
  }
  exp(x: Operand): Node {
    return this.unary("exp", x);
  }
  /** exp(x) − 1, accurate near 0. */
  expm1(x: Operand): Node {
    return this.unary("expm1", x);
  }
  log(x: Operand): Node {
    return this.unary("log", x);
  }
  /** log(1 + x), accurate near 0. */
  log1p(x: Operand): Node {
    return this.unary("log1p", x);
  }
  sin(x: Operand): Node {
    return this.unary("sin", x);
  }
  cos(x: Operand): Node {
    return this.unary("cos", x);
  }
  tanh(x: Operand): Node {
    return this.unary("tanh", x);
  }
  sqrt(x: Operand): Node {
    return this.unary("sqrt", x);
  }
  square(x: Operand): Node {
    return this.unary("square", x);
  }
  reciprocal(x: Operand): Node {
    return this.unary("reciprocal", x);
  }
  abs(x: Operand): Node {
    return this.unary("abs", x);
  }
  sign(x: Operand): Node {
    return this.unary("sign", x);
  }
  relu(x: Operand): Node {
    return this.unary("relu", x);
  }
  sigmoid(x: Operand): Node {
    return this.unary("sigmoid", x);
  }
  softplus(x: Operand): Node {
    return this.unary("softplus", x);
  }
  /** The value of x, through which no gradient flows (detach). */
  stopGradient(x: Operand): Node {
    return this.unary("stopGradient", x);
  }

  /** x where it is finite, else 0 (−0 as +0); its derivatives are the finite parts too. */
  finiteOrZero(x: Operand): Node {
    return this.unary("finiteOrZero", x);
  }

  // ---- comparisons and selection ----

  lt(a: Operand, b: Operand): Node {
    return this.binary("lt", a, b);
  }
  le(a: Operand, b: Operand): Node {
    return this.binary("le", a, b);
  }
  gt(a: Operand, b: Operand): Node {
    return this.binary("gt", a, b);
  }
  ge(a: Operand, b: Operand): Node {
    return this.binary("ge", a, b);
  }
  eq(a: Operand, b: Operand): Node {
    return this.binary("eq", a, b);
  }
  /** a where cond is true, b elsewhere; the three broadcast together. */
  where(cond: Node, a: Operand, b: Operand): Node {
    const inputs = [
      this.lift("where", cond, 1),
      this.lift("where", a, 2),
      this.lift("where", b, 3),
    ];
    return this.node("where", inputs, {});
  }
  /** x converted to another element type. */
  cast(x: Operand, to: DType): Node {
    const node = this.lift("cast", x, 1);
    this.dtypeArg("cast", to);
    return node.dtype === to ? node : this.node("cast", [node], { to });
  }

  // ---- reductions ----

  /** Sum over `axes` (all by default). */
  sum(x: Operand, axes?: Axes, keepDims = false): Node {
    return this.reduce("sum", x, axes, keepDims);
  }
  max(x: Operand, axes?: Axes, keepDims = false): Node {
    return this.reduce("max", x, axes, keepDims);
  }
  min(x: Operand, axes?: Axes, keepDims = false): Node {
    return this.reduce("min", x, axes, keepDims);
  }
  prod(x: Operand, axes?: Axes, keepDims = false): Node {
    return this.reduce("prod", x, axes, keepDims);
  }
  /** log Σ exp over `axes`, stable for large inputs. */
  logsumexp(x: Operand, axes?: Axes, keepDims = false): Node {
    return this.reduce("logsumexp", x, axes, keepDims);
  }
  mean(x: Operand, axes?: Axes, keepDims = false): Node {
    const node = this.lift("mean", x, 1);
    const normalized = this.axes("mean", node, axes);
    flag(keepDims, "keepDims", (message) => this.fail("mean", message));
    const count = normalized.reduce((n, axis) => n * node.shape[axis], 1);
    return composite("mean", [node], () => this.div(this.sum(node, normalized, keepDims), count));
  }
  /** For each element, the product of the others in its group along `axes`. */
  prodExcept(x: Operand, axes?: Axes): Node {
    const node = this.lift("prodExcept", x, 1);
    return this.node("prodExcept", [node], { axes: this.axes("prodExcept", node, axes) });
  }

  // ---- movement ----

  /** The same elements in a new shape; one dimension may be -1 (inferred). */
  reshape(x: Operand, shape: Shape): Node {
    const node = this.lift("reshape", x, 1);
    const resolved = this.inferDim(node, this.integers("reshape", shape, "shape"));
    return sameShape(node.shape, resolved)
      ? node
      : this.node("reshape", [node], { shape: resolved });
  }
  /** Axes permuted (reversed by default). */
  transpose(x: Operand, perm?: readonly number[]): Node {
    const node = this.lift("transpose", x, 1);
    const order =
      perm === undefined
        ? node.shape.map((_, axis) => node.shape.length - 1 - axis)
        : this.integers("transpose", perm, "perm");
    const identity = order.length === node.shape.length && order.every((axis, i) => axis === i);
    return identity ? node : this.node("transpose", [node], { perm: [...order] });
  }
  /** Elements [begin, end) along every axis. */
  slice(x: Operand, begin: readonly number[], end: readonly number[]): Node {
    const node = this.lift("slice", x, 1);
    const [from, to] = [this.integers("slice", begin, "begin"), this.integers("slice", end, "end")];
    return this.node("slice", [node], { begin: from, end: to });
  }
  /** x surrounded by `before` and `after` zeros per axis. */
  pad(x: Operand, before: readonly number[], after: readonly number[]): Node {
    const node = this.lift("pad", x, 1);
    const [low, high] = [
      this.integers("pad", before, "before"),
      this.integers("pad", after, "after"),
    ];
    return this.node("pad", [node], { before: low, after: high });
  }
  /** Inputs joined along `axis`. */
  concat(xs: readonly Operand[], axis = 0): Node {
    const nodes = this.operandList("concat", xs);
    if (nodes.length === 0) this.fail("concat", `needs at least one input`);
    if (nodes.length === 1) return nodes[0];
    return this.node("concat", nodes, { axis: this.axis("concat", nodes[0].shape.length, axis) });
  }
  /** Inputs of one shape stacked along a new `axis`. */
  stack(xs: readonly Operand[], axis = 0): Node {
    const nodes = this.operandList("stack", xs);
    if (nodes.length === 0) this.fail("stack", `needs at least one input`);
    const other = nodes.findIndex((node) => !sameShape(node.shape, nodes[0].shape));
    if (other >= 0) {
      const [first, second] = [formatShape(nodes[0].shape), formatShape(nodes[other].shape)];
      this.fail(
        "stack",
        `operand ${other + 1} has shape ${second} and operand 1 has ${first}; stacked operands share one shape`,
      );
    }
    const at = this.axis("stack", nodes[0].shape.length + 1, axis);
    const grown = (node: Node) => [...node.shape.slice(0, at), 1, ...node.shape.slice(at)];
    return composite("stack", nodes, () =>
      this.concat(
        nodes.map((node) => this.reshape(node, grown(node))),
        at,
      ),
    );
  }
  /** x broadcast (NumPy rules) to `shape`. */
  broadcastTo(x: Operand, shape: Shape): Node {
    const node = this.lift("broadcastTo", x, 1);
    this.checkShape("broadcastTo", shape);
    return sameShape(node.shape, shape)
      ? node
      : this.node("broadcastTo", [node], { shape: [...shape] });
  }
  /** x indexed along `axis` by integer `indices` (an embedding lookup for axis 0). */
  gather(x: Operand, indices: Node, axis = 0): Node {
    const node = this.lift("gather", x, 1);
    const at = this.axis("gather", node.shape.length, axis);
    return this.node("gather", [node, this.lift("gather", indices, 2)], { axis: at });
  }
  /** `updates` added into zeros of `shape` at `indices` along `axis` (gather's adjoint). */
  scatterAdd(updates: Operand, indices: Node, axis: number, shape: Shape): Node {
    const inputs = [this.lift("scatterAdd", updates, 1), this.lift("scatterAdd", indices, 2)];
    this.checkShape("scatterAdd", shape);
    return this.node("scatterAdd", inputs, {
      axis: this.axis("scatterAdd", shape.length, axis),
      shape: [...shape],
    });
  }
  /** Integer labels to one-hot rows of length `depth`. */
  oneHot(labels: Node, depth: number): Node {
    if (!Number.isInteger(depth) || depth < 1) {
      this.fail("oneHot", `depth must be a positive integer, got ${describeValue(depth)}`);
    }
    return this.node("oneHot", [this.lift("oneHot", labels, 1)], { depth });
  }

  // ---- linear algebra ----

  dot(a: Operand, b: Operand): Node {
    return this.node("dot", [this.lift("dot", a, 1), this.lift("dot", b, 2)], {});
  }
  /** op(A)·op(B) over the last two axes, op transposing where the option says; batch axes broadcast. */
  matmul(a: Operand, b: Operand, options: MatmulOptions = {}): Node {
    if (typeof options !== "object" || options === null) {
      this.fail(
        "matmul",
        `options must be a record { transA, transB }, got ${describeValue(options)}`,
      );
    }
    const option = (value: unknown, name: string) =>
      flag(value ?? false, name, (message) => this.fail("matmul", message));
    const attrs = {
      transA: option(options.transA, "transA"),
      transB: option(options.transB, "transB"),
    };
    return this.node("matmul", [this.lift("matmul", a, 1), this.lift("matmul", b, 2)], attrs);
  }
  /** a ⊗ b for vectors: an [n, m] matrix. */
  outer(a: Operand, b: Operand): Node {
    const [u, v] = [this.lift("outer", a, 1), this.lift("outer", b, 2)];
    if (u.shape.length !== 1 || v.shape.length !== 1) {
      this.fail(
        "outer",
        `expects two vectors, got ${formatShape(u.shape)} and ${formatShape(v.shape)}`,
      );
    }
    return composite("outer", [u, v], () =>
      this.mul(this.reshape(u, [u.shape[0], 1]), this.reshape(v, [1, v.shape[0]])),
    );
  }

  // ---- neural-network losses and activations, composed from the ops above ----

  softmax(x: Operand, axis = -1): Node {
    const node = this.lift("softmax", x, 1);
    return composite("softmax", [node], () => nn.softmax(this, node, axis));
  }
  logSoftmax(x: Operand, axis = -1): Node {
    const node = this.lift("logSoftmax", x, 1);
    return composite("logSoftmax", [node], () => nn.logSoftmax(this, node, axis));
  }
  /** Per-row −log softmax(logits)[label]; labels are integers [...] or one-hot rows like logits. */
  softmaxCrossEntropy(logits: Operand, labels: Node): Node {
    const op = "softmaxCrossEntropy";
    const operands = [this.lift(op, logits, 1), this.lift(op, labels, 2)];
    return composite(op, operands, () => nn.softmaxCrossEntropy(this, operands[0], operands[1]));
  }
  /** mean((prediction − target)²) over every element. */
  meanSquaredError(prediction: Operand, target: Operand): Node {
    const op = "meanSquaredError";
    const operands = [this.lift(op, prediction, 1), this.lift(op, target, 2)];
    return composite(op, operands, () => nn.meanSquaredError(this, operands[0], operands[1]));
  }

  // ---- helpers ----

  protected get builder(): OpBuilder {
    return this;
  }

  protected unary(op: UnaryOp | MathUnaryOp, x: Operand): Node {
    // a union of more ops than TypeScript distributes NodeOf over: the node is one of them
    return this.stabilized(this.node(op, [this.lift(op, x, 1)], {}) as Node);
  }

  protected binary(op: BinaryOp | CompareOp | MathBinaryOp, a: Operand, b: Operand): Node {
    return this.stabilized(this.node(op, [this.lift(op, a, 1), this.lift(op, b, 2)], {}));
  }

  private reduce(op: ReduceOp, x: Operand, axes: Axes | undefined, keepDims: boolean): Node {
    const node = this.lift(op, x, 1);
    const normalized = this.axes(op, node, axes);
    flag(keepDims, "keepDims", (message) => this.fail(op, message));
    if (normalized.length === 0 && op !== "logsumexp") return node;
    return this.node(op, [node], { axes: normalized, keepDims });
  }
}
