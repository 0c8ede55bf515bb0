// Logistic regression by Newton/IRLS through the generated module: the compiled loss, gradient and
// Hessian against the closed forms ℓ = mean(softplus(z) − yz), ∇ℓ = Xᵀ(p − y)/n and
// ∇²ℓ = Xᵀ diag(p(1 − p)) X/n (X with its column of ones), and convergence to |∇ℓ| < 1e-10.
import { describe, expect, it } from "vitest";
import { createLogistic } from "../../generated/logistic.ts";
import { choleskySolve, makeData, runIrls, trueTheta, type DataSet } from "../../examples/irls.ts";
import { features, samples } from "../../examples/logistic.graph.ts";
import { expectClose } from "../support/oracle.ts";

const k = features + 1;

/** Row i of the design matrix [X 1]. */
const row = ({ X }: DataSet, i: number) => [...X.subarray(i * features, (i + 1) * features), 1];

/** The closed forms, in plain loops over the samples. */
function closedForms(data: DataSet, theta: readonly number[]) {
  let loss = 0;
  const gradient = new Array<number>(k).fill(0);
  const hessian = new Array<number>(k * k).fill(0);
  for (let i = 0; i < samples; i++) {
    const x = row(data, i);
    const z = x.reduce((total, value, j) => total + value * theta[j], 0);
    const p = 1 / (1 + Math.exp(-z));
    loss += Math.log(1 + Math.exp(z)) - data.y[i] * z;
    for (let a = 0; a < k; a++) {
      gradient[a] += ((p - data.y[i]) * x[a]) / samples;
      for (let b = 0; b < k; b++) hessian[a * k + b] += (p * (1 - p) * x[a] * x[b]) / samples;
    }
  }
  return { loss: loss / samples, gradient, hessian };
}

describe("the generated logistic module", () => {
  const data = makeData();
  const model = createLogistic();

  it.each([
    ["zero", [0, 0, 0, 0]],
    ["the true weights", trueTheta],
    ["a far point", [4, -3, 2, 1.5]],
  ])("gives the closed-form loss, gradient and Hessian at θ = %s", (_, theta) => {
    model.params.theta.set(theta);
    const out = model.newton({ X: data.X, y: data.y });
    const want = closedForms(data, theta);
    expectClose(out.loss, [want.loss], 1e-14, "loss");
    expectClose(out.gradient, want.gradient, 1e-14, "gradient");
    expectClose(out.hessian, want.hessian, 1e-14, "Hessian");
    expectClose(model.gradient().gradient, want.gradient, 1e-14, "gradient entry");
    expect(model.loss().loss[0]).toBe(out.loss[0]);
  });

  it("draws a data set with both labels and standard normal features", () => {
    const ones = data.y.reduce((total, label) => total + label, 0);
    expect(data.y.every((label) => label === 0 || label === 1)).toBe(true);
    expect(ones).toBeGreaterThan(40);
    expect(ones).toBeLessThan(160);
    const mean = data.X.reduce((total, value) => total + value, 0) / data.X.length;
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(Array.from(makeData().X)).toEqual(Array.from(data.X));
  });
});

describe("runIrls", () => {
  const result = runIrls();

  it("converges to a gradient norm below 1e-10 in a handful of iterations", () => {
    expect(result.iterations).toBeLessThanOrEqual(10);
    expect(result.gradientNorm).toBeLessThan(1e-10);
    expect(result.trace[0].loss).toBeCloseTo(Math.LN2, 13); // θ = 0: every p is 1/2
    // the loss never goes up along the way
    const losses = result.trace.map((step) => step.loss);
    losses.slice(1).forEach((loss, i) => expect(loss).toBeLessThanOrEqual(losses[i] + 1e-15));
  });

  it("ends at a stationary point of the closed-form loss, a minimum", () => {
    const want = closedForms(result.data, result.theta);
    expect(Math.hypot(...want.gradient)).toBeLessThan(1e-10);
    expect(result.loss).toBeCloseTo(want.loss, 14);
    // a positive definite Hessian (Cholesky succeeds) and no lower loss nearby
    expect(() => choleskySolve(want.hessian, [1, 0, 0, 0], k)).not.toThrow();
    for (let a = 0; a < k; a++) {
      for (const step of [-1e-3, 1e-3]) {
        const moved = result.theta.map((value, b) => (b === a ? value + step : value));
        expect(closedForms(result.data, moved).loss).toBeGreaterThan(want.loss);
      }
    }
  });

  it("recovers the signs and rough sizes of the true weights", () => {
    result.theta.forEach((value, a) => {
      expect(Math.sign(value)).toBe(Math.sign(trueTheta[a]));
      expect(Math.abs(value - trueTheta[a])).toBeLessThan(0.8);
    });
  });
});

describe("choleskySolve", () => {
  it("solves a hand-made SPD system", () => {
    // A = [[4, 2], [2, 3]], x = (1, −1): b = (2, −1)
    expectClose(choleskySolve([4, 2, 2, 3], [2, -1], 2), [1, -1], 1e-15, "x");
    expect(() => choleskySolve([1, 2, 2, 1], [1, 1], 2)).toThrow(
      "irls: the Hessian is not positive definite (pivot 1)",
    );
  });
});
