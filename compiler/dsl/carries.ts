// Integer and boolean carries of a loop. A loop node's carries are real values (one flat value,
// one arena), so an i32 counter or a bool flag travels as the float of the same whole number, exact
// below 2^53 (2^24 in an f32 program), and behind a stopGradient: it gets no gradient, and no
// derivative of the body takes a path through it.
import type { Node } from "../ir/node.ts";
import type { Ops } from "./ops.ts";

/** Whether a carry of this node travels encoded as a float. */
export const isWholeCarry = (g: Ops, node: Node): boolean => node.dtype !== g.graph.dtype;

/** The float a carry travels as (the node itself when it is already real). */
export function carryIn(g: Ops, node: Node): Node {
  return isWholeCarry(g, node) ? g.stopGradient(g.cast(node, g.graph.dtype)) : node;
}

/** The carry in its own dtype again, from the float it travelled as. */
export function carryOut(g: Ops, real: Node, dtype: Node["dtype"]): Node {
  return dtype === g.graph.dtype ? real : g.cast(g.stopGradient(real), dtype);
}
