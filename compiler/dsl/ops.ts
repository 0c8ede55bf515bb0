// The op-building surface shared by the DSL and by derivative rules: g.add(x, y), g.exp(x), ...
import { AdjointError } from "../errors.ts";
import type { Graph, Origin } from "../ir/graph.ts";
import type { AttrsOf, Node, NodeOf, OpName } from "../ir/node.ts";
import { formatShape, isValidShape, sameShape, sizeOf, type Shape } from "../ir/shape.ts";

/** A node, or a number that becomes a scalar constant. */
export type Operand = Node | number;

export interface MatmulOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
}

export class Ops {
  private readonly contexts: Origin[] = [];

  constructor(
    readonly graph: Graph,
    /** Where a node built outside any transform comes from (the DSL captures the user's line). */
    private readonly defaultOrigin: () => Origin = () => ({}),
  ) {}

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

  protected node<K extends OpName>(op: K, inputs: readonly Node[], attrs: AttrsOf[K]): NodeOf<K> {
    return this.graph.intern(op, inputs, attrs, this.origin);
  }

  protected fail(op: string, message: string): never {
    throw new AdjointError(`${op}: ${message}`, this.origin().loc);
  }

  /** A constant: a number fills `shape` (a scalar by default); an array gives every element. */
  constant(
    value: number | readonly number[],
    shape: Shape = typeof value === "number" ? [] : [value.length],
  ): Node {
    if (!isValidShape(shape)) this.fail("const", `shape must be an array of non-negative integers`);
    const values = typeof value === "number" ? [value] : [...value];
    if (!values.every((v) => typeof v === "number")) this.fail("const", `values must be numbers`);
    if (values.length !== 1 && values.length !== sizeOf(shape)) {
      this.fail("const", `${values.length} values do not fill shape ${formatShape(shape)}`);
    }
    return this.node("const", [], { values, shape: [...shape] });
  }

  add(a: Operand, b: Operand): Node {
    return this.node("add", [this.lift("add", a, 1), this.lift("add", b, 2)], {});
  }
  sub(a: Operand, b: Operand): Node {
    return this.node("sub", [this.lift("sub", a, 1), this.lift("sub", b, 2)], {});
  }
  mul(a: Operand, b: Operand): Node {
    return this.node("mul", [this.lift("mul", a, 1), this.lift("mul", b, 2)], {});
  }
  div(a: Operand, b: Operand): Node {
    return this.node("div", [this.lift("div", a, 1), this.lift("div", b, 2)], {});
  }
  neg(x: Operand): Node {
    return this.node("neg", [this.lift("neg", x, 1)], {});
  }
  /** x to a constant power. */
  pow(x: Operand, exponent: number): Node {
    if (typeof exponent !== "number") this.fail("pow", `the exponent must be a number constant`);
    return this.node("pow", [this.lift("pow", x, 1)], { exponent });
  }
  exp(x: Operand): Node {
    return this.node("exp", [this.lift("exp", x, 1)], {});
  }
  log(x: Operand): Node {
    return this.node("log", [this.lift("log", x, 1)], {});
  }
  sin(x: Operand): Node {
    return this.node("sin", [this.lift("sin", x, 1)], {});
  }
  cos(x: Operand): Node {
    return this.node("cos", [this.lift("cos", x, 1)], {});
  }
  tanh(x: Operand): Node {
    return this.node("tanh", [this.lift("tanh", x, 1)], {});
  }
  sqrt(x: Operand): Node {
    return this.node("sqrt", [this.lift("sqrt", x, 1)], {});
  }
  /** The sum of every element. */
  sum(x: Operand): Node {
    const node = this.lift("sum", x, 1);
    return node.shape.length === 0 ? node : this.node("sum", [node], {});
  }
  /** A scalar repeated to `shape`. */
  broadcast(x: Operand, shape: Shape): Node {
    const node = this.lift("broadcast", x, 1);
    if (!isValidShape(shape))
      this.fail("broadcast", `shape must be an array of non-negative integers`);
    return sameShape(node.shape, shape)
      ? node
      : this.node("broadcast", [node], { shape: [...shape] });
  }
  dot(a: Operand, b: Operand): Node {
    return this.node("dot", [this.lift("dot", a, 1), this.lift("dot", b, 2)], {});
  }
  /** op(A)·op(B) for matrices, op transposing where the option says so. */
  matmul(a: Operand, b: Operand, options: MatmulOptions = {}): Node {
    const attrs = { transA: options.transA ?? false, transB: options.transB ?? false };
    return this.node("matmul", [this.lift("matmul", a, 1), this.lift("matmul", b, 2)], attrs);
  }

  protected lift(op: string, value: unknown, position: number): Node {
    if (typeof value === "number") return this.constant(value);
    if (isNode(value)) {
      // checked before interning: a foreign node could otherwise match an existing node's key
      if (!this.graph.has(value)) {
        return this.fail(
          op,
          `operand ${position} belongs to another program (nodes cannot be shared)`,
        );
      }
      return value;
    }
    return this.fail(op, `operand ${position} must be a node or a number, got ${describe(value)}`);
  }
}

function isNode(value: unknown): value is Node {
  return (
    typeof value === "object" &&
    value !== null &&
    "op" in value &&
    "shape" in value &&
    "id" in value
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array (use g.constant([...]) for tensor constants)`;
  return typeof value;
}
