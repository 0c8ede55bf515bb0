// The reference interpreter over the registry's records: the oracle for folding, codegen and gradients.
import { interpretWith, type LeafValues } from "../ir/interpret.ts";
import type { Node } from "../ir/node.ts";
import { ops } from "./registry.ts";

export type { LeafValues } from "../ir/interpret.ts";

/** Evaluates `roots` (and what they depend on) in float64. */
export function interpret(roots: readonly Node[], leaves: LeafValues = {}): Float64Array[] {
  return interpretWith(ops, roots, leaves);
}
