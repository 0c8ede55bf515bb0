// Forward mode as a graph transform: each node's tangent is built from its inputs' tangents.
import type { Ops } from "../dsl/ops.ts";
import { isConst, type Node } from "../ir/node.ts";
import { ops } from "../ops/registry.ts";
import { condJvp } from "./cond.ts";
import { scanJvp } from "./loops.ts";
import { whileJvp } from "./while.ts";
import type { LoopJvps } from "../ops/def.ts";

/**
 * Appends the tangents of `outputs` when `wrt[i]` moves along `tangents[i]`
 * (the Jacobian-vector product). An output that depends on no `wrt` gets a structural zero.
 */
export function jvp(
  g: Ops,
  outputs: readonly Node[],
  wrt: readonly Node[],
  tangents: readonly Node[],
): Node[] {
  const dots = new Map<number, Node>();
  const firstNewId = g.graph.nodes.length;
  // a tangent that is the constant 0 moves nothing: treat it as a structural zero, not as 0·(...)
  wrt.forEach((w, i) => {
    if (!isConst(tangents[i], 0)) dots.set(w.id, tangents[i]);
  });
  const lastId = Math.max(-1, ...outputs.map((output) => output.id));
  const nodes = g.graph.nodes;
  const loops = loopJvps(g);
  for (let id = 0; id <= lastId; id++) {
    const y = nodes[id];
    if (dots.has(id) || y.inputs.length === 0) continue;
    const inputDots = y.inputs.map((input) => dots.get(input.id) ?? null);
    if (inputDots.every((dot) => dot === null)) continue;
    const { loc, label } = g.graph.origin(y);
    const origin = {
      loc,
      role: "tangent" as const,
      label: label === undefined ? undefined : `${label}_dot`,
    };
    const rule = ops[y.op].jvp as (ctx: object) => Node | null;
    const y_dot = g.within({ ...origin, label: undefined }, () =>
      rule({ g, y, inputs: y.inputs, attrs: y.attrs, dots: inputDots, loops }),
    );
    if (y_dot !== null) {
      if (origin.label !== undefined && y_dot.id >= firstNewId) g.graph.label(y_dot, origin.label);
      dots.set(id, y_dot);
    }
  }
  return outputs.map((output) => dots.get(output.id) ?? g.constant(0, output.shape));
}

/**
 * The forward rules of region ops, which differentiate their bodies by this transform: a loop's
 * tangent is a loop carrying tangents, a cond's a cond of its branches' jvps.
 */
export function loopJvps(g: Ops): LoopJvps {
  return {
    scan: (y, dots) => scanJvp(g, y, dots, jvp),
    cond: (y, dots) => condJvp(g, y, dots, jvp),
    while: (y, dots) => whileJvp(g, y, dots, jvp),
  };
}
