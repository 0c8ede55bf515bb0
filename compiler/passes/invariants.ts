// Loop bodies lose what does not change from step to step: constant inputs become constants of the
// body, and values computed from captured values alone are computed once, outside, and captured.
import type { Ops } from "../dsl/ops.ts";
import { Graph } from "../ir/graph.ts";
import type { Node, NodeOf } from "../ir/node.ts";
import { makeRegion } from "../ir/region.ts";
import { rule } from "./rules.ts";

type Scan = NodeOf<"scan">;

interface Respecialized {
  /** Body args (by position) replaced by a constant of the body. */
  readonly constants: ReadonlyMap<number, NodeOf<"const">>;
  /** Body nodes computed outside, each captured by a new arg. */
  readonly hoisted: readonly Node[];
}

/** Sequences of one value and captured constants: known to the body, so no longer inputs. */
export const constantLoopInputs = rule("constant loop inputs into the body", (node, g) => {
  if (node.op !== "scan") return undefined;
  const { carries, sequences } = node.attrs;
  const constants = new Map<number, NodeOf<"const">>();
  node.inputs.forEach((input, k) => {
    if (k < carries || input.op !== "const") return;
    if (k < carries + sequences && input.attrs.values.length !== 1) return;
    constants.set(k, input);
  });
  return constants.size === 0 ? undefined : respecialize(g, node, { constants, hoisted: [] });
});

/** Body values that depend on captured values (and constants) alone move out of the loop; inputs it no longer reads go. */
export const loopInvariants = rule("move loop invariants out", (node, g) => {
  if (node.op !== "scan") return undefined;
  const hoisted = invariantFrontier(node);
  const { body, carries } = node.attrs;
  const read = reachableIds(body.results);
  const unread = body.args.some((arg, k) => k >= carries && !read.has(arg.id));
  return hoisted.length === 0 && !unread
    ? undefined
    : respecialize(g, node, { constants: new Map(), hoisted });
});

/** The invariant body nodes that a step-dependent node or a result reads. */
function invariantFrontier(node: Scan): Node[] {
  const { body, carries, sequences } = node.attrs;
  const invariant = new Set<number>();
  const captured = new Set(body.args.slice(carries + sequences).map((arg) => arg.id));
  const needed = reachableIds(body.results);
  for (const member of body.graph.nodes) {
    if (!needed.has(member.id) || member.inputs.length === 0) continue;
    const fixed = (input: Node) =>
      captured.has(input.id) || invariant.has(input.id) || input.op === "const";
    const anchored = member.inputs.some(
      (input) => captured.has(input.id) || invariant.has(input.id),
    );
    if (anchored && member.inputs.every(fixed)) invariant.add(member.id);
  }
  const frontier = new Map<number, Node>();
  for (const result of body.results) if (invariant.has(result.id)) frontier.set(result.id, result);
  for (const member of body.graph.nodes) {
    if (!needed.has(member.id) || invariant.has(member.id)) continue;
    for (const input of member.inputs) if (invariant.has(input.id)) frontier.set(input.id, input);
  }
  return [...frontier.values()].sort((a, b) => a.id - b.id);
}

/** The loop rebuilt with `change` applied to its body and its inputs. */
function respecialize(g: Ops, node: Scan, change: Respecialized): Node {
  const { attrs } = node;
  const old = attrs.body;
  const source = old.graph as Graph;
  const graph = new Graph(source.ops, source.dtype, source.customRules);
  const mapped = new Map<number, Node>();
  const args: NodeOf<"input">[] = [];
  const inputs: Node[] = [];
  const sliced: boolean[] = [];
  old.args.forEach((arg, k) => {
    const constant = change.constants.get(k);
    if (constant !== undefined) {
      const { values, dtype } = constant.attrs;
      mapped.set(arg.id, graph.intern("const", [], { values, shape: arg.shape, dtype }));
      return;
    }
    const copy = graph.intern("input", [], arg.attrs, () => source.origin(arg));
    mapped.set(arg.id, copy);
    args.push(copy);
    inputs.push(node.inputs[k]);
    sliced.push(k >= attrs.carries && k < attrs.carries + attrs.sequences);
  });
  const outside = outerValues(g, node, change.hoisted);
  change.hoisted.forEach((member, j) => {
    const attrs = { name: `hoisted${j}`, shape: member.shape, dtype: member.dtype };
    const arg = graph.intern("input", [], attrs, () => source.origin(member));
    mapped.set(member.id, arg);
    args.push(arg);
    inputs.push(outside[j]);
    sliced.push(false);
  });
  const results = copyNodes(graph, source, old.results, mapped);
  // an input the body no longer reads (read only by hoisted nodes, say) is dropped; carries stay
  const read = reachableIds(results);
  const keep = args.map((arg, k) => k < attrs.carries || read.has(arg.id));
  return g.scanNode(
    inputs.filter((_, k) => keep[k]),
    {
      ...attrs,
      body: makeRegion(
        graph,
        args.filter((_, k) => keep[k]),
        results,
      ),
      sequences: sliced.filter((isSliced, k) => isSliced && keep[k]).length,
    },
  );
}

/** The hoisted body nodes computed in the outer graph, from the loop's captured inputs. */
function outerValues(g: Ops, node: Scan, hoisted: readonly Node[]): Node[] {
  const { body } = node.attrs;
  const mapped = new Map<number, Node>();
  body.args.forEach((arg, k) => mapped.set(arg.id, node.inputs[k]));
  return copyNodes(g.graph, body.graph as Graph, hoisted, mapped);
}

/** `roots` of `source` interned in `graph`, through `mapped` where it already has a node. */
function copyNodes(
  graph: Graph,
  source: Graph,
  roots: readonly Node[],
  mapped: Map<number, Node>,
): Node[] {
  const needed = reachableIds(roots, mapped);
  for (const member of source.nodes) {
    if (!needed.has(member.id) || mapped.has(member.id)) continue;
    const inputs = member.inputs.map((input) => mapped.get(input.id)!);
    const copy = graph.intern(member.op, inputs, member.attrs as never, () =>
      source.origin(member),
    ) as Node;
    const label = source.origin(member).label;
    if (label !== undefined) graph.label(copy, label);
    mapped.set(member.id, copy);
  }
  return roots.map((root) => mapped.get(root.id)!);
}

function reachableIds(
  roots: readonly Node[],
  stop: ReadonlyMap<number, Node> = new Map(),
): Set<number> {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const member = stack.pop()!;
    if (seen.has(member.id)) continue;
    seen.add(member.id);
    if (!stop.has(member.id)) stack.push(...member.inputs);
  }
  return seen;
}
