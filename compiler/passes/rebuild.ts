// Passes are pure Program -> Program: they rebuild a fresh graph, re-interning every node (CSE for free).
import { Ops } from "../dsl/ops.ts";
import { Graph } from "../ir/graph.ts";
import type { Node, NodeOf } from "../ir/node.ts";
import type { Program } from "../ir/program.ts";
import { sameShape } from "../ir/shape.ts";
import { reachable } from "../ir/text.ts";
import { stabilizeRules } from "./stabilize.ts";

/**
 * Returns a replacement for `node` (whose inputs are already rebuilt; `source` is the node it was
 * copied from), or undefined to keep it.
 */
export type Rewrite = (node: Node, g: Ops, source: Node) => Node | undefined;

/**
 * Rebuilds what the entry points reach (and every declared leaf), applying `rewrite` bottom-up.
 * Nodes keep their origin; a node that becomes equal to another merges with it.
 */
export function rebuild(
  program: Program,
  rewrite: Rewrite = () => undefined,
  reached?: ReadonlySet<number>,
): Program {
  const old = program.graph;
  const graph = new Graph(old.ops, old.dtype, old.customRules);
  let current: Node = old.nodes[0];
  const g = new Ops(graph, stabilizeRules, () => old.origin(current));
  const mapped = new Map<number, Node>();
  const map = <N extends Node>(node: N): N => mapped.get(node.id) as N;

  const roots = [...program.leaves, ...program.entries.flatMap(entryRoots)];
  const keep = reached ?? reachable(roots);
  for (const node of old.nodes) {
    if (!keep.has(node.id)) continue;
    current = node;
    const inputs = node.inputs.map(map);
    // shape and dtype depend on the inputs' only: unchanged inputs keep the node's own
    const same = inputs.every(
      (input, i) =>
        input.dtype === node.inputs[i].dtype && sameShape(input.shape, node.inputs[i].shape),
    );
    const copy = graph.intern(
      node.op,
      inputs,
      node.attrs as never,
      () => old.origin(node),
      same ? node : undefined,
    ) as Node;
    const label = old.origin(node).label;
    if (label !== undefined) graph.label(copy, label);
    mapped.set(node.id, rewrite(copy, g, node) ?? copy);
  }
  return {
    ...program,
    graph,
    leaves: program.leaves.map(map),
    entries: program.entries.map((entry) => ({
      ...entry,
      fetch: entry.fetch.map(([name, node]) => [name, map(node)] as const),
      update: entry.update.map(
        ([param, value]) => [map(param) as NodeOf<"param">, map(value)] as const,
      ),
    })),
  };
}

export function entryRoots(entry: Program["entries"][number]): Node[] {
  return [
    ...entry.fetch.map(([, node]) => node),
    ...entry.update.flatMap(([param, value]) => [param, value]),
  ];
}
