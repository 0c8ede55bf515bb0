// Reverse mode by extending the graph: partial adjoints are summed in reverse topological order.
import type { Ops } from "../dsl/ops.ts";
import type { Origin } from "../ir/graph.ts";
import type { Node } from "../ir/node.ts";
import { sameShape } from "../ir/shape.ts";
import { AdjointError } from "../errors.ts";
import { notDifferentiable } from "../ops/def.ts";
import { ops } from "../ops/registry.ts";
import { condVjp } from "./cond.ts";
import { scanVjp } from "./loops.ts";

/**
 * Appends to the graph the adjoints of `wrt` for outputs weighted by `cotangents`
 * (the vector-Jacobian product). An input that no output depends on gets a structural zero.
 */
export function vjp(
  g: Ops,
  outputs: readonly Node[],
  cotangents: readonly Node[],
  wrt: readonly Node[],
): Node[] {
  const relevant = nodesBetween(g, wrt, outputs);
  const masks = selectMasks(g, relevant, outputs);
  const firstNewId = g.graph.nodes.length;
  // node id -> the partial adjoints it has received so far (node_to_grad)
  const partials = new Map<number, Node[]>();
  outputs.forEach((output, i) => receive(partials, output, cotangents[i]));
  const adjoints = new Map<number, Node>();
  const lastId = Math.max(...outputs.map((output) => output.id));

  for (let id = lastId; id >= 0; id--) {
    const received = partials.get(id);
    if (received === undefined) continue;
    const y = g.graph.nodes[id];
    const origin = adjointOrigin(g, y);
    const y_bar = g.within(origin, () => received.reduce((total, part) => g.add(total, part)));
    // name only sums built here: a seed or a shared node keeps its own name
    if (origin.label !== undefined && y_bar.id >= firstNewId) g.graph.label(y_bar, origin.label);
    adjoints.set(id, y_bar);
    if (y.inputs.length === 0) continue;
    const rule = ops[y.op].vjp as (ctx: object) => readonly (Node | null | object)[];
    // partial adjoints are unnamed temporaries; only the summed adjoint carries the name
    const input_bars = g.within({ ...origin, label: undefined }, () =>
      // a loop's adjoint is a loop over the vjp of its body, a cond's a cond: built by this transform
      y.op === "scan"
        ? scanVjp(g, y, y_bar, vjp)
        : y.op === "cond"
          ? condVjp(g, y, y_bar, vjp)
          : rule({ g, y, inputs: y.inputs, attrs: y.attrs, y_bar }),
    );
    y.inputs.forEach((input, k) => {
      const input_bar = input_bars[k];
      if (input_bar === null || !relevant.has(input.id)) return;
      if (input_bar === notDifferentiable) throw notDifferentiableError(g, y, k);
      const part = g.within({ ...origin, label: undefined }, () =>
        masked(g, masks, y, input, input_bar as Node),
      );
      receive(partials, input, part);
    });
  }
  return wrt.map((w) => adjoints.get(w.id) ?? g.constant(0, w.shape));
}

/** Where a select's branch is inactive: the condition and which side (true for `a`, false for `b`). */
interface Mask {
  readonly cond: Node;
  readonly branch: boolean;
}

/**
 * NaN-safe selects. Through where(c, a, b) the adjoint of a is where(c, ȳ, 0); a chain under a,
 * such as sqrt(x), then sends back 0·∞ = NaN where c is false. For each branch we find its
 * private region: elementwise nodes of the select's shape whose every consumer on the gradient
 * path lies in the region or is the select (through that branch). Such a node's adjoint is zero
 * wherever its branch is inactive, so each partial adjoint leaving the region (to a node of the
 * same shape) is re-masked with where(c, part, 0): unchanged where c holds, the exact 0 elsewhere.
 * Regions of ops with bounded derivatives (sums, ·constant, tanh, ...) need no mask and get none.
 * Limits: a partial leaving to a node of another shape (a broadcast scalar, a reduction) is
 * already summed over positions and stays as it is; so do branches shared with other uses.
 */
function selectMasks(g: Ops, relevant: Set<number>, outputs: readonly Node[]): Map<number, Mask[]> {
  const consumers = consumersWithin(g, relevant);
  const seeded = new Set(outputs.map((output) => output.id));
  const masks = new Map<number, Mask[]>();
  for (const id of [...relevant].sort((a, b) => b - a)) {
    const select = g.graph.nodes[id];
    if (select.op !== "where") continue;
    const [cond, a, b] = select.inputs;
    for (const [branch, root] of [
      [true, a],
      [false, b],
    ] as const) {
      const mask: Mask = { cond, branch };
      const region = privateRegion(root, select, consumers, relevant, seeded);
      // a region of bounded derivatives sends back 0 from a zero adjoint: nothing to mask
      if (![...region].some((id) => !hasBoundedDerivative(g.graph.nodes[id]))) continue;
      for (const member of region) {
        masks.set(member, [...(masks.get(member) ?? []), mask]);
      }
    }
  }
  return masks;
}

