// Cases for the custom op: forward functions wrapped by g.customVjp with honest rules, so every
// derivative check (first order, both second orders, jvp against vjp) must hold.
import { scalar, tensor, zip, type OpTable } from "../kit.ts";

export const customCases = {
  custom: [
    {
      label: "exp with the rule x̄ = ȳ·y, using the custom output",
      leaves: [tensor("x", [2, 3], [-1, 1])],
      build: (g, [x]) =>
        g.customVjp(
          [x],
          (v) => g.exp(v),
          ({ g, output, output_bar }) => [g.mul(output_bar, output)],
        ),
      shape: [2, 3],
      expected: (v) => zip(v, Math.exp),
    },
    {
      label: "a·sin(b), a tensor and a scalar input, the scalar's adjoint summed",
      leaves: [tensor("a", [3]), scalar("b", [-2, 2])],
      build: (g, [a, b]) =>
        g.customVjp(
          [a, b],
          (u, w) => g.mul(u, g.sin(w)),
          ({ g, inputs: [u, w], output_bar }) => [
            g.mul(output_bar, g.sin(w)),
            g.sum(g.mul(g.mul(output_bar, u), g.cos(w))),
          ],
        ),
      shape: [3],
      expected: (v) => zip(v, (a, b) => a * Math.sin(b)),
    },
    {
      label: "log(1 + eˣ) with the stable rule x̄ = ȳ/(1 + e⁻ˣ)",
      leaves: [scalar("x", [-3, 3])],
      build: (g, [x]) =>
        g.customVjp(
          [x],
          (v) => g.log(g.add(1, g.exp(v))),
          ({ g, inputs: [v], output_bar }) => [g.div(output_bar, g.add(1, g.exp(g.neg(v))))],
        ),
      shape: [],
      expected: (v) => zip(v, (x) => Math.log(1 + Math.exp(x))),
    },
  ],
} satisfies OpTable;
