// Cases for scan: loops checked against a plain loop over the same numbers, and differentiated
// (first order, both second orders, jvp against vjp) like every other op.
import type { Node } from "../../../compiler/ir/node.ts";
import { tensor, type OpTable } from "../kit.ts";

export const loopCases = {
  scan: [
    {
      label: "h ← tanh(w·h + x) over 3 steps, every h stacked",
      leaves: [tensor("h0", [2]), tensor("xs", [3, 2]), tensor("w", [2])],
      build: (g, [h0, xs, w]) =>
        g.scan(
          (h: Node, x: Node) => {
            const next = g.tanh(g.add(g.mul(w, h), x));
            return [next, next] as const;
          },
          h0,
          xs,
        )[1],
      shape: [3, 2],
      expected: ([h0, xs, w]) => {
        const out: number[] = [];
        let h = [...h0];
        for (let t = 0; t < 3; t++) {
          h = h.map((value, i) => Math.tanh(w[i] * value + xs[2 * t + i]));
          out.push(...h);
        }
        return out;
      },
    },
    {
      label: "a product carried in reverse over 4 steps, its final value",
      leaves: [tensor("xs", [4], [0.5, 1.5]), tensor("c", [], [-1, 1])],
      build: (g, [xs, c]) =>
        g.scan((p: Node, x: Node) => [g.add(g.mul(p, x), g.sin(c)), []] as const, c, xs, {
          reverse: true,
        })[0],
      shape: [],
      expected: ([xs, c]) => {
        let p = c[0];
        for (let t = 3; t >= 0; t--) p = p * xs[t] + Math.sin(c[0]);
        return [p];
      },
    },
    {
      label: "a record carry over a trip count, no sequences",
      leaves: [tensor("x0", [2]), tensor("k", [2], [0.5, 1])],
      build: (g, [x0, k]) => {
        const [last] = g.scan(
          (s) => [{ x: g.add(g.mul(s.x, k), g.mul(0.1, g.sin(s.v))), v: g.cos(s.x) }, []] as const,
          { x: x0, v: k },
          undefined,
          { length: 3 },
        );
        return g.add(last.x, last.v);
      },
      shape: [2],
      expected: ([x0, k]) => {
        let [x, v] = [[...x0], [...k]];
        for (let t = 0; t < 3; t++) {
          [x, v] = [x.map((xi, i) => xi * k[i] + 0.1 * Math.sin(v[i])), x.map(Math.cos)];
        }
        return x.map((xi, i) => xi + v[i]);
      },
    },
    {
      label: "a scan in a scan: row sums of sin(row · a) accumulated",
      leaves: [tensor("m", [2, 3]), tensor("a", [], [0.5, 1.5])],
      build: (g, [m, a]) =>
        g.scan(
          (acc: Node, row: Node) => {
            const [inner] = g.scan(
              (r: Node, x: Node) => [g.add(r, g.sin(g.mul(x, a))), []] as const,
              acc,
              row,
            );
            return [inner, inner] as const;
          },
          g.constant(0),
          m,
        )[1],
      shape: [2],
      expected: ([m, a]) => {
        let acc = 0;
        const out: number[] = [];
        for (let t = 0; t < 2; t++) {
          for (let j = 0; j < 3; j++) acc += Math.sin(m[3 * t + j] * a[0]);
          out.push(acc);
        }
        return out;
      },
    },
  ],
  cond: [
    {
      label: "the true branch taken: x·exp(y) where sum(x) > 0, log of a negative untaken",
      leaves: [tensor("x", [3], [0.5, 1.5]), tensor("y", [], [-1, 1])],
      build: (g, [x, y]) =>
        g.cond(
          g.gt(g.sum(x), 0),
          () => g.mul(x, g.exp(y)),
          () => g.log(x),
        ),
      shape: [3],
      expected: ([x, y]) => [...x].map((xi) => xi * Math.exp(y[0])),
    },
    {
      label: "the false branch taken: sin(x)·y where sum(x) ≤ 0, sqrt of a negative untaken",
      leaves: [tensor("x", [3], [-1.5, -0.5]), tensor("y", [], [-1, 1])],
      build: (g, [x, y]) =>
        g.cond(
          g.gt(g.sum(x), 0),
          () => g.sqrt(x),
          () => g.mul(g.sin(x), y),
        ),
      shape: [3],
      expected: ([x, y]) => [...x].map((xi) => Math.sin(xi) * y[0]),
    },
  ],
  while: [
    {
      // x0 ∈ [0.7, 1.2] and |0.05·sin| < 0.05 keep the count at 3 everywhere in the domain
      label: "x ← 2x + 0.05·sin(w·x) while x < 5: three steps, at most 10",
      leaves: [tensor("x0", [], [0.7, 1.2]), tensor("w", [], [-1, 1])],
      build: (g, [x0, w]) =>
        g.whileLoop(
          (x: Node) => g.lt(x, 5),
          (x: Node) => g.add(g.mul(x, 2), g.mul(0.05, g.sin(g.mul(w, x)))),
          x0,
          { maxIterations: 10 },
        ).value,
      shape: [],
      expected: ([x0, w]) => {
        let x = x0[0];
        while (x < 5) x = 2 * x + 0.05 * Math.sin(w[0] * x);
        return [x];
      },
    },
    {
      label: "a vector carried with an i32 counter: v ← v·a + sin(v) while k < 2",
      leaves: [tensor("v0", [2]), tensor("a", [2], [0.5, 1])],
      build: (g, [v0, a]) =>
        g.whileLoop(
          (s) => g.lt(s.k, g.constant(2, [], "i32")),
          (s) => ({
            v: g.add(g.mul(s.v, a), g.sin(s.v)),
            k: g.cast(g.add(g.cast(s.k, "f64"), 1), "i32"),
          }),
          { v: v0, k: g.constant(0, [], "i32") },
          { maxIterations: 4 },
        ).value.v,
      shape: [2],
      expected: ([v0, a]) => {
        let v = [...v0];
        for (let k = 0; k < 2; k++) v = v.map((vi, i) => vi * a[i] + Math.sin(vi));
        return v;
      },
    },
  ],
} satisfies OpTable;
