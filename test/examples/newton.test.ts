// Newton's method on Rosenbrock through the generated module: the compiled gradient and Hessian
// against the hand-derived formulas, the first step against Cramer's rule by hand, and convergence
// to (1, 1) within 1e-10 in at most 25 iterations (gradient descent needs thousands).
import { describe, expect, it } from "vitest";
import { createRosenbrock } from "../../generated/rosenbrock.ts";
import { runNewton } from "../../examples/newton.ts";
import { expectClose } from "../support/oracle.ts";

const f = (x: number, y: number) => 100 * (y - x * x) ** 2 + (1 - x) ** 2;
// ∂f/∂x = −400x(y − x²) − 2(1 − x), ∂f/∂y = 200(y − x²)
const gradient = (x: number, y: number) => [
  -400 * x * (y - x * x) - 2 * (1 - x),
  200 * (y - x * x),
];
// ∂²f/∂x² = 1200x² − 400y + 2, ∂²f/∂x∂y = −400x, ∂²f/∂y² = 200
const hessian = (x: number, y: number) => [1200 * x * x - 400 * y + 2, -400 * x, -400 * x, 200];

describe("the generated Rosenbrock module", () => {
  it.each([
    [-1.2, 1],
    [1, 1],
    [0.3, -2.5],
  ])("gives the hand-derived value, gradient and Hessian at (%s, %s)", (x, y) => {
    const model = createRosenbrock();
    expect(model.value({ p: [x, y] }).f[0]).toBeCloseTo(f(x, y), 12);
    const out = model.hessian({ p: [x, y] });
    expectClose(out.f, [f(x, y)], 1e-15, "f");
    expectClose(out.df, gradient(x, y), 1e-14, "∇f");
    expectClose(out.d2f, hessian(x, y), 1e-14, "∇²f");
    expectClose(model.gradient({ p: [x, y] }).df, gradient(x, y), 1e-14, "∇f (gradient entry)");
  });
});

describe("runNewton", () => {
  const result = runNewton();

  it("starts at (−1.2, 1) with f = 24.2 and takes the hand-computed first step", () => {
    expect(result.start).toEqual([-1.2, 1]);
    expect(result.trace[0].f).toBeCloseTo(24.2, 12);
    const [a, b, , d] = hessian(-1.2, 1);
    const [gx, gy] = gradient(-1.2, 1);
    const det = a * d - b * b;
    const step = [(-gx * d + b * gy) / det, (-a * gy + b * gx) / det];
    expectClose(result.trace[1].point, [-1.2 + step[0], 1 + step[1]], 1e-14, "first iterate");
    // by hand: ∇f = (−215.6, −88), H = [[1330, 480], [480, 200]], det H = 35600, so the step is
    // (880, 13552)/35600 = (11/445, 847/2225)
    expectClose(result.trace[1].point, [-1.2 + 11 / 445, 1 + 847 / 2225], 1e-14, "by hand");
  });

  it("reaches (1, 1) within 1e-10 in at most 25 iterations", () => {
    expect(result.iterations).toBeLessThanOrEqual(25);
    expect(result.error).toBeLessThanOrEqual(1e-10);
    expect(Math.hypot(result.point[0] - 1, result.point[1] - 1)).toBe(result.error);
    expect(result.trace).toHaveLength(result.iterations + 1);
    // quadratic convergence at the end: each error at most ~ the square of the one before
    const errors = result.trace.map((step) => step.error);
    const [before, last] = errors.slice(-2);
    expect(last).toBeLessThan(10 * before * before);
  });

  it("needs far fewer iterations than gradient descent with backtracking to the same tolerance", () => {
    const descent = result.gradientDescent;
    expect(descent.converged).toBe(true);
    expect(descent.error).toBeLessThanOrEqual(1e-10);
    expect(descent.iterations).toBeGreaterThan(100 * result.iterations);
    expect(f(...descent.point)).toBeLessThan(1e-20);
  });
});
