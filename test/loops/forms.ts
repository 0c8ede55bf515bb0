// Every form of scan, written once over a `Scan` function so that each runs both as g.scan and as
// the host-unrolled loop of the same steps: the two must agree in value and in every derivative.
import { program, type Node, type ProgramBuilder } from "../../compiler/index.ts";
import { isNodeLeaf, leavesOf, mapLeaves } from "../../compiler/ir/tree.ts";

export interface ScanOptions {
  readonly length?: number;
  readonly reverse?: boolean;
}
// the body's carry and slices are trees of nodes, typed loosely as the DSL's scan is
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tree = any;
export type Scan = (
  g: ProgramBuilder,
  body: (carry: Tree, x: Tree) => readonly [Tree, Tree],
  init: Tree,
  xs?: Tree,
  options?: ScanOptions,
) => [Tree, Tree];

export const looped: Scan = (g, body, init, xs, options) => g.scan(body, init, xs, options);

/** The same loop unrolled by the host: one copy of the body per step, outputs stacked. */
export const unrolled: Scan = (g, body, init, xs, options = {}) => {
  const leaf = (value: unknown) => isNodeLeaf(value);
  const seqs = xs === undefined ? [] : leavesOf(xs, leaf).map(([, node]) => node as Node);
  const length = options.length ?? seqs[0].shape[0];
  let carry = init;
  const steps: Tree[] = new Array(length);
  for (let s = 0; s < length; s++) {
    const t = options.reverse === true ? length - 1 - s : s;
    const x =
      xs === undefined
        ? undefined
        : mapLeaves(xs, leaf, (node) => {
            const n = node as Node;
            // integers are sliced as floats: the movement ops take real values only
            const real = n.dtype === "i32" ? g.cast(n, g.graph.dtype) : n;
            const begin = [t, ...n.shape.slice(1).map(() => 0)];
            const slice = g.reshape(
              g.slice(real, begin, [t + 1, ...n.shape.slice(1)]),
              n.shape.slice(1),
            );
            return n.dtype === "i32" ? g.cast(slice, "i32") : slice;
          });
    const [next, y] = body(carry, x);
    carry = next;
    steps[t] = y;
  }
  const first = steps[0];
  if (first === undefined || leavesOf(first, leaf).length === 0) return [carry, first];
  const perStep = steps.map((y) => leavesOf(y, leaf).map(([, node]) => node as Node));
  let k = 0;
  const stacked = mapLeaves(first, leaf, () => {
    const column = perStep.map((nodes) => nodes[k]);
    k++;
    return g.stack(column);
  });
  return [carry, stacked];
};

/** A program written over a loop function `L` (g.scan or its unrolled twin, g.whileLoop or its). */
export interface LoopForm<L> {
  readonly name: string;
  readonly leaves: Readonly<Record<string, readonly number[]>>;
  /** Integer inputs (token ids): fed, never differentiated. */
  readonly ints?: Readonly<Record<string, readonly number[]>>;
  /** A scalar objective of the leaves through the loop. */
  readonly build: (g: ProgramBuilder, loop: L, leaf: (name: string) => Node) => Node;
}

export type Form = LoopForm<Scan>;

const ramp = (n: number, scale: number, shift = 0) =>
  Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + 0.7) * scale + shift);

