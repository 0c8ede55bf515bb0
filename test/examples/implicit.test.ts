// Newton's method in a compiled whileLoop for x³ + p·x − 1 = 0: the loop against the same iteration
// written here in plain JavaScript (root and step count), and the derivatives through the loop
// against the implicit-function theorem and against central differences.
import { describe, expect, it } from "vitest";
import { createImplicit } from "../../generated/implicit.ts";
import { implicitTable, parameters, relative } from "../../examples/implicit.ts";
import { maxIterations, start, tolerance } from "../../examples/implicit.graph.ts";

/** Newton from `start` while |F| ≥ tol, at most maxIterations steps: the root and the step count. */
function newton(p: number, tol = tolerance): { x: number; iterations: number } {
  const F = (x: number) => x * x * x + p * x - 1;
  let x = start;
  let iterations = 0;
  while (Math.abs(F(x)) >= tol && iterations < maxIterations) {
    x -= F(x) / (3 * x * x + p);
    iterations++;
  }
  return { x, iterations };
}

describe("Newton's method in a whileLoop", () => {
  const rows = implicitTable(parameters);

  it.each(rows.map((row) => [row.p, row] as const))(
    "p = %s: stops at |F| < tol after the steps a plain loop takes",
    (p, row) => {
      const reference = newton(p);
      expect(row.iterations).toBe(reference.iterations);
      expect(row.iterations).toBeGreaterThan(1);
      expect(relative(row.x, reference.x)).toBeLessThan(1e-15);
      expect(Math.abs(row.residual)).toBeLessThan(tolerance);
    },
  );

  it.each(rows.map((row) => [row.p, row] as const))(
    "p = %s: dx/dp, d²x/dp² and the forward tangent agree with the implicit-function theorem",
    (p, row) => {
      // x' = −F_p/F_x = −x/(3x² + p) and x'' = −(6x·x'² + 2x')/(3x² + p) at the root
      expect(relative(row.dx_dp, row.ift)).toBeLessThan(1e-12);
      expect(relative(row.x_dot, row.ift)).toBeLessThan(1e-12);
      expect(relative(row.d2x_dp2, row.ift2)).toBeLessThan(1e-12);
    },
  );

  it("gives the hand-derived root and derivatives at p = 7/4, where x = 1/2", () => {
    // 1/8 + 7/8 − 1 = 0; x' = −(1/2)/(3/4 + 7/4) = −1/5; x'' = −(6·(1/2)·(1/25) − 2/5)/(5/2) = 0.112
    const out = createImplicit().derivatives({ p: 1.75, tolerance });
    expect(relative(out.x[0], 0.5)).toBeLessThan(1e-15);
    expect(relative(out.dx_dp[0], -0.2)).toBeLessThan(1e-14);
    expect(relative(out.d2x_dp2[0], 0.112)).toBeLessThan(1e-13);
  });

  it("has derivatives equal to central differences of the loop's own value and gradient", () => {
    const model = createImplicit();
    for (const p of [0.5, 3, 20]) {
      const h = 1e-5 * p;
      const x = (q: number) => model.root({ p: q, tolerance }).x[0];
      const dx = (q: number) => model.derivatives({ p: q, tolerance }).dx_dp[0];
      const exact = model.derivatives({ p, tolerance });
      const [dx_dp, d2x_dp2] = [exact.dx_dp[0], exact.d2x_dp2[0]];
      expect(relative((x(p + h) - x(p - h)) / (2 * h), dx_dp)).toBeLessThan(1e-7);
      expect(relative((dx(p + h) - dx(p - h)) / (2 * h), d2x_dp2)).toBeLessThan(1e-6);
    }
  });

  it("counts fewer steps where the start is already close to the root", () => {
    const model = createImplicit();
    // p = 1e-4: the root is 1 − p/3 + ..., within 3.4e-5 of the start x = 1
    const near = model.root({ p: 1e-4, tolerance });
    expect(near.iterations[0]).toBe(newton(1e-4).iterations);
    expect(near.iterations[0]).toBeLessThan(model.root({ p: 1, tolerance }).iterations[0]);
  });

  it("stops earlier at a looser tolerance, where a plain loop stops", () => {
    const model = createImplicit();
    for (const tol of [1e-2, 1e-4, 1e-8]) {
      const out = model.root({ p: 1, tolerance: tol });
      const reference = newton(1, tol);
      expect(out.iterations[0]).toBe(reference.iterations);
      expect(relative(out.x[0], reference.x)).toBeLessThan(1e-15);
    }
    // from |F(1)| = 1: the counts differ, so the loop's stop really moves with the input
    expect(newton(1, 1e-2).iterations).toBeLessThan(newton(1, 1e-8).iterations);
  });
});
