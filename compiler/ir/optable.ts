// What the IR needs of each op, declared here and handed in as a table: ir/ knows no op record.
import type { AttrsOf, DType, FloatType, Node, OpName } from "./node.ts";
import type { Shape } from "./shape.ts";

/** Thrown by shape and dtype rules; the graph adds the op, the input shapes and the user's line. */
export class ShapeError extends Error {}

/** A value in the reference interpreter: always float64, row-major. */
export interface Tensor {
  readonly shape: Shape;
  readonly data: Float64Array;
}

export interface EvalEnv {
  /** The value fed for an input or held by a param. */
  readonly leaf: (name: string) => Float64Array;
  /** Evaluates nodes of another graph (a loop's body) by the same table, from its leaves' values. */
  readonly interpret: (
    roots: readonly Node[],
    leaves: Readonly<Record<string, ArrayLike<number>>>,
  ) => Float64Array[];
}

/** An operand of integer indices, each of which must be in [0, size); `what` names the op's use. */
export interface IndexOperand {
  readonly operand: number;
  readonly size: number;
  /** "gather along axis 0 of [10,4]": the op in a run-time error. */
  readonly what: string;
}

/** The facts of one op that interning, verification and interpretation read. */
export interface OpSemantics<K extends OpName> {
  /** Number of inputs, "leaf" for ops that read none, "variadic" for one or more. */
  readonly arity: number | "leaf" | "variadic";
  /**
   * Element type of the output from the inputs' (throws ShapeError for wrong ones). Without it,
   * every input must be a float and so is the output.
   */
  readonly dtype?: (inputs: readonly DType[], attrs: AttrsOf[K], float: FloatType) => DType;
  readonly shape: (inputs: readonly Shape[], attrs: AttrsOf[K]) => Shape;
  /**
   * For an op that reads integer indices: which operand holds them and their bound. Interning
   * checks a constant index operand against it, so generated code reads constants unchecked.
   */
  readonly indices?: (
    inShapes: readonly Shape[],
    attrs: AttrsOf[K],
    outShape: Shape,
  ) => IndexOperand;
  readonly eval: (
    inputs: readonly Tensor[],
    attrs: AttrsOf[K],
    shape: Shape,
    env: EvalEnv,
  ) => Float64Array;
}

/** One record per op: the registry in ops/ is one, handed to every Graph. */
export type OpTable = { readonly [K in OpName]: OpSemantics<K> };

/** Whether `count` inputs suit an op of this arity. */
export function arityFits(arity: number | "leaf" | "variadic", count: number): boolean {
  if (arity === "variadic") return count > 0;
  return count === (arity === "leaf" ? 0 : arity);
}

/** The op's dtype rule, or by default: real-valued inputs give a real-valued output. */
export function dtypeOf(
  table: OpTable,
  op: OpName,
  inputs: readonly DType[],
  attrs: object,
  float: FloatType,
): DType {
  const rule = table[op].dtype as
    ((inputs: readonly DType[], attrs: object, float: FloatType) => DType) | undefined;
  if (rule !== undefined) return rule(inputs, attrs, float);
  const wrong = inputs.findIndex((dtype) => dtype !== float);
  if (wrong >= 0) {
    throw new ShapeError(
      `operand ${wrong + 1} is ${inputs[wrong]}; expected ${float} (use g.cast or g.where)`,
    );
  }
  return float;
}