/** Each form: its leaves (name -> values; shapes are declared in the build) and its objective. */
export const forms: readonly Form[] = [
  {
    name: "an RNN with captured weights, every hidden state stacked",
    leaves: { W: ramp(6, 0.6), U: ramp(9, 0.5), h0: ramp(3, 0.3), xs: ramp(8, 1) },
    build: (g, scan, leaf) => {
      const [W, U] = [g.reshape(leaf("W"), [2, 3]), g.reshape(leaf("U"), [3, 3])];
      const [h0, xs] = [leaf("h0"), leaf("xs")];
      const [hT, hs] = scan(
        g,
        (h, x) => {
          const next = g.tanh(
            g.add(g.matmul(g.reshape(x, [1, 2]), W), g.matmul(g.reshape(h, [1, 3]), U)),
          );
          const flat = g.reshape(next, [3]);
          return [flat, g.sum(g.square(flat))];
        },
        h0,
        g.reshape(xs, [4, 2]),
      );
      return g.add(g.sum(hs), g.sum(g.mul(hT, hT)));
    },
  },
  {
    name: "reverse, with two sequences scanned together",
    leaves: { a: ramp(5, 0.8), b: ramp(5, 0.5, 1), c: [0.4] },
    build: (g, scan, leaf) => {
      const [a, b] = [leaf("a"), leaf("b")];
      const c = g.reshape(leaf("c"), []);
      const [pT, ys] = scan(
        g,
        (p, { u, v }) => {
          const next = g.add(g.mul(p, u), g.sin(g.mul(v, c)));
          return [next, g.mul(next, v)];
        },
        c,
        { u: a, v: b },
        { reverse: true },
      );
      return g.add(g.mul(pT, pT), g.sum(g.mul(ys, ys)));
    },
  },
  {
    name: "a trip count without sequences",
    leaves: { x0: [0.3, -0.2], k: [0.9, 1.1] },
    build: (g, scan, leaf) => {
      const [x0, k] = [leaf("x0"), leaf("k")];
      const [xT] = scan(g, (x) => [g.add(g.mul(x, k), g.mul(0.1, g.sin(x))), []], x0, undefined, {
        length: 6,
      });
      return g.sum(g.exp(xT));
    },
  },
  {
    name: "a record as the carry and as the outputs (an LSTM-like cell)",
    leaves: { Wg: ramp(8, 0.7), xs: ramp(6, 1), s: [0.5] },
    build: (g, scan, leaf) => {
      const [Wg, xs, s] = [leaf("Wg"), leaf("xs"), leaf("s")];
      const init = { h: g.constant([0.1, -0.1], [2]), c: g.constant([0, 0.2], [2]) };
      const [last, out] = scan(
        g,
        (state, x) => {
          const z = g.matmul(
            g.reshape(g.concat([state.h, g.reshape(x, [2])]), [1, 4]),
            g.reshape(Wg, [4, 2]),
          );
          const gate = g.sigmoid(g.reshape(z, [2]));
          const c = g.add(g.mul(gate, state.c), g.mul(g.sub(1, gate), g.tanh(g.mul(x, s))));
          const h = g.mul(gate, g.tanh(c));
          return [
            { h, c },
            { y: g.sum(h), c2: g.mul(c, c) },
          ];
        },
        init,
        g.reshape(xs, [3, 2]),
      );
      return g.add(g.add(g.sum(out.y), g.sum(out.c2)), g.sum(g.mul(last.h, last.c)));
    },
  },
  {
    name: "a scan nested in a scan, the inner body reading the outer carry and a captured value",
    leaves: { m: ramp(6, 0.9), a: [0.7] },
    build: (g, scan, leaf) => {
      const [m, a] = [leaf("m"), leaf("a")];
      const [total] = scan(
        g,
        (acc, row) => {
          const [inner] = scan(
            g,
            (r, x) => [g.add(g.mul(r, g.reshape(a, [])), g.mul(x, g.sin(acc))), []],
            acc,
            row,
          );
          return [g.add(acc, g.tanh(inner)), []];
        },
        g.constant(0.2),
        g.reshape(m, [2, 3]),
      );
      return g.mul(total, total);
    },
  },
  {
    name: "integer tokens as the sequence, rows gathered from a captured embedding",
    leaves: { E: ramp(8, 0.6), h0: [0.1, -0.3] },
    ints: { ids: [1, 3, 0, 3, 2] },
    build: (g, scan, leaf) => {
      const E = g.reshape(leaf("E"), [4, 2]);
      const [hT, hs] = scan(
        g,
        (h, id) => {
          const row = g.gather(E, id);
          const next = g.tanh(g.add(g.mul(h, row), row));
          return [next, g.logsumexp(next)];
        },
        leaf("h0"),
        leaf("ids"),
      );
      return g.add(g.sum(hs), g.sum(hT));
    },
  },
  {
    name: "an i32 step counter in the carry, gathering the step's row of a captured table",
    leaves: { P: ramp(8, 0.5), h0: [0.2, -0.4] },
    build: (g, scan, leaf) => {
      const P = g.reshape(leaf("P"), [4, 2]);
      const [last, ys] = scan(
        g,
        (s) => {
          const h = g.tanh(g.add(g.mul(s.h, 1.1), g.gather(P, s.k)));
          const k = g.cast(g.add(g.cast(s.k, "f64"), 1), "i32");
          return [{ h, k }, g.mul(g.sum(h), g.cast(s.k, "f64"))];
        },
        { h: leaf("h0"), k: g.constant(0, [], "i32") },
        undefined,
        { length: 4 },
      );
      return g.add(g.sum(ys), g.add(g.sum(g.square(last.h)), g.cast(last.k, "f64")));
    },
  },
  {
    name: "a customVjp in the body: a softsign whose rule is written by hand",
    leaves: { xs: ramp(4, 1.2), w: [0.7] },
    build: (g, scan, leaf) => {
      const w = g.reshape(leaf("w"), []);
      // softsign(u) = u / (1 + |u|), d/du = 1 / (1 + |u|)²
      const softsign = (u: Node) =>
        g.customVjp(
          [u],
          (u) => g.div(u, g.add(1, g.abs(u))),
          ({ g, inputs: [u], output_bar }) => [g.div(output_bar, g.square(g.add(1, g.abs(u))))],
        );
      const [hT, hs] = scan(
        g,
        (h, x) => {
          const next = softsign(g.add(g.mul(h, w), x));
          return [next, g.mul(next, next)];
        },
        g.constant(0.1),
        leaf("xs"),
      );
      return g.add(g.sum(hs), g.mul(hT, w));
    },
  },
];

