// Which graphs a customVjp rule is running for, so a builder the rule closes over can say, when it
// is handed the rule's nodes, what to change instead of only that they belong elsewhere.
import type { Node } from "../ir/node.ts";

interface HasNodes {
  has(node: Node): boolean;
}

const running: HasNodes[] = [];

/** Runs a custom rule for `graph`. */
export function inRuleFor<T>(graph: HasNodes, rule: () => T): T {
  running.push(graph);
  try {
    return rule();
  } finally {
    running.pop();
  }
}

/** Whether `node` belongs to a graph a custom rule is being run for right now. */
export function isRuleNode(node: Node): boolean {
  return running.some((graph) => graph.has(node));
}
