// Passes inside loop bodies: a body is a program of its own (its args are its leaves, its results
// one entry's fetches), so the whole optimizer runs on it; the loop is rebuilt over the result.
import type { Node, Region } from "../ir/node.ts";
import type { Program } from "../ir/program.ts";
import { programRegion, regionProgram } from "../ir/region.ts";
import { reachable } from "../ir/text.ts";
import { scanLayout } from "../ops/scan.ts";
import { entryRoots, rebuild } from "./rebuild.ts";
import { rule, type Rule } from "./rules.ts";

/** Bodies that came out of the optimizer: optimizing them again changes nothing. */
const optimized = new WeakSet<Region>();

/** A rule that optimizes every loop's body by `optimize` (the pipeline, handed in). */
export function loopBodyRule(optimize: (program: Program) => Program): Rule {
  return rule("optimize loop bodies", (node: Node, g) => {
    if (node.op !== "scan" || optimized.has(node.attrs.body)) return undefined;
    const body = programRegion(optimize(regionProgram(node.attrs.body)));
    optimized.add(body);
    optimized.add(node.attrs.body);
    if (body.key === node.attrs.body.key) return undefined;
    return g.scanNode(node.inputs, { ...node.attrs, body });
  });
}

/**
 * Loops whose tape (the carries saved for reverse mode) nothing reads are rebuilt without it: a
 * value-only entry then stores no carries. Readers of the other parts are slices below the tape,
 * which read the same elements of the shorter value.
 */
export function trimTapes(program: Program): Program {
  const unread = unreadTapes(program);
  if (unread.size === 0) return program;
  return rebuild(program, (node, g, source) =>
    node.op === "scan" && unread.has(source.id)
      ? g.scanNode(node.inputs, { ...node.attrs, tape: false })
      : undefined,
  );
}

/** Ids of the loops with a tape that no slice reaches into and no entry fetches. */
function unreadTapes(program: Program): Set<number> {
  const roots = program.entries.flatMap(entryRoots);
  const reached = reachable([...program.leaves, ...roots]);
  const nodes = program.graph.nodes.filter((node) => reached.has(node.id));
  const tapeStart = new Map<number, number>();
  for (const node of nodes) {
    if (node.op !== "scan" || !node.attrs.tape) continue;
    const layout = scanLayout(node.attrs);
    tapeStart.set(node.id, layout.tape[0]?.offset ?? layout.size);
  }
  for (const root of roots) tapeStart.delete(root.id);
  for (const node of nodes) {
    for (const input of node.inputs) {
      const start = tapeStart.get(input.id);
      if (start === undefined) continue;
      const below = node.op === "slice" && node.attrs.end[0] <= start;
      if (!below) tapeStart.delete(input.id);
    }
  }
  return new Set(tapeStart.keys());
}