/** Ops whose partial adjoints are ȳ times a factor that stays finite (for finite or infinite inputs). */
const boundedOps = new Set(["add", "sub", "neg", "where", "cast", "tanh", "sigmoid"]);

/** Whether a zero adjoint of `node` gives zero partials: no 0·∞ can arise in its rule. */
function hasBoundedDerivative(node: Node): boolean {
  if (boundedOps.has(node.op)) return true;
  // x·c with a finite constant c: the partial into x is ȳ·c
  const finiteConstant = (input: Node) =>
    input.op === "const" && input.attrs.values.every(Number.isFinite);
  return node.op === "mul" && node.inputs.some(finiteConstant);
}

/** For each relevant node, the relevant nodes that use it (one entry per use). */
function consumersWithin(g: Ops, relevant: Set<number>): Map<number, Node[]> {
  const consumers = new Map<number, Node[]>();
  for (const id of relevant) {
    const node = g.graph.nodes[id];
    for (const input of node.inputs) {
      if (!relevant.has(input.id)) continue;
      const list = consumers.get(input.id);
      if (list === undefined) consumers.set(input.id, [node]);
      else list.push(node);
    }
  }
  return consumers;
}

/** Ids of the nodes whose adjoint comes only through `root`, the branch of `select`. */
function privateRegion(
  root: Node,
  select: Node,
  consumers: Map<number, Node[]>,
  relevant: Set<number>,
  seeded: Set<number>,
): Set<number> {
  const region = new Set<number>();
  const fits = (node: Node) =>
    relevant.has(node.id) &&
    !seeded.has(node.id) &&
    node.inputs.length > 0 &&
    ops[node.op].emit.kind === "elementwise" &&
    sameShape(node.shape, select.shape);
  const owned = (node: Node) =>
    (consumers.get(node.id) ?? []).every((user) =>
      user === select
        ? node === root && select.inputs[1] !== select.inputs[2]
        : region.has(user.id),
    );
  const candidates = new Map<number, Node>([[root.id, root]]);
  while (candidates.size > 0) {
    // consumers have larger ids: deciding the largest first means its users are already decided
    const id = Math.max(...candidates.keys());
    const node = candidates.get(id)!;
    candidates.delete(id);
    if (!fits(node) || !owned(node)) continue;
    region.add(id);
    for (const input of node.inputs) candidates.set(input.id, input);
  }
  return region;
}

/** `part`, flowing from `y` into `input`, masked where y's select branch is inactive. */
function masked(g: Ops, masks: Map<number, Mask[]>, y: Node, input: Node, part: Node): Node {
  const inside = masks.get(y.id);
  if (inside === undefined || !sameShape(part.shape, y.shape)) return part;
  const outside = masks.get(input.id) ?? [];
  return inside
    .filter((mask) => !outside.includes(mask))
    .reduce(
      (value, { cond, branch }) => (branch ? g.where(cond, value, 0) : g.where(cond, 0, value)),
      part,
    );
}

function receive(partials: Map<number, Node[]>, node: Node, part: Node): void {
  const list = partials.get(node.id);
  if (list === undefined) partials.set(node.id, [part]);
  else list.push(part);
}

/** Adjoint nodes come from the primal's DSL line and are named after it: x -> x_bar. */
function adjointOrigin(g: Ops, primal: Node): Origin {
  const { loc, label } = g.graph.origin(primal);
  return { loc, role: "adjoint", label: label === undefined ? undefined : `${label}_bar` };
}

/**
 * Ids of nodes that depend on some `from` node and on which some `to` node depends, where a
 * stopGradient cuts the dependency (no gradient flows along such a path).
 */
export function nodesBetween(g: Ops, from: readonly Node[], to: readonly Node[]): Set<number> {
  const nodes = g.graph.nodes;
  const lastId = Math.max(-1, ...to.map((node) => node.id));
  const dependsOnFrom = new Set(from.map((node) => node.id));
  for (let id = 0; id <= lastId; id++) {
    // no gradient crosses a stopGradient: what it computes is a constant to the gradient
    if (nodes[id].op === "stopGradient") continue;
    if (nodes[id].inputs.some((input) => dependsOnFrom.has(input.id))) dependsOnFrom.add(id);
  }
  const between = new Set<number>();
  const stack = to.filter((node) => dependsOnFrom.has(node.id));
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (between.has(node.id)) continue;
    between.add(node.id);
    for (const input of node.inputs) if (dependsOnFrom.has(input.id)) stack.push(input);
  }
  return between;
}

/** The gradient would have to pass through input `k` of `y`, which carries no derivative. */
function notDifferentiableError(g: Ops, y: Node, k: number): AdjointError {
  const input = y.inputs[k];
  return new AdjointError(
    `grad: the gradient reaches ${y.op} through its input ${k + 1} (${input.op}, ${input.dtype}), ` +
      `which is not differentiable; wrap the value (or the real value it comes from) in ` +
      `g.stopGradient(...) to treat it as a constant`,
    g.graph.origin(y).loc,
  );
}
