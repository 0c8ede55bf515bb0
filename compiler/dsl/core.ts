// The builder's machinery under the op surface: where nodes go (the program's graph or a loop
// body being built), where they come from, and the argument checks every DSL call shares.
import path from "node:path";
import { OpError } from "../errors.ts";
import type { Graph, Origin } from "../ir/graph.ts";
import type {
  AttrsOf,
  CondAttrs,
  DType,
  Node,
  NodeOf,
  OpName,
  Region,
  ScanAttrs,
  WhileAttrs,
} from "../ir/node.ts";
import { formatShape, isValidShape, sizeOf, type Shape } from "../ir/shape.ts";
import type { Axes } from "../ops/builder.ts";
import { isRuleNode } from "../ops/rule-scope.ts";
import {
  describe,
  describeValue,
  integerList,
  isNode,
  normalizeAxes,
  normalizeAxis,
  resolveReshape,
} from "./arguments.ts";
import { RegionStack, type ArgSpec } from "./regions.ts";

const dtypes: readonly DType[] = ["f64", "f32", "i32", "bool"];

export class BuilderCore {
  private readonly contexts: Origin[] = [];
  /** Bodies being built: nodes go into the innermost one's graph. */
  private readonly bodies: RegionStack;

  /** Whether a loop body is being built (its nodes go into the body's graph). */
  get insideRegion(): boolean {
    return this.bodies.inside;
  }

  /** The graph new nodes go into: the program's, or the body being built. */
  get graph(): Graph {
    return this.bodies.graph;
  }

  constructor(
    root: Graph,
    /** Where a node built outside any transform comes from (the DSL captures the user's line). */
    private readonly defaultOrigin: () => Origin = () => ({}),
  ) {
    this.bodies = new RegionStack(root);
  }

  /** Builds nodes inside `fn` as coming from `origin` (used by transforms for adjoints and tangents). */
  within<T>(origin: Origin, fn: () => T): T {
    this.contexts.push(origin);
    try {
      return fn();
    } finally {
      this.contexts.pop();
    }
  }

  protected origin = (): Origin => this.contexts.at(-1) ?? this.defaultOrigin();

  /**
   * A body built by `fn` from its args, in a graph of its own. An operand from an enclosing graph
   * is captured: it becomes an arg (after `args`) and, in `captured`, an input of the loop.
   */
  region(
    args: readonly ArgSpec[],
    fn: (args: readonly Node[]) => readonly Node[],
  ): { readonly region: Region; readonly captured: readonly Node[] } {
    return this.bodies.build(args, this.origin, (nodes) =>
      fn(nodes).map((result, k) => this.lift("body result", result, k + 1)),
    );
  }

  /** `value` as a node of the graph being built: an outer value is captured into the body. */
  local(value: Node, op = "body"): Node {
    return this.lift(op, value, 1);
  }

  /** A cond node over two regions built by `region` (see CondAttrs for its inputs and value). */
  condNode(inputs: readonly Node[], attrs: CondAttrs): Node {
    return this.node("cond", inputs, attrs);
  }

  /** A scan node over a region built by `region` (see ScanAttrs for its inputs and value). */
  scanNode(inputs: readonly Node[], attrs: ScanAttrs): Node {
    return this.node("scan", inputs, attrs);
  }

  /** A while node over a condition and a body built by `region` (see WhileAttrs). */
  whileNode(inputs: readonly Node[], attrs: WhileAttrs): Node {
    return this.node("while", inputs, attrs);
  }

  protected node<K extends OpName>(op: K, inputs: readonly Node[], attrs: AttrsOf[K]): NodeOf<K> {
    return this.graph.intern(op, inputs, attrs, this.origin);
  }

  /** The user's line being built, as `file.ts:12` (empty when unknown): what run-time errors name. */
  userLine(): string {
    const loc = this.origin().loc;
    return loc === undefined ? "" : `${path.basename(loc.file)}:${loc.line}`;
  }

  fail(op: string, message: string): never {
    throw new OpError(op, message, "", this.origin().loc);
  }

  // ---- leaves ----

  /** A constant: a number fills `shape` (a scalar by default); an array gives every element. */
  constant(
    value: number | readonly number[],
    shape: Shape = typeof value === "number" ? [] : [value.length],
    dtype: DType = this.graph.dtype,
  ): Node {
    this.checkShape("const", shape);
    const values = typeof value === "number" ? [value] : [...value];
    if (!values.every((v) => typeof v === "number")) this.fail("const", `values must be numbers`);
    this.dtypeArg("const", dtype);
    if (values.length !== 1 && values.length !== sizeOf(shape)) {
      this.fail("const", `${values.length} values do not fill shape ${formatShape(shape)}`);
    }
    return this.node("const", [], { values, shape: [...shape], dtype });
  }

  /** Sorted, non-negative, distinct axes of `node`; all of them when `axes` is omitted. */
  axes(op: string, node: Node, axes: Axes | undefined): number[] {
    return normalizeAxes(node.shape.length, axes, (message) => this.fail(op, message));
  }

  /** `axis` in [0, rank), counting negative ones from the end. */
  axis(op: string, rank: number, axis: number): number {
    return normalizeAxis(rank, axis, (message) => this.fail(op, message));
  }

  /** A list of integers argument of `op`, named `what` in the error. */
  protected integers(op: string, value: unknown, what: string): number[] {
    return integerList(value, what, (message) => this.fail(op, message));
  }

  /** The operands of a variadic op, which must come as a list. */
  protected operandList(op: string, xs: unknown): Node[] {
    if (!Array.isArray(xs)) this.fail(op, `expects a list of operands, got ${describeValue(xs)}`);
    return (xs as unknown[]).map((x, i) => this.lift(op, x, i + 1));
  }

  /** An element type by name (whether the program can hold it is the op's rule). */
  protected dtypeArg(op: string, dtype: unknown): void {
    if (!dtypes.includes(dtype as DType)) {
      const names = dtypes.map((name) => `"${name}"`).join(", ");
      this.fail(op, `dtype must be one of ${names}, got ${describeValue(dtype)}`);
    }
  }

  protected inferDim(node: Node, shape: Shape): Shape {
    return resolveReshape(node.shape, shape, (message) => this.fail("reshape", message));
  }

  protected checkShape(op: string, shape: Shape): void {
    if (!isValidShape(shape)) {
      this.fail(op, `shape must be an array of non-negative integers, got ${describeValue(shape)}`);
    }
  }

  protected lift(op: string, value: unknown, position: number): Node {
    if (typeof value === "number") return this.constant(value);
    if (isNode(value)) {
      // checked before interning: a foreign node could otherwise match an existing node's key
      if (!this.graph.has(value)) {
        const captured = this.bodies.capture(value);
        if (captured !== undefined) return captured;
        const why = isRuleNode(value)
          ? "a customVjp rule must build with its own ctx.g, not a builder it closes over"
          : "nodes cannot be shared";
        return this.fail(op, `operand ${position} belongs to another program (${why})`);
      }
      return value;
    }
    return this.fail(op, `operand ${position} must be a node or a number, got ${describe(value)}`);
  }
}