/** Shapes of the leaves, where a form declares more than a vector. */
export function declareLeaves<L>(g: ProgramBuilder, form: LoopForm<L>): (name: string) => Node {
  const nodes = new Map<string, Node>();
  for (const [name, values] of Object.entries(form.leaves))
    nodes.set(name, g.input(name, [values.length]));
  for (const [name, values] of Object.entries(form.ints ?? {}))
    nodes.set(name, g.input(name, [values.length], { dtype: "i32" }));
  return (name) => nodes.get(name)!;
}

/** The objective and its derivatives of every order this suite checks, as fetched nodes. */
export function derivatives<L>(form: LoopForm<L>, scan: L) {
  let nodes: Record<string, Node> = {};
  const built = program("forms", (g) => {
    const leaf = declareLeaves(g, form);
    const names = Object.keys(form.leaves);
    const xs = names.map(leaf);
    const f = form.build(g, scan, leaf);
    const grads = g.grad(f, xs);
    const vs = names.map((name) =>
      g.constant(
        form.leaves[name].map((_, i) => Math.cos(i + name.length)),
        [form.leaves[name].length],
      ),
    );
    const hv = g.hvp(f, xs, vs);
    const third = g.grad(g.sum(g.concat(hv.map((h, k) => g.mul(h, vs[k])))), xs[0]);
    const [jv] = g.jvp([f], xs, vs);
    nodes = {
      f,
      jv,
      third,
      ...Object.fromEntries(
        names.flatMap((name, k) => [
          [`g_${name}`, grads[k]],
          [`hv_${name}`, hv[k]],
        ]),
      ),
    };
    g.entry("all", { fetch: nodes });
  });
  return { program: built, nodes };
}
