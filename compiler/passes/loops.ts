// Passes inside loop bodies: a body is a program of its own (its args are its leaves, its results
// one entry's fetches), so the whole optimizer runs on it; the loop is rebuilt over the result.
import type { Node, Region } from "../ir/node.ts";
import type { Program } from "../ir/program.ts";
import { programRegion, regionProgram } from "../ir/region.ts";
import { reachable } from "../ir/text.ts";
import { scanLayout } from "../ops/scan.ts";
import { whileLayout } from "../ops/while.ts";
import { entryRoots, rebuild } from "./rebuild.ts";
import { rule, type Rule } from "./rules.ts";

/** Each body's optimized form (a body the optimizer leaves as it is maps to itself). */
const optimizedBodies = new WeakMap<Region, Region>();

/** A rule that optimizes every loop's body by `optimize` (the pipeline, handed in). */
export function loopBodyRule(optimize: (program: Program) => Program): Rule {
  // memoized by region, so that every compile of a program optimizes its bodies the same way
  const optimized = (region: Region): Region => {
    const known = optimizedBodies.get(region);
    if (known !== undefined) return known;
    const body = programRegion(optimize(regionProgram(region)));
    const result = body.key === region.key ? region : body;
    optimizedBodies.set(region, result);
    optimizedBodies.set(result, result);
    return result;
  };
  return rule("optimize loop bodies", (node: Node, g) => {
    if (node.op === "scan") {
      const body = optimized(node.attrs.body);
      return body === node.attrs.body
        ? undefined
        : g.scanNode(node.inputs, { ...node.attrs, body });
    }
    if (node.op === "cond") {
      const [whenTrue, whenFalse] = [
        optimized(node.attrs.whenTrue),
        optimized(node.attrs.whenFalse),
      ];
      const same = whenTrue === node.attrs.whenTrue && whenFalse === node.attrs.whenFalse;
      return same ? undefined : g.condNode(node.inputs, { ...node.attrs, whenTrue, whenFalse });
    }
    if (node.op === "while") {
      const [condition, body] = [optimized(node.attrs.condition), optimized(node.attrs.body)];
      const same = condition === node.attrs.condition && body === node.attrs.body;
      return same ? undefined : g.whileNode(node.inputs, { ...node.attrs, condition, body });
    }
    return undefined;
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
  return rebuild(program, (node, g, source) => {
    if (!unread.has(source.id)) return undefined;
    if (node.op === "scan") return g.scanNode(node.inputs, { ...node.attrs, tape: false });
    if (node.op === "while") return g.whileNode(node.inputs, { ...node.attrs, tape: false });
    return undefined;
  });
}

/** Ids of the loops with a tape that no slice reaches into and no entry fetches. */
function unreadTapes(program: Program): Set<number> {
  const roots = program.entries.flatMap(entryRoots);
  const reached = reachable([...program.leaves, ...roots]);
  const nodes = program.graph.nodes.filter((node) => reached.has(node.id));
  const tapeStart = new Map<number, number>();
  for (const node of nodes) {
    if ((node.op !== "scan" && node.op !== "while") || !node.attrs.tape) continue;
    const layout = node.op === "scan" ? scanLayout(node.attrs) : whileLayout(node.attrs);
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
