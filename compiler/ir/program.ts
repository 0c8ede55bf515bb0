// A program: one graph plus named entry points that share its buffers.
import type { SourceLoc } from "../errors.ts";
import type { Graph } from "./graph.ts";
import type { DType, Node, NodeOf } from "./node.ts";

export interface EntryPoint {
  readonly name: string;
  /** Output name -> node, in declaration order; a dotted name ("grads.layer1.W") nests it. */
  readonly fetch: readonly (readonly [string, Node])[];
  /**
   * Param -> its new value; all values are computed before any param is written. Accumulations
   * (buffer + gradient) and zeroings are updates like any other.
   */
  readonly update: readonly (readonly [NodeOf<"param">, Node])[];
  /**
   * An entry declared earlier that must run first: values it computed are kept in the arena and
   * read here instead of recomputed (a backward entry after its forward entry).
   */
  readonly after?: string;
  readonly loc?: SourceLoc;
}

/** Initial value of a param: one number fills it, otherwise one per element. */
export type ParamInit = number | readonly number[];

export interface Program {
  readonly kind: "adjoint.program";
  readonly name: string;
  readonly dtype: DType;
  readonly graph: Graph;
  readonly entries: readonly EntryPoint[];
  /**
   * Declared inputs and params in declaration order (kept even when no entry reads them). A param
   * named by a dotted path ("layer1.W") is nested in the generated instance.params.
   */
  readonly leaves: readonly (NodeOf<"input"> | NodeOf<"param">)[];
  readonly paramInit: ReadonlyMap<string, ParamInit>;
  /** The file that declared the program, when it was loaded from one. */
  readonly file?: string;
}

export function isProgram(value: unknown): value is Program {
  return (
    typeof value === "object" && value !== null && (value as Program).kind === "adjoint.program"
  );
}
