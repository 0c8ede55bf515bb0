// Passes inside loop bodies: a body is a program of its own (its args are its leaves, its results
// one entry's fetches), so the whole optimizer runs on it; the loop is rebuilt over the result.
import type { Node, Region } from "../ir/node.ts";
import type { Program } from "../ir/program.ts";
import { programRegion, regionProgram } from "../ir/region.ts";
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
