// Simplify: constant folding through the interpreter, then the algebraic rules, to a fixed point.
import type { Ops } from "../dsl/ops.ts";
import { interpret } from "../ops/interpret.ts";
import type { Node } from "../ir/node.ts";
import type { Program } from "../ir/program.ts";
import { rebuild } from "./rebuild.ts";
import { rule, type Rule } from "./rules.ts";

/** Folded tensors larger than this stay computed, unless every element is the same. */
const maxFoldedElements = 4096;

export const foldRule: Rule = rule("fold constants", (node, g) => {
  if (node.inputs.length === 0 || !node.inputs.every((input) => input.op === "const"))
    return undefined;
  const [data] = interpret([node]);
  const splat = data.every((value) => Object.is(value, data[0]));
  if (!splat && data.length > maxFoldedElements) return undefined;
  // the folded constant keeps the node's dtype: a folded comparison is still a bool
  return g.constant(splat ? data[0] : [...data], node.shape, node.dtype);
});

export interface SimplifyResult {
  readonly program: Program;
  /** How often each rule fired. */
  readonly fired: ReadonlyMap<string, number>;
}

/** One bottom-up sweep; each node is rewritten until no rule matches it. */
export function simplify(program: Program, rules: readonly Rule[]): SimplifyResult {
  const fired = new Map<string, number>();
  const rewrite = (node: Node, g: Ops): Node | undefined => {
    let current = node;
    for (let step = 0; step < 100; step++) {
      const hit = firstMatch(rules, current, g);
      if (hit === undefined) return current === node ? undefined : current;
      fired.set(hit.rule.name, (fired.get(hit.rule.name) ?? 0) + 1);
      current = hit.result;
    }
    throw new Error(`simplify: rules do not terminate on ${node.op} %${node.id}`);
  };
  const rebuilt = rebuild(program, rewrite);
  // nothing fired and nothing merged: the copy is the input node for node, so keep the input
  const same = fired.size === 0 && rebuilt.graph.nodes.length === program.graph.nodes.length;
  return { program: same ? program : rebuilt, fired };
}

function firstMatch(rules: readonly Rule[], node: Node, g: Ops) {
  for (const candidate of rules) {
    const result = candidate.apply(node, g);
    if (result !== undefined && result !== node) return { rule: candidate, result };
  }
  return undefined;
}
