// The derivatives of a cond are conds: each branch of the adjoint (or tangent) cond is the vjp (or
// jvp) of that branch, so only the taken branch's derivative runs, and the inputs only the other
// branch reads get an exact zero, never a NaN from a value that was not computed.
import { condParts } from "../dsl/cond.ts";
import type { Ops } from "../dsl/ops.ts";
import type { Node, NodeOf, Region } from "../ir/node.ts";
import { inlineRegion } from "../ir/region.ts";

type Cond = NodeOf<"cond">;
type Vjp = (
  g: Ops,
  outputs: readonly Node[],
  cotangents: readonly Node[],
  wrt: readonly Node[],
) => Node[];
type Jvp = (
  g: Ops,
  outputs: readonly Node[],
  wrt: readonly Node[],
  tangents: readonly Node[],
) => Node[];

/** The branches with the range of the cond's inputs (after the predicate) each one reads. */
function branches(y: Cond): readonly (readonly [Region, number, number])[] {
  const { whenTrue, whenFalse, split } = y.attrs;
  const count = y.inputs.length - 1;
  return [
    [whenTrue, 0, split],
    [whenFalse, split, count],
  ];
}

/** The cond of two regions built as `branches` says, over the predicate of `y`. */
function condOf(
  g: Ops,
  y: Cond,
  build: (region: Region, from: number, to: number) => readonly Node[],
) {
  const [[yes, ...yesRange], [no, ...noRange]] = branches(y);
  const a = g.region([], () => build(yes, ...yesRange));
  const b = g.region([], () => build(no, ...noRange));
  const attrs = { whenTrue: a.region, whenFalse: b.region, split: a.captured.length };
  return { node: g.condNode([y.inputs[0], ...a.captured, ...b.captured], attrs), attrs };
}

/** Adjoints of a cond's inputs: the taken branch's vjp, zeros for what only the other one reads. */
export function condVjp(g: Ops, y: Cond, y_bar: Node, vjp: Vjp): (Node | null)[] {
  const inputs = y.inputs.slice(1);
  const real = inputs.map((input) => input.dtype === g.graph.dtype);
  if (!real.some(Boolean)) return y.inputs.map(() => null);
  const bars = condParts(g, y_bar, y.attrs);
  const { node, attrs } = condOf(g, y, (region, from, to) => {
    const own = inputs.slice(from, to).map((input) => g.local(input));
    const step = inlineRegion(g.graph, region, own);
    const wrt = own.filter((_, k) => real[from + k]);
    const grads = vjp(
      g,
      step,
      bars.map((bar) => g.local(bar)),
      wrt,
    );
    let next = 0;
    return inputs.flatMap((input, k) => {
      if (!real[k]) return [];
      return [k >= from && k < to ? grads[next++] : g.constant(0, input.shape)];
    });
  });
  const parts = condParts(g, node, attrs);
  let next = 0;
  return [null, ...inputs.map((_, k) => (real[k] ? parts[next++] : null))];
}

/** The tangent of a cond's value: the taken branch's jvp, in the same flat layout. */
export function condJvp(g: Ops, y: Cond, dots: readonly (Node | null)[], jvp: Jvp): Node {
  const inputDots = dots.slice(1);
  return condOf(g, y, (region, from, to) => {
    const own = y.inputs.slice(1 + from, 1 + to).map((input) => g.local(input));
    const step = inlineRegion(g.graph, region, own);
    const moving = own.flatMap((arg, k) => {
      const dot = inputDots[from + k];
      return dot === null ? [] : [[arg, g.local(dot)] as const];
    });
    return jvp(
      g,
      step,
      moving.map(([arg]) => arg),
      moving.map(([, dot]) => dot),
    );
  }).node;
}
