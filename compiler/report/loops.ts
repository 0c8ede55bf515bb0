// The loops of an entry for the compile report: each loop node once (its body's nodes are not
// counted again per step), with its trip count, what its tape holds, and how often reverse mode
// runs each of its steps forward. Loops inside bodies are listed under the loop that holds them.
import { formatLoc } from "../errors.ts";
import type { Node, Region, RegionGraph } from "../ir/node.ts";
import { sizeOf } from "../ir/shape.ts";
import { reachable } from "../ir/text.ts";
import { scanLayout, tapeSlots } from "../ops/scan.ts";

export interface LoopReport {
  readonly op: "scan" | "cond";
  /** Built by the user, or by reverse or forward mode. */
  readonly role: "forward" | "adjoint" | "tangent";
  /** The user's line the loop comes from, `file:line:column`, when known. */
  readonly loc?: string;
  /** Loops holding this one (0: the entry's own). */
  readonly depth: number;
  /** Steps per run (a cond: 1). */
  readonly steps: number;
  /** Carries the tape holds: one per step, one per checkpoint, or none without a tape. */
  readonly tapeCarries: number;
  readonly tapeBytes: number;
  /**
   * How many times each step runs forward when its tape is swept back, against storing every
   * carry: 1 + the levels of checkpoint strides (the value's sweep, then one recomputation per
   * level). 1 for a loop without a tape.
   */
  readonly recompute: number;
}

/** The loops `roots` reach in `graph`, outermost first, each followed by those in its body. */
export function loopReports(
  graph: RegionGraph,
  roots: readonly Node[],
  elementBytes: number,
  depth = 0,
): LoopReport[] {
  const reached = reachable(roots);
  const loops = graph.nodes.filter(
    (node) => reached.has(node.id) && (node.op === "scan" || node.op === "cond"),
  );
  return loops.flatMap((node) => [
    loopReport(graph, node, elementBytes, depth),
    ...bodiesOf(node).flatMap((body) =>
      loopReports(body.graph, body.results, elementBytes, depth + 1),
    ),
  ]);
}

function loopReport(graph: RegionGraph, node: Node, elementBytes: number, depth: number) {
  const origin = graph.origin(node);
  const base = {
    role: origin.role ?? "forward",
    ...(origin.loc === undefined ? {} : { loc: formatLoc(origin.loc) }),
    depth,
  } as const;
  if (node.op !== "scan") {
    return { op: "cond", ...base, steps: 1, tapeCarries: 0, tapeBytes: 0, recompute: 1 } as const;
  }
  const { attrs } = node;
  const tape = scanLayout(attrs).tape;
  const elements = tape.reduce((total, part) => total + sizeOf(part.shape), 0);
  return {
    op: "scan",
    ...base,
    steps: attrs.length,
    tapeCarries: attrs.tape ? tapeSlots(attrs) : 0,
    tapeBytes: elements * elementBytes,
    recompute: attrs.tape ? 1 + (attrs.checkpoint?.length ?? 0) : 1,
  } as const;
}

function bodiesOf(node: Node): readonly Region[] {
  if (node.op === "scan") return [node.attrs.body];
  if (node.op === "cond") return [node.attrs.whenTrue, node.attrs.whenFalse];
  return [];
}
