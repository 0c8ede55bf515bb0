// The pendulum fit through the generated module: the compiled trajectory against an RK4 written
// here in plain JavaScript, the compiled gradient, Jacobian and Hessian at the start point against
// central differences, and the fit's recovery of the true parameters within its standard errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createPendulum } from "../../generated/pendulum.ts";
import {
  curveOf,
  fitPendulum,
  makeObservations,
  noise,
  trueParams,
} from "../../examples/pendulum.ts";
import { dt, observations, start, steps, stride } from "../../examples/pendulum.graph.ts";
import { pendulumSvg } from "../../examples/pendulum_svg.ts";
import { expectClose, relativeError } from "../support/oracle.ts";

/** The angle after each of the 1,000 RK4 steps, by the textbook formulas. */
function rk4Angles([damping, frequency, angle, velocity]: readonly number[]): number[] {
  const rate = (a: number, v: number) => [v, -frequency * frequency * Math.sin(a) - damping * v];
  const angles: number[] = [];
  let [a, v] = [angle, velocity];
  for (let step = 0; step < steps; step++) {
    const k1 = rate(a, v);
    const k2 = rate(a + (dt / 2) * k1[0], v + (dt / 2) * k1[1]);
    const k3 = rate(a + (dt / 2) * k2[0], v + (dt / 2) * k2[1]);
    const k4 = rate(a + dt * k3[0], v + dt * k3[1]);
    a += (dt / 6) * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]);
    v += (dt / 6) * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]);
    angles.push(a);
  }
  return angles;
}

const residualsOf = (p: readonly number[], observed: readonly number[]) => {
  const angles = rk4Angles(p);
  return observed.map((y, k) => angles[stride * (k + 1) - 1] - y);
};
const lossOf = (p: readonly number[], observed: readonly number[]) =>
  0.5 * residualsOf(p, observed).reduce((sum, r) => sum + r * r, 0);

/** Central differences of `f` along each coordinate, step h·max(1, |pₖ|). */
function centralDifferences(f: (p: number[]) => number[], p: readonly number[], h: number) {
  return p.map((value, k) => {
    const step = h * Math.max(1, Math.abs(value));
    const plus = [...p];
    const minus = [...p];
    plus[k] += step;
    minus[k] -= step;
    const [up, down] = [f(plus), f(minus)];
    return up.map((u, i) => (u - down[i]) / (2 * step));
  });
}

describe("the generated pendulum module", () => {
  const model = createPendulum();
  const observed = makeObservations(model, 1);
  model.inputs.observed.set(observed);

  it("integrates like a plain RK4 loop, at the true and at the start parameters", () => {
    for (const p of [trueParams, start]) {
      model.params.p.set(p);
      expectClose(model.trajectory().angles, rk4Angles(p), 1e-13, `angles at ${p}`);
      expectClose(model.value().loss, [lossOf(p, observed)], 1e-13, `loss at ${p}`);
    }
  });

  it("draws observations with noise of the stated size around the true trajectory", () => {
    const angles = rk4Angles(trueParams);
    const noiseDraws = observed.map((y, k) => y - angles[stride * (k + 1) - 1]);
    const rms = Math.sqrt(noiseDraws.reduce((sum, e) => sum + e * e, 0) / observations);
    // 50 draws: the sample RMS lies within ±30% of σ with probability above 99.5%
    expect(rms).toBeGreaterThan(0.7 * noise);
    expect(rms).toBeLessThan(1.3 * noise);
  });

  it("has the gradient, residual Jacobian and Hessian of central differences at the start", () => {
    model.params.p.set(start);
    const { gradient, residuals, jacobian } = model.gaussNewton();
    expectClose(residuals, residualsOf(start, observed), 1e-13, "residuals");
    // differences of the plain-JS loss and residuals: an oracle independent of the compiler
    const numericGradient = centralDifferences((p) => [lossOf(p, observed)], start, 1e-6);
    expectClose(gradient, numericGradient.flat(), 1e-7, "∇ℓ");
    const columns = centralDifferences((p) => residualsOf(p, observed), start, 1e-6);
    const numericJacobian = Array.from(residuals, (_, i) =>
      columns.map((column) => column[i]),
    ).flat();
    expectClose(jacobian, numericJacobian, 1e-7, "∂r/∂p");
    // ∇ℓ = Jᵀr
    const jtr = [0, 1, 2, 3].map((k) =>
      Array.from(residuals).reduce((sum, r, i) => sum + jacobian[i * 4 + k] * r, 0),
    );
    expectClose(gradient, jtr, 1e-13, "∇ℓ = Jᵀr");
    // outputs are arena views: copy before the difference calls overwrite them
    const hessian = Array.from(model.newton().hessian);
    const gradientAt = (p: number[]) => {
      model.params.p.set(p);
      return Array.from(model.gradient().gradient);
    };
    expectClose(hessian, centralDifferences(gradientAt, start, 1e-5).flat(), 1e-7, "∇²ℓ");
    // symmetric as a Hessian must be
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < a; b++) {
        expect(relativeError([hessian[a * 4 + b]], [hessian[b * 4 + a]])).toBeLessThan(1e-12);
      }
    }
  });
});

describe("fitPendulum", () => {
  const result = fitPendulum();

  it("converges to a stationary point, the loss falling at every iteration", () => {
    expect(result.gradientNorm).toBeLessThan(1e-10);
    expect(result.trace.length).toBeLessThanOrEqual(15);
    result.trace.slice(1).forEach((step, i) => {
      expect(step.loss).toBeLessThanOrEqual(result.trace[i].loss);
    });
    // Newton's quadratic convergence in the last steps
    const norms = result.trace.map((step) => step.gradientNorm);
    const [before, last] = norms.slice(-2);
    expect(last).toBeLessThan(Math.max(1e-13, 100 * before * before));
  });

  it.each([1, 2, 3])("recovers the true parameters within 4 standard errors (seed %i)", (seed) => {
    const fit = seed === 1 ? result : fitPendulum({ seed });
    // the least-squares estimate is about normal with covariance σ²(JᵀJ)⁻¹; a 4-s.e. miss has
    // probability below 1e-4 per parameter, so a failure means a wrong fit, not bad luck
    fit.params.forEach((value, k) => {
      expect(Math.abs(value - trueParams[k])).toBeLessThan(4 * fit.standardErrors[k]);
    });
    // and the noise the fit leaves is the noise put in: s² = Σr²/(n − 4) near σ² (46 degrees of
    // freedom: s/σ within [0.7, 1.3] with probability above 99%)
    const s = Math.sqrt((2 * fit.loss) / (observations - 4));
    expect(s / noise).toBeGreaterThan(0.7);
    expect(s / noise).toBeLessThan(1.3);
  });

  it("draws the committed docs/pendulum-fit.svg, the same bytes every time", () => {
    const model = createPendulum();
    const plot = {
      observed: result.observed,
      truth: curveOf(model, trueParams),
      fitted: curveOf(model, result.params),
      dt,
      stride,
    };
    const svg = pendulumSvg(plot);
    expect(pendulumSvg(plot)).toBe(svg);
    expect(readFileSync("docs/pendulum-fit.svg", "utf8")).toBe(svg);
    expect(svg.match(/<circle /g)).toHaveLength(observations + 1); // the dots and the legend's
  });
});
