// Regions: a loop's body as a graph of its own, with `input` leaves for its args.
import type { Graph } from "./graph.ts";
import type { Node, NodeOf, Region } from "./node.ts";
import type { Program } from "./program.ts";
import { regionText } from "./text.ts";

/** A region over `graph`, keyed by its text form (equal bodies give equal keys). */
export function makeRegion(
  graph: Graph,
  args: readonly NodeOf<"input">[],
  results: readonly Node[],
): Region {
  return Object.freeze({
    kind: "adjoint.region" as const,
    key: `${graph.dtype}\n${regionText(args, results)}`,
    graph,
    args: Object.freeze([...args]),
    results: Object.freeze([...results]),
  });
}

/** A body as a program of one entry "step" that fetches its results: what passes and lowering take. */
export function regionProgram(region: Region): Program {
  return {
    kind: "adjoint.program",
    name: "body",
    dtype: region.graph.dtype,
    // the DSL builds every body graph as a Graph; the IR's view of it is structural
    graph: region.graph as Graph,
    entries: [
      {
        name: "step",
        fetch: region.results.map((result, k) => [`r${k}`, result] as const),
        update: [],
      },
    ],
    leaves: region.args,
    paramInit: new Map(),
  };
}

/** The region of a program shaped like regionProgram's (after a pass rebuilt it). */
export function programRegion(program: Program): Region {
  const args = program.leaves.filter((leaf): leaf is NodeOf<"input"> => leaf.op === "input");
  return makeRegion(
    program.graph,
    args,
    program.entries[0].fetch.map(([, node]) => node),
  );
}

/**
 * The body's results computed in `graph` from `args` (one node per arg): its nodes copied in id
 * order with their origins, so a derivative can replay a step where it needs its values.
 */
export function inlineRegion(graph: Graph, region: Region, args: readonly Node[]): Node[] {
  const mapped = new Map<number, Node>();
  region.args.forEach((arg, k) => mapped.set(arg.id, args[k]));
  const body = region.graph;
  const needed = reachableIds(region.results);
  for (const node of body.nodes) {
    if (!needed.has(node.id) || mapped.has(node.id)) continue;
    const inputs = node.inputs.map((input) => mapped.get(input.id)!);
    const copy = graph.intern(node.op, inputs, node.attrs as never, () =>
      body.origin(node),
    ) as Node;
    const label = body.origin(node).label;
    if (label !== undefined) graph.label(copy, label);
    mapped.set(node.id, copy);
  }
  return region.results.map((result) => mapped.get(result.id)!);
}

function reachableIds(roots: readonly Node[]): Set<number> {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    stack.push(...node.inputs);
  }
  return seen;
}
