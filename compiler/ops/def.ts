// The shape of an op record: everything about one op (shape, eval, emit, vjp, jvp) in one place.
import type { Ops } from "../dsl/ops.ts";
import type { AttrsOf, Node, NodeOf, OpName } from "../ir/node.ts";
import { sameShape, sizeOf, type Shape } from "../ir/shape.ts";

/** Thrown by shape rules; the graph adds the op, the input shapes and the user's line. */
export class ShapeError extends Error {}

/** A value in the reference interpreter: always float64, row-major. */
export interface Tensor {
  readonly shape: Shape;
  readonly data: Float64Array;
}

export interface EvalEnv {
  /** The value fed for an input or held by a param. */
  readonly leaf: (name: string) => Float64Array;
}

/** How an op becomes TypeScript. Emitters return plain strings; codegen places them. */
export type Emit<K extends OpName> =
  | { readonly kind: "leaf" }
  /** An expression of its operands, used for a scalar `const` or inside an elementwise loop. */
  | {
      readonly kind: "elementwise";
      readonly expr: (args: readonly string[], attrs: AttrsOf[K]) => string;
    }
  /** Statements that fill `out` (a tensor view, or a scalar the kernel declares with `let`). */
  | { readonly kind: "kernel"; readonly code: (io: KernelIO<K>) => readonly string[] };

export interface KernelIO<K extends OpName> {
  readonly out: string;
  readonly args: readonly string[];
  readonly inShapes: readonly Shape[];
  readonly outShape: Shape;
  readonly attrs: AttrsOf[K];
}

export interface VjpContext<K extends OpName> {
  readonly g: Ops;
  /** The node being differentiated (its value `y` may be used by the rule). */
  readonly y: NodeOf<K>;
  readonly inputs: readonly Node[];
  readonly attrs: AttrsOf[K];
  readonly y_bar: Node;
}

export interface JvpContext<K extends OpName> {
  readonly g: Ops;
  readonly y: NodeOf<K>;
  readonly inputs: readonly Node[];
  readonly attrs: AttrsOf[K];
  /** Tangent of each input; null is a structural zero. */
  readonly dots: readonly (Node | null)[];
}

export interface OpDef<K extends OpName> {
  /** Number of inputs, or "leaf" for ops that read none. */
  readonly arity: number | "leaf";
  readonly shape: (inputs: readonly Shape[], attrs: AttrsOf[K]) => Shape;
  readonly eval: (
    inputs: readonly Tensor[],
    attrs: AttrsOf[K],
    shape: Shape,
    env: EvalEnv,
  ) => Float64Array;
  readonly emit: Emit<K>;
  /** One adjoint per input (null: no gradient flows there). Builds only ops that have rules. */
  readonly vjp: (ctx: VjpContext<K>) => readonly (Node | null)[];
  /** The output tangent (null: structural zero). Builds only ops that have rules. */
  readonly jvp: (ctx: JvpContext<K>) => Node | null;
}

/** Scalar broadcasting: equal shapes, or one operand is a scalar. */
export function broadcastScalar(a: Shape, b: Shape): Shape {
  if (sameShape(a, b) || b.length === 0) return a;
  if (a.length === 0) return b;
  throw new ShapeError(
    `shapes do not match: only equal shapes or a scalar operand broadcast in this version`,
  );
}

/** The adjoint of an implicit scalar broadcast is a sum: reduce `adjoint` back to `shape`. */
export function fitTo(g: Ops, adjoint: Node, shape: Shape): Node {
  return sameShape(adjoint.shape, shape) ? adjoint : g.sum(adjoint);
}

/** Adds tangents where null is zero; widens a scalar tangent to the output shape. */
export function sumDots(g: Ops, dots: readonly (Node | null)[], shape: Shape): Node | null {
  const present = dots.filter((dot): dot is Node => dot !== null);
  if (present.length === 0) return null;
  const total = present.reduce((sum, dot) => g.add(sum, dot));
  return g.broadcast(total, shape);
}

/** Elementwise evaluation of a scalar function, with scalar operands broadcast. */
export function evalElementwise(
  inputs: readonly Tensor[],
  shape: Shape,
  fn: (args: readonly number[]) => number,
): Float64Array {
  const out = new Float64Array(sizeOf(shape));
  const args = new Array<number>(inputs.length);
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k];
      args[k] = input.data[input.shape.length === 0 ? 0 : i];
    }
    out[i] = fn(args);
  }
  return out;
}
