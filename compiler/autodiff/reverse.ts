// Reverse mode by extending the graph: partial adjoints are summed in reverse topological order.
import type { Ops } from "../dsl/ops.ts";
import type { Origin } from "../ir/graph.ts";
import type { DType, Node, OpName } from "../ir/node.ts";
import { AdjointError } from "../errors.ts";
import { notDifferentiable, type LoopVjps, type OpDef, type Partials } from "../ops/def.ts";
import { ops } from "../ops/registry.ts";
import { condVjp } from "./cond.ts";
import { scanVjp } from "./loops.ts";
import { whileVjp } from "./while.ts";

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
  const strong = underSelects(g, relevant);
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
    // partial adjoints are unnamed temporaries; only the summed adjoint carries the name
    const input_bars = g.within({ ...origin, label: undefined }, () =>
      partialsOf(g, y, y_bar, strong.has(id)),
    );
    y.inputs.forEach((input, k) => {
      const input_bar = input_bars[k];
      if (input_bar === null || !relevant.has(input.id)) return;
      if (input_bar === notDifferentiable) throw notDifferentiableError(g, y, k);
      receive(partials, input, input_bar as Node);
    });
  }
  return wrt.map((w) => adjoints.get(w.id) ?? g.constant(0, w.shape));
}

/**
 * NaN-safe selects. Through where(c, a, b) the adjoint of a is where(c, ȳ, 0): exactly 0 where the
 * branch is not taken. Every node that adjoint can reach (the branches and what they are computed
 * from) has its partials built with strong zero (a term ȳ[o]·∂y[o]/∂x[i] with ȳ[o] = 0 counts as 0,
 * even where the derivative is ±∞ or NaN), as its op record's `zeroAdjoint` says; other nodes,
 * and every program without a select, keep their plain rules.
 */
function underSelects(g: Ops, relevant: Set<number>): Set<number> {
  const reached = new Set<number>();
  // consumers have larger ids: visiting ids downwards settles a node before its inputs
  for (const id of [...relevant].sort((a, b) => b - a)) {
    const node = g.graph.nodes[id];
    const branches = node.op === "where" ? node.inputs.slice(1) : [];
    // a boolean or integer value carries no adjoint: nothing flows on from it
    const carries = reached.has(id) && isFloat(node.dtype) ? node.inputs : [];
    for (const input of [...branches, ...carries])
      if (relevant.has(input.id)) reached.add(input.id);
  }
  return reached;
}

/** The partials of `y` from its adjoint, with strong zero where a select's 0 may reach it. */
function partialsOf(g: Ops, y: Node, y_bar: Node, strong: boolean): Partials {
  const record = ops[y.op] as unknown as OpDef<OpName>;
  const loops = loopVjps(g);
  const rule = (inputs: readonly Node[], bar: Node) =>
    record.vjp({ g, y, inputs, attrs: y.attrs, y_bar: bar, loops });
  const zero = record.zeroAdjoint;
  if (!strong || zero === "bounded") return rule(y.inputs, y_bar);
  return zero({ g, y, inputs: y.inputs, attrs: y.attrs, y_bar, rule, loops });
}

/**
 * The reverse rules of region ops, which differentiate their bodies by this transform: a loop's
 * adjoint is a loop over the vjp of its body, a cond's a cond of its branches' vjps.
 */
export function loopVjps(g: Ops): LoopVjps {
  return {
    scan: (y, y_bar) => scanVjp(g, y, y_bar, vjp),
    cond: (y, y_bar) => condVjp(g, y, y_bar, vjp),
    while: (y, y_bar) => whileVjp(g, y, y_bar, vjp),
  };
}

const isFloat = (dtype: DType) => dtype === "f64" || dtype === "f32";

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
