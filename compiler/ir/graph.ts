// An append-only graph of interned nodes: building the same expression twice returns the same node.
import { AdjointError, OpError, type SourceLoc } from "../errors.ts";
import type { AttrsOf, DType, FloatType, Node, NodeOf, OpName, Region } from "./node.ts";
import { arityFits, dtypeOf, ShapeError, type OpTable } from "./optable.ts";
import { formatShape } from "./shape.ts";

function isRegion(value: unknown): value is Region {
  return typeof value === "object" && value !== null && (value as Region).kind === "adjoint.region";
}

/** Where a node came from: its DSL line and a name hint for generated code. Not part of identity. */
export interface Origin {
  readonly loc?: SourceLoc;
  readonly label?: string;
  readonly role?: "adjoint" | "tangent";
}

export class Graph {
  private readonly nodeList: Node[] = [];
  private readonly table = new Map<string, Node>();
  private readonly origins = new Map<number, Origin>();
  private rules: unknown[];

  /**
   * `ops` gives each op's shape, dtype, arity and eval (the registry, from above this layer; a
   * region's body graph takes its parent's). `dtype` is the program's float type: of its real
   * values and of its arena. `rules` are the derivative rules of custom nodes, by id (a rebuilt
   * graph keeps its source's); the IR holds them without knowing their type.
   */
  constructor(
    readonly ops: OpTable,
    readonly dtype: FloatType,
    rules: readonly unknown[] = [],
  ) {
    this.rules = [...rules];
  }

  /** Every node in creation order, which is a topological order. */
  get nodes(): readonly Node[] {
    return this.nodeList;
  }

  has(node: Node): boolean {
    return this.nodeList[node.id] === node;
  }

  origin(node: Node): Origin {
    return this.origins.get(node.id) ?? {};
  }

  /** Registers the derivative rule of a custom node; its id goes in the node's attributes. */
  addRule(rule: unknown): number {
    this.rules.push(rule);
    return this.rules.length - 1;
  }

  /** The derivative rule of custom nodes whose attribute `rule` is `id`. */
  rule(id: number): unknown {
    const rule = this.rules[id];
    if (rule === undefined) {
      throw new AdjointError(`custom: no derivative rule ${id} in this graph`);
    }
    return rule;
  }

  /**
   * A graph for a body of this one: it shares this graph's derivative rules (one list, not a
   * copy), so a custom node keeps its rule's id wherever a body's nodes are copied.
   */
  body(): Graph {
    const graph = new Graph(this.ops, this.dtype);
    graph.rules = this.rules;
    return graph;
  }

  /** Every registered rule, by id. */
  get customRules(): readonly unknown[] {
    return this.rules;
  }

  /** Gives an existing node a name hint, unless it already has one. */
  label(node: Node, label: string): void {
    const origin = this.origin(node);
    if (origin.label === undefined) this.origins.set(node.id, { ...origin, label });
  }

  /** Returns the node for (op, inputs, attrs), creating it when it is new. */
  intern<K extends OpName>(
    op: K,
    inputs: readonly Node[],
    attrs: AttrsOf[K],
    origin: () => Origin = () => ({}),
    /** A node of the same op and attrs over inputs of the same shapes and dtypes: its shape and dtype hold. */
    like?: Node,
  ): NodeOf<K> {
    // before the lookup: the key holds input ids only, which a foreign node could share
    for (const input of inputs) {
      if (!this.has(input)) {
        throw new AdjointError(
          `${op}: input %${input.id} belongs to another graph (nodes cannot be shared between programs)`,
          origin().loc,
        );
      }
    }
    const key = internKey(op, inputs, attrs);
    const existing = this.table.get(key);
    if (existing !== undefined) return existing as NodeOf<K>;
    const shape =
      like?.shape ?? Object.freeze([...inferShape(this.ops, op, inputs, attrs, origin)]);
    const dtype = like?.dtype ?? inferDtype(this.ops, op, inputs, attrs, this.dtype, origin);
    const id = this.nodeList.length;
    checkConstantIndices(this.ops, { op, inputs, attrs, shape, id }, origin);
    const node = Object.freeze({
      id,
      op,
      inputs: Object.freeze([...inputs]),
      attrs: freezeAttrs(attrs),
      shape,
      dtype,
    }) as NodeOf<K>;
    this.nodeList.push(node as Node);
    this.table.set(key, node as Node);
    const info = origin();
    if (info.loc !== undefined || info.label !== undefined || info.role !== undefined) {
      this.origins.set(node.id, info);
    }
    return node;
  }
}

