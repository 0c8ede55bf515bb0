// The shape of an op record: everything about one op (shape, eval, emit, vjp, jvp, sparsity) in one place.
import type { AttrsOf, Node, NodeOf, OpName } from "../ir/node.ts";
import type { OpSemantics } from "../ir/optable.ts";
import type { OpBuilder } from "./builder.ts";
import type { SparsityRule } from "./sparsity.ts";
import {
  broadcastShapes,
  broadcastStrides,
  formatShape,
  sameShape,
  sizeOf,
  type Shape,
} from "../ir/shape.ts";

// the IR's part of a record lives with the IR, which takes the registry as a table
export { ShapeError, type EvalEnv, type IndexOperand, type Tensor } from "../ir/optable.ts";
import { ShapeError, type Tensor } from "../ir/optable.ts";

/** How an op becomes TypeScript. Emitters return plain strings; codegen places them. */
export type Emit<K extends OpName> =
  | { readonly kind: "leaf" }
  /** A loop over a body region: codegen lowers the body with its own plan inside one `for`. */
  | { readonly kind: "region" }
  /**
   * An expression of its operands (names, literals or elements, never compound expressions),
   * used whole as the right-hand side of a `const` or of an element assignment in a loop.
   */
  | {
      readonly kind: "elementwise";
      readonly expr: (args: readonly string[], attrs: AttrsOf[K]) => string;
    }
  /**
   * Statements that fill `out` (a tensor view, or a scalar the kernel declares with `let`). A kernel
   * that `fusesInput` reads its one input through `io.fusedInput` when codegen gives one, so an
   * elementwise chain computes inside its loop instead of in a buffer.
   */
  | {
      readonly kind: "kernel";
      readonly code: (io: KernelIO<K>) => readonly string[];
      readonly fusesInput?: boolean;
      /**
       * For a fold over every element into one scalar: its start and step, so that codegen may
       * compute it inside a loop that visits the same elements in the same order for other values.
       */
      readonly accumulator?: Accumulator;
      /**
       * For a movement op: where an output element sits in its tensor input, so that elementwise
       * loops read through it instead of a copy.
       */
      readonly view?: (io: ViewIO<K>) => ViewRead;
      /**
       * A reduction over the same input and axes whose value this kernel's work reaches on the way
       * (prodExcept's prefix chain ends at prod): an entry that computes both gets that value from
       * this kernel too, through `io.alongside`, instead of running another loop.
       */
      readonly yieldsAlong?: OpName;
    };

/** A fold as source text: `let acc = init;`, then `acc = step(acc, element)` per element. */
export interface Accumulator {
  readonly init: string;
  readonly step: (acc: string, element: string) => string;
}

export interface ViewIO<K extends OpName> {
  /** Index variables of the output, one per axis. */
  readonly index: readonly string[];
  readonly inShape: Shape;
  readonly outShape: Shape;
  readonly attrs: AttrsOf[K];
}

/** The input's flat offset for an output element, and when the element exists at all (else 0). */
export interface ViewRead {
  readonly offset: string;
  readonly guard?: string;
}

/** Element `offset` of a fused input: statements that compute it, then the local holding it. */
export interface FusedRead {
  readonly lines: readonly string[];
  readonly value: string;
}

export interface KernelIO<K extends OpName> {
  readonly out: string;
  readonly args: readonly string[];
  readonly inShapes: readonly Shape[];
  readonly outShape: Shape;
  readonly attrs: AttrsOf[K];
  /** For a kernel that fuses its input: how to compute input element `offset` (a flat offset). */
  readonly fusedInput?: (offset: string) => FusedRead;
  /** For a kernel that `yieldsAlong` another reduction: where that one's value goes, and its shape. */
  readonly alongside?: { readonly out: string; readonly shape: Shape };
  /**
   * For an op with `indices`: the expression that checks one index (text) as it is read and is
   * its value; codegen supplies the bound and the error's words (entry, input, the user's line).
   */
  readonly checkIndex: (index: string) => string;
  /** When the runtime's kernel library may compute this op: where its operands sit, how to call it. */
  readonly wasm?: WasmSite;
}

/** A kernel library call site: the arena offsets (elements) of the output and the operands. */
export interface WasmSite {
  /** The library entry as generated code names it: `kernels.matmulF64`. */
  readonly entry: string;
  readonly out: number;
  readonly args: readonly number[];
  /** The condition under which the library runs, with the JS loops as the else branch; none: always. */
  readonly when?: string;
}

/** The ops whose values are computed by regions (loop bodies, branches). */
export type RegionOp = "scan" | "cond" | "while";

/**
 * The derivatives of region ops. Each differentiates a body by the same transform that is running
 * (a loop's adjoint is a loop over the vjp of its body), which lives above the op layer: the
 * transform hands these rules to every record through its context, and the records of the region
 * ops call them. Typed over every region op, so a new one cannot lack its rule.
 */
export type LoopVjps = {
  readonly [K in RegionOp]: (y: NodeOf<K>, y_bar: Node) => readonly (Node | null)[];
};
export type LoopJvps = {
  readonly [K in RegionOp]: (y: NodeOf<K>, dots: readonly (Node | null)[]) => Node | null;
};

