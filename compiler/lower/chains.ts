// Fused chains: the nodes computed inside another's loop, and what a chain reads from outside.
import type { Node, NodeOf } from "../ir/node.ts";

export function isScalarNode(node: Node): boolean {
  return node.shape.length === 0;
}

export function isSplatConst(node: Node): node is NodeOf<"const"> {
  return node.op === "const" && node.attrs.values.length === 1;
}

/** The node whose code computes `node`: the end of its fused chain, or itself. */
export function emitSite(fusedInto: ReadonlyMap<number, Node>, node: Node): Node {
  let site = node;
  for (let next = fusedInto.get(site.id); next !== undefined; next = fusedInto.get(site.id))
    site = next;
  return site;
}

/** The values a fused chain ending at `node` reads from outside the chain. */
export function chainOperands(fusedInto: ReadonlyMap<number, Node>, node: Node): Node[] {
  const operands: Node[] = [];
  const visit = (member: Node) => {
    for (const input of member.inputs) {
      if (fusedInto.get(input.id) === member) visit(input);
      else operands.push(input);
    }
  };
  visit(node);
  return operands;
}

/** The nodes fused into `node`'s loop, inputs before their readers, ending with `node` itself. */
export function fusedChain(fusedInto: ReadonlyMap<number, Node>, node: Node): Node[] {
  const chain = new Map<number, Node>();
  const visit = (member: Node) => {
    if (chain.has(member.id)) return;
    for (const input of member.inputs) if (fusedInto.has(input.id)) visit(input);
    chain.set(member.id, member);
  };
  visit(node);
  return [...chain.values()];
}

/** For each node, the distinct nodes among `nodes` that read it, by id. */
export function readersOf(nodes: Iterable<Node>): Map<number, Map<number, Node>> {
  const readers = new Map<number, Map<number, Node>>();
  for (const node of nodes) {
    for (const input of node.inputs) {
      const known = readers.get(input.id) ?? new Map<number, Node>();
      known.set(node.id, node);
      readers.set(input.id, known);
    }
  }
  return readers;
}
