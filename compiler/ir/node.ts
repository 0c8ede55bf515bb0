// The IR: a closed set of ops, each with typed attributes; nodes are immutable and interned.
import type { Shape } from "./shape.ts";

export type DType = "f64" | "f32";

type NoAttrs = Readonly<Record<never, never>>;

/** Attributes per op. Adding an op here forces a record for it in ops/registry.ts. */
export interface AttrsOf {
  input: { readonly name: string; readonly shape: Shape };
  param: { readonly name: string; readonly shape: Shape };
  /** One value fills the whole shape; otherwise one value per element, row-major. */
  const: { readonly values: readonly number[]; readonly shape: Shape };
  add: NoAttrs;
  sub: NoAttrs;
  mul: NoAttrs;
  div: NoAttrs;
  neg: NoAttrs;
  pow: { readonly exponent: number };
  exp: NoAttrs;
  log: NoAttrs;
  sin: NoAttrs;
  cos: NoAttrs;
  tanh: NoAttrs;
  sqrt: NoAttrs;
  /** Sum of every element: a scalar. */
  sum: NoAttrs;
  /** A scalar repeated to `shape`. */
  broadcast: { readonly shape: Shape };
  /** Inner product of two vectors. */
  dot: NoAttrs;
  /** 2-D matrix product op(A)·op(B), where op transposes when its flag is set. */
  matmul: { readonly transA: boolean; readonly transB: boolean };
}

export type OpName = keyof AttrsOf;

export interface NodeOf<K extends OpName> {
  readonly id: number;
  readonly op: K;
  readonly inputs: readonly Node[];
  readonly attrs: AttrsOf[K];
  readonly shape: Shape;
  readonly dtype: DType;
}

export type Node = { [K in OpName]: NodeOf<K> }[OpName];

export function isOp<K extends OpName>(node: Node, op: K): node is NodeOf<K> & Node {
  return node.op === op;
}

/** True when `node` is a constant whose every element equals `value` (0 matches -0). */
export function isConst(node: Node, value: number): boolean {
  return node.op === "const" && node.attrs.values.every((v) => v === value);
}

/** Like isConst, but telling -0 from +0: for identities that hold only for one signed zero. */
export function isConstExactly(node: Node, value: number): boolean {
  return node.op === "const" && node.attrs.values.every((v) => Object.is(v, value));
}
