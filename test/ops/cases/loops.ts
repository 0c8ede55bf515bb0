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
  ],
} satisfies OpTable;
