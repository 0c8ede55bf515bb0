// Derivatives of prod are exact at zeros at every order: f = Σ_groups w_g·Π_{i∈g} z_i has
// ∂ᵐf/∂z_{i1}…∂z_{im} = w_g·Π_{j∈g, j∉{i1…im}} z_j for distinct i1…im of one group, else 0 (an
// independent formula, below), and no rule divides by an entry.
import { describe, expect, it } from "vitest";
import { compile, interpret, program, type Node, type ProgramBuilder } from "adjoint";
import { sizeOf, stridesOf, type Shape } from "../../compiler/ir/shape.ts";

/** The group (flat index of its product) of each flat element of `shape` reduced over `axes`. */
function groupOf(shape: Shape, axes: readonly number[]): number[] {
  const strides = stridesOf(shape);
  const kept = shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const keptStrides = stridesOf(kept.map((axis) => shape[axis]));
  return Array.from({ length: sizeOf(shape) }, (_, i) =>
    kept.reduce(
      (group, axis, k) => group + (Math.floor(i / strides[axis]) % shape[axis]) * keptStrides[k],
      0,
    ),
  );
}

/** ∂ᵐf at the flat indices `at`, by the formula in the header. */
function derivative(z: readonly number[], w: readonly number[], group: number[], at: number[]) {
  if (new Set(at).size !== at.length || at.some((i) => group[i] !== group[at[0]])) return 0;
  return z.reduce(
    (acc, value, j) => (group[j] === group[at[0]] && !at.includes(j) ? acc * value : acc),
    w[group[at[0]]],
  );
}

interface ProductCase {
  readonly label: string;
  readonly shape: Shape;
  readonly axes: readonly number[];
  readonly keepDims: boolean;
  readonly z: readonly number[];
}

const cases: readonly ProductCase[] = [
  {
    label: "the issue's point, one zero",
    shape: [4],
    axes: [0],
    keepDims: false,
    z: [1.5, 0, -2, 0.7],
  },
  { label: "two zeros", shape: [5], axes: [0], keepDims: false, z: [0, 1.5, -2, 0, 0.7] },
  { label: "all zeros", shape: [4], axes: [0], keepDims: false, z: [0, 0, 0, 0] },
  {
    label: "rows along axis 1, keepDims: no zero, one zero, two zeros",
    shape: [3, 4],
    axes: [1],
    keepDims: true,
    z: [1.5, -0.5, 2, 0.7, 1.5, 0, -2, 0.7, 0, 3, 0, -1.25],
  },
  {
    label: "columns along axis 0 (strided groups)",
    shape: [3, 4],
    axes: [0],
    keepDims: false,
    z: [1.5, 0, 0, 0.7, 2, -0.5, 0, 0, -1, 3, 0, 1.1],
  },
  {
    label: "axes 0 and 2 of [2, 3, 2], keepDims (scattered groups)",
    shape: [2, 3, 2],
    axes: [0, 2],
    keepDims: true,
    z: [1.5, 0, -2, 0.7, 0, 0, 1.1, 2, 0.3, -1, 0, 0.5],
  },
];

function build({ shape, axes, keepDims }: ProductCase) {
  return (g: ProgramBuilder) => {
    const z = g.input("z", shape);
    const products = g.prod(z, axes, keepDims);
    const w = g.input("w", products.shape);
    const v = g.input("v", shape);
    const u = g.input("u", shape);
    const f = g.sum(g.mul(w, products));
    // order 3 as ∇_z ⟨hvp(f, z, v), u⟩ = Σ_{i,j} ∂³f/∂z_i∂z_j∂z_k·v_i·u_j
    const third = g.grad(g.sum(g.mul(g.hvp(f, z, v), u)), z);
    g.entry("e", {
      fetch: { f, grad: g.grad(f, z), hessian: g.hessian(f, z), hvp: g.hvp(f, z, v), third },
    });
  };
}

/** Every fetch by the formula. */
function expected({ shape, axes, z }: ProductCase, w: number[], v: number[], u: number[]) {
  const group = groupOf(shape, axes);
  const n = z.length;
  const d = (...at: number[]) => derivative(z, w, group, at);
  const range = Array.from({ length: n }, (_, i) => i);
  const sum = (term: (i: number) => number) => range.reduce((acc, i) => acc + term(i), 0);
  return {
    f: [
      w.reduce((acc, wg, g) => acc + z.reduce((pr, x, j) => (group[j] === g ? pr * x : pr), wg), 0),
    ],
    grad: range.map((k) => d(k)),
    hessian: range.flatMap((i) => range.map((k) => d(i, k))),
    hvp: range.map((k) => sum((i) => d(i, k) * v[i])),
    third: range.map((k) => sum((i) => sum((j) => d(i, j, k) * v[i] * u[j]))),
  };
}

describe("prod's derivatives are exact with zeros, orders 1 to 3", () => {
  it.each(cases)("$label", async (c) => {
    const p = program("product", build(c));
    const w = Array.from({ length: new Set(groupOf(c.shape, c.axes)).size }, (_, g) => 1 + g / 2);
    const v = c.z.map((_, i) => 1 + i);
    const u = c.z.map((_, i) => (i % 2 === 0 ? 1 : -0.5) * (1 + i / 4));
    const leaves = { z: [...c.z], w, v, u };
    const want = expected(c, w, v, u);
    const interpreted = interpret(
      p.entries[0].fetch.map(([, node]: readonly [string, Node]) => node),
      leaves,
    );
    const compiled = await compile(p);
    const outputs = compiled.entry(compiled.create(), "e")(leaves);
    p.entries[0].fetch.forEach(([key], index) => {
      const target = want[key as keyof typeof want];
      for (const [source, values] of [
        ["interpreter", interpreted[index]],
        ["compiled", outputs[key]],
      ] as const) {
        expect(values.length, `${source} ${key}`).toBe(target.length);
        target.forEach((value, i) => {
          expect(Number.isFinite(values[i]), `${source} ${key}[${i}] = ${values[i]}`).toBe(true);
          expect(
            Math.abs(values[i] - value),
            `${source} ${key}[${i}] = ${values[i]}, want ${value}`,
          ).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(value)));
        });
      }
    });
  });

  it("the issue's Hessian, by hand", () => {
    const p = program("hessian", (g) => {
      const z = g.input("z", [4]);
      g.entry("e", { fetch: { h: g.hessian(g.prod(z), z) } });
    });
    const [h] = interpret([p.entries[0].fetch[0][1]], { z: [1.5, 0, -2, 0.7] });
    const want = [0, -1.4, 0, 0, -1.4, 0, 1.05, -3, 0, 1.05, 0, 0, 0, -3, 0, 0];
    want.forEach((value, i) => expect(h[i], `h[${i}]`).toBeCloseTo(value, 14));
  });
});