function inferShape<K extends OpName>(
  table: OpTable,
  op: K,
  inputs: readonly Node[],
  attrs: AttrsOf[K],
  origin: () => Origin,
): readonly number[] {
  const def = table[op];
  if (!arityFits(def.arity, inputs.length)) {
    throw new AdjointError(
      `${op}: expects ${def.arity} inputs, got ${inputs.length}`,
      origin().loc,
    );
  }
  try {
    return def.shape(
      inputs.map((input) => input.shape),
      attrs as never,
    );
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    const shapes = inputs.map((input) => `%${input.id}: ${formatShape(input.shape)}`).join(", ");
    const detail = shapes === "" ? "" : ` (inputs ${shapes})`;
    throw new OpError(op, error.message, detail, origin().loc);
  }
}

/**
 * Every value of a constant index operand must be a whole number in [0, size): checked once here,
 * when the node is made (from the DSL or by a pass), so no generated code checks it per element.
 */
function checkConstantIndices<K extends OpName>(
  table: OpTable,
  node: {
    readonly op: K;
    readonly inputs: readonly Node[];
    readonly attrs: AttrsOf[K];
    readonly shape: readonly number[];
    readonly id: number;
  },
  origin: () => Origin,
): void {
  const rule = table[node.op].indices;
  if (rule === undefined) return;
  const { operand, size, what } = rule(
    node.inputs.map((input) => input.shape),
    node.attrs,
    node.shape,
  );
  const indices = node.inputs[operand];
  if (indices?.op !== "const") return;
  const { values } = indices.attrs;
  const bad = values.findIndex((value) => !(Number.isInteger(value) && value >= 0 && value < size));
  if (bad < 0) return;
  const at = values.length === 1 ? "" : ` at element ${bad}`;
  throw new OpError(
    node.op,
    `constant index ${values[bad]}${at} is out of range [0, ${size}) for ${what}`,
    ` (node %${node.id}, indices %${indices.id}: ${formatShape(indices.shape)})`,
    origin().loc,
  );
}

/** Freezes the attributes and their arrays (a const's values, a shape): mutating them would desync the key. */
function freezeAttrs<T extends object>(attrs: T): T {
  for (const value of Object.values(attrs)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(attrs);
}

function inferDtype(
  table: OpTable,
  op: OpName,
  inputs: readonly Node[],
  attrs: object,
  float: FloatType,
  origin: () => Origin,
): DType {
  try {
    return dtypeOf(
      table,
      op,
      inputs.map((input) => input.dtype),
      attrs,
      float,
    );
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new OpError(op, error.message, "", origin().loc);
  }
}

/** A key that tells apart everything that makes two nodes compute different values (-0 and NaN included). */
function internKey(op: OpName, inputs: readonly Node[], attrs: object): string {
  // built by hand: this runs for every node of every pass
  let key = `${op}(`;
  for (let i = 0; i < inputs.length; i++) key += i === 0 ? `${inputs[i].id}` : `,${inputs[i].id}`;
  for (const _ in attrs) return `${key}){${attrsKey(attrs)}}`;
  return `${key}){}`;
}

export function attrsKey(attrs: object): string {
  return Object.keys(attrs)
    .sort()
    .map((key) => `${key}=${valueKey((attrs as Record<string, unknown>)[key])}`)
    .join(";");
}

function valueKey(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(valueKey).join(",")}]`;
  if (isRegion(value)) return `{${value.key}}`;
  throw new Error(`unsupported attribute value ${String(value)}`);
}
