// Every form of whileLoop, written once over a `While` function so that each runs both as
// g.whileLoop and as its twin unrolled by the host (maxIterations steps, each a g.cond that steps
// while the loop runs and passes the carry through after): the two must agree in every derivative.
import type { Node, ProgramBuilder } from "../../compiler/index.ts";
import { isNodeLeaf, mapLeaves } from "../../compiler/ir/tree.ts";
import type { LoopForm } from "./forms.ts";

// the carry is a tree of nodes, typed loosely as the DSL's whileLoop is
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tree = any;
export type While = (
  g: ProgramBuilder,
  condition: (carry: Tree) => Node,
  body: (carry: Tree) => Tree,
  init: Tree,
  options: { maxIterations: number },
) => { value: Tree; iterations: Node };

export const looped: While = (g, condition, body, init, options) =>
  g.whileLoop(condition, body, init, options);

const leaf = (value: unknown) => isNodeLeaf(value);

/** The same loop unrolled: maxIterations conds, each stepping while the loop still runs. */
export const unrolled: While = (g, condition, body, init, { maxIterations }) => {
  const real = g.graph.dtype;
  // cond branches return reals: an integer carry crosses them as a float
  const toReal = (tree: Tree) =>
    mapLeaves(tree, leaf, (n) =>
      (n as Node).dtype === real ? n : g.stopGradient(g.cast(n as Node, real)),
    );
  const back = (tree: Tree, like: Tree) => {
    const dtypes: string[] = [];
    mapLeaves(like, leaf, (n) => dtypes.push((n as Node).dtype));
    let k = 0;
    return mapLeaves(tree, leaf, (n) => {
      const dtype = dtypes[k++];
      return dtype === real ? n : g.cast(g.stopGradient(n as Node), dtype as "i32");
    });
  };
  let carry = init;
  let running: Node = g.constant(1);
  let count: Node = g.constant(0);
  for (let i = 0; i < maxIterations; i++) {
    const go = g.gt(g.where(condition(carry), running, 0), 0.5);
    const before = carry;
    carry = back(
      g.cond(
        go,
        () => toReal(body(before)),
        () => toReal(before),
      ),
      init,
    );
    running = g.where(go, 1, 0);
    count = g.add(count, running);
  }
  return { value: carry, iterations: g.cast(g.stopGradient(count), "i32") };
};

/** The count as a real number, a constant to every derivative. */
const counted = (g: ProgramBuilder, iterations: Node) => g.cast(iterations, "f64");

export const whileForms: readonly LoopForm<While>[] = [
  {
    name: "x ← x·k + 0.1·sin(x) until |x|² reaches a captured bound (11 steps here)",
    leaves: { x0: [0.3, -0.2], k: [1.7, 1.4], bound: [30] },
    build: (g, loop, leaf) => {
      const [x0, k] = [leaf("x0"), leaf("k")];
      const bound = g.reshape(leaf("bound"), []);
      const { value, iterations } = loop(
        g,
        (x) => g.lt(g.sum(g.square(x)), bound),
        (x) => g.add(g.mul(x, k), g.mul(0.1, g.sin(x))),
        x0,
        { maxIterations: 20 },
      );
      return g.add(g.sum(g.exp(g.mul(0.1, value))), g.mul(0.01, counted(g, iterations)));
    },
  },
  {
    name: "a record carry with an i32 counter: v ← tanh(v·W) + v three times",
    leaves: { v0: [0.4, -0.7], W: [0.9, -0.3, 0.5, 1.1] },
    build: (g, loop, leaf) => {
      const W = g.reshape(leaf("W"), [2, 2]);
      const { value } = loop(
        g,
        (s) => g.lt(s.k, g.constant(3, [], "i32")),
        (s) => ({
          v: g.add(g.reshape(g.tanh(g.matmul(g.reshape(s.v, [1, 2]), W)), [2]), s.v),
          k: g.cast(g.add(g.cast(s.k, "f64"), 1), "i32"),
        }),
        { v: leaf("v0"), k: g.constant(0, [], "i32") },
        { maxIterations: 5 },
      );
      return g.add(g.sum(g.square(value.v)), counted(g, value.k));
    },
  },
  {
    name: "a while in a scan: each step grows u from the carry until it passes 4",
    leaves: { xs: [0.6, 0.9, 0.75], a: [1.5] },
    build: (g, loop, leaf) => {
      const a = g.reshape(leaf("a"), []);
      const [hT, ys] = g.scan(
        (h: Node, x: Node) => {
          const { value: u, iterations } = loop(
            g,
            (u) => g.lt(u, 4),
            (u) => g.add(g.mul(u, a), g.mul(x, 0.5)),
            g.add(g.mul(h, 0.2), x),
            { maxIterations: 8 },
          );
          return [g.tanh(u), g.mul(u, counted(g, iterations))] as const;
        },
        g.constant(0.3),
        leaf("xs"),
      );
      return g.add(g.mul(hT, hT), g.sum(ys));
    },
  },
  {
    name: "a scan in a while: r ← r·w + q over a captured sequence while the sum of v is below 2",
    leaves: { v0: [0.2, 0.1], q: [0.3, -0.1, 0.25], w: [0.8] },
    build: (g, loop, leaf) => {
      const w = g.reshape(leaf("w"), []);
      const { value } = loop(
        g,
        (v) => g.lt(g.sum(v), 2),
        (v) => {
          const start: Node = v;
          const [r] = g.scan(
            (r: Node, q: Node) => [g.add(g.mul(r, w), q), []] as const,
            start,
            leaf("q"),
          );
          return g.add(g.tanh(r), g.mul(start, 1.2));
        },
        leaf("v0"),
        { maxIterations: 10 },
      );
      return g.sum(g.mul(value, value));
    },
  },
  {
    name: "a customVjp in the body: y = x² whose rule says 2x, x ← y + c",
    leaves: { x0: [0.5], c: [0.4] },
    build: (g, loop, leaf) => {
      const c = g.reshape(leaf("c"), []);
      const square = (x: Node) =>
        g.customVjp(
          [x],
          (x) => g.mul(x, x),
          ({ g, inputs: [x], output_bar }) => [g.mul(output_bar, g.mul(2, x))],
        );
      const { value } = loop(
        g,
        (x) => g.lt(x, 3),
        (x) => g.add(square(x), c),
        g.reshape(leaf("x0"), []),
        { maxIterations: 12 },
      );
      return g.mul(value, g.sin(value));
    },
  },
  {
    name: "a loop stopped by its bound: the condition still holds after 4 steps",
    leaves: { x0: [1.1], s: [1.3] },
    build: (g, loop, leaf) => {
      const s = g.reshape(leaf("s"), []);
      const { value, iterations } = loop(
        g,
        (x) => g.lt(x, 1e9),
        (x) => g.add(g.mul(x, s), g.sin(x)),
        g.reshape(leaf("x0"), []),
        { maxIterations: 4 },
      );
      return g.add(g.log(value), counted(g, iterations));
    },
  },
];