export interface VjpContext<K extends OpName> {
  readonly g: OpBuilder;
  /** The node being differentiated (its value `y` may be used by the rule). */
  readonly y: NodeOf<K>;
  readonly inputs: readonly Node[];
  readonly attrs: AttrsOf[K];
  readonly y_bar: Node;
  /** The reverse rules of region ops, built by the running transform (see LoopVjps). */
  readonly loops: LoopVjps;
}

/** The partials of one node, as its vjp rule builds them for the given inputs and adjoint. */
export type Partials = readonly (Node | null | NotDifferentiable)[];

/** What a strong-zero rule gets: the vjp context and the op's own rule, to run at other inputs or ȳ. */
export interface StrongZeroContext<K extends OpName> extends VjpContext<K> {
  readonly rule: (inputs: readonly Node[], y_bar: Node) => Partials;
}

/**
 * "Strong zero": a term ȳ[o]·∂y[o]/∂x[i] with ȳ[o] = 0 counts as exactly 0, even where the
 * derivative is ±∞ or NaN (sqrt or log at 0 on the side of a select that is not taken).
 * "bounded": the rule already does so for any input values (±∞ and NaN included), because it only
 * moves, adds, selects or scales ȳ by finite factors. Otherwise a rule that builds the partials
 * with that property (see ops/strongzero.ts), used only where ȳ may hold a select's 0.
 */
export type ZeroAdjoint<K extends OpName> = "bounded" | ((ctx: StrongZeroContext<K>) => Partials);

export interface JvpContext<K extends OpName> {
  readonly g: OpBuilder;
  readonly y: NodeOf<K>;
  readonly inputs: readonly Node[];
  readonly attrs: AttrsOf[K];
  /** Tangent of each input; null is a structural zero. */
  readonly dots: readonly (Node | null)[];
  /** The forward rules of region ops, built by the running transform (see LoopJvps). */
  readonly loops: LoopJvps;
}

/** An op record: the IR's semantics (arity, dtype, shape, eval) and everything above it. */
export interface OpDef<K extends OpName> extends OpSemantics<K> {
  readonly emit: Emit<K>;
  /**
   * One adjoint per input: null where no gradient flows (a structural zero), notDifferentiable
   * where a gradient cannot flow (a path to it is a compile error). Builds only ops that have rules.
   */
  readonly vjp: (ctx: VjpContext<K>) => readonly (Node | null | NotDifferentiable)[];
  /**
   * How the partials treat an adjoint that is exactly 0 (NaN-safe selects, see `ZeroAdjoint`). The
   * reverse sweep consults it only for nodes whose adjoint may hold a select's 0.
   */
  readonly zeroAdjoint: ZeroAdjoint<K>;
  /** The output tangent (null: structural zero). Builds only ops that have rules. */
  readonly jvp: (ctx: JvpContext<K>) => Node | null;
  /**
   * Which input elements each output element may depend on (a superset of the structure of jvp),
   * from the inputs' own dependencies: the sparsity of Jacobians and Hessians at compile time.
   */
  readonly sparsity: SparsityRule<K>;
}

/** NumPy broadcasting of operand shapes, or a ShapeError naming them. */
export function broadcastAll(shapes: readonly Shape[]): Shape {
  let out: Shape = [];
  for (const shape of shapes) {
    const next = broadcastShapes(out, shape);
    if (next === undefined) {
      throw new ShapeError(`shapes ${shapes.map(formatShape).join(" and ")} do not broadcast`);
    }
    out = next;
  }
  return out;
}

/** The adjoint of a broadcast is a sum: reduce `adjoint` back to `shape`. */
export function fitTo(g: OpBuilder, adjoint: Node, shape: Shape): Node {
  if (sameShape(adjoint.shape, shape)) return adjoint;
  const extra = adjoint.shape.length - shape.length;
  const axes = adjoint.shape
    .map((_, axis) => axis)
    .filter((axis) => axis < extra || (shape[axis - extra] === 1 && adjoint.shape[axis] !== 1));
  return g.reshape(g.sum(adjoint, axes, true), shape);
}

/** Marks an input through which no gradient can flow (an integer index, a boolean). */
export const notDifferentiable = Object.freeze({ notDifferentiable: true as const });
export type NotDifferentiable = typeof notDifferentiable;

/** Adds tangents where null is zero; widens a broadcast tangent to the output shape. */
export function sumDots(g: OpBuilder, dots: readonly (Node | null)[], shape: Shape): Node | null {
  const present = dots.filter((dot): dot is Node => dot !== null);
  if (present.length === 0) return null;
  const total = present.reduce((sum, dot) => g.add(sum, dot));
  return g.broadcastTo(total, shape);
}

/** Elementwise evaluation of a scalar function, operands broadcast to `shape`. */
export function evalElementwise(
  inputs: readonly Tensor[],
  shape: Shape,
  fn: (args: readonly number[]) => number,
): Float64Array {
  const out = new Float64Array(sizeOf(shape));
  const strides = inputs.map((input) => broadcastStrides(input.shape, shape));
  const index = new Array<number>(shape.length).fill(0);
  const args = new Array<number>(inputs.length);
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < inputs.length; k++) {
      let offset = 0;
      for (let axis = 0; axis < shape.length; axis++) offset += index[axis] * strides[k][axis];
      args[k] = inputs[k].data[offset];
    }
    out[i] = fn(args);
    // advance the multi-index, last axis fastest
    for (let axis = shape.length - 1; axis >= 0 && ++index[axis] === shape[axis]; axis--)
      index[axis] = 0;
  }
  return out;
}
