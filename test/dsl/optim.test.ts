// Optimizers as DSL functions: each compiled update is compared step by step with the same update
// written out by hand in plain arithmetic, on f = Σ a(w − c)² + Σ e(b − d)², whose gradient is
// 2a(w − c) and 2e(b − d); and every bad hyper-parameter is a clear error at the caller's line.
import { beforeAll, describe, expect, it } from "vitest";
import { compile, type Compiled, type DynamicInstance } from "adjoint";
import { adam, momentum, sgd } from "../../compiler/dsl/optim.ts";
import { program } from "../../compiler/program.ts";
import { errorsIn } from "../support/errors.ts";
import { expectClose } from "../support/oracle.ts";

const a = [1, 0.5, 3];
const c = [0.25, -1, 2];
const e = [2, 0.75];
const d = [-0.5, 1.5];
const start = { w: [1, 2, -1], b: [0.5, -2] };
const steps = 5;

const lr = { sgd: 0.1, momentum: 0.05, nesterov: 0.04, adam: 0.05 };
const mu = { momentum: 0.9, nesterov: 0.8 };
const adamHyper = { beta1: 0.8, beta2: 0.95, epsilon: 1e-6 };

const quadratic = program("quadratic", (g) => {
  const params = { w: g.param("w", [3]), layer: g.params({ layer: { b: [2] } }).layer };
  const f = g.add(
    g.sum(g.mul(g.constant(a), g.square(g.sub(params.w, g.constant(c))))),
    g.sum(g.mul(g.constant(e), g.square(g.sub(params.layer.b, g.constant(d))))),
  );
  const grads = g.grad(f, params);
  g.entry("sgd", { fetch: { f }, update: sgd(g, params, grads, { learningRate: lr.sgd }) });
  const heavyBall = { learningRate: lr.momentum, momentum: mu.momentum };
  g.entry("momentum", { fetch: { f }, update: momentum(g, params, grads, heavyBall) });
  const nesterov = { learningRate: lr.nesterov, momentum: mu.nesterov, nesterov: true };
  g.entry("nesterov", {
    fetch: { f },
    update: momentum(g, params, grads, { ...nesterov, name: "nesterov" }),
  });
  // a learning rate fed on every call: a schedule without recompiling
  const rate = g.input("rate");
  g.entry("sgdScheduled", { update: sgd(g, params, grads, { learningRate: rate }) });
  g.entry("adam", {
    fetch: { f },
    update: adam(g, params, grads, { learningRate: lr.adam, ...adamHyper }),
  });
});

/** θ and the gradient 2·scale·(θ − target), as flat lists: w's three elements, then b's two. */
const scales = [...a, ...e];
const targets = [...c, ...d];
const gradient = (theta: readonly number[]) =>
  theta.map((t, i) => 2 * scales[i] * (t - targets[i]));

/** The parameters after each of `steps` updates by `update` (which may keep its own state). */
function byHand(update: (theta: number[], grad: number[], step: number) => number[]): number[][] {
  let theta = [...start.w, ...start.b];
  const trace: number[][] = [];
  for (let step = 1; step <= steps; step++) {
    theta = update(theta, gradient(theta), step);
    trace.push(theta);
  }
  return trace;
}

describe("optimizers against hand-written updates", () => {
  let compiled: Compiled;
  beforeAll(async () => {
    compiled = await compile(quadratic);
  });

  /** The params after each step of entry `name`, from a fresh instance at `start`. */
  function compiledTrace(
    name: string,
    feeds: (step: number) => Record<string, number> | undefined = () => undefined,
  ): { trace: number[][]; instance: DynamicInstance } {
    const instance = compiled.create();
    const params = instance.params as unknown as {
      w: Float64Array;
      layer: { b: Float64Array };
    };
    params.w.set(start.w);
    params.layer.b.set(start.b);
    const trace: number[][] = [];
    for (let step = 0; step < steps; step++) {
      compiled.entry(instance, name)(feeds(step + 1));
      trace.push([...params.w, ...params.layer.b]);
    }
    return { trace, instance };
  }

  function expectTrace(name: string, expected: number[][]): DynamicInstance {
    const { trace, instance } = compiledTrace(name);
    trace.forEach((theta, i) => expectClose(theta, expected[i], 1e-12, `${name} step ${i + 1}`));
    return instance;
  }

  it("sgd: θ := θ − α∇θ", () => {
    expectTrace(
      "sgd",
      byHand((theta, grad) => theta.map((t, i) => t - lr.sgd * grad[i])),
    );
  });

  it("sgd with a learning rate fed on every call (a decaying schedule)", () => {
    const schedule = (step: number) => 0.2 / step;
    const { trace } = compiledTrace("sgdScheduled", (step) => ({ rate: schedule(step) }));
    const expected = byHand((theta, grad, step) =>
      theta.map((t, i) => t - schedule(step) * grad[i]),
    );
    trace.forEach((theta, i) => expectClose(theta, expected[i], 1e-12, `step ${i + 1}`));
  });

  it("momentum: v := μv + ∇θ, θ := θ − αv, velocity kept in W_velocity", () => {
    let velocity = [0, 0, 0, 0, 0];
    const expected = byHand((theta, grad) => {
      velocity = velocity.map((v, i) => mu.momentum * v + grad[i]);
      return theta.map((t, i) => t - lr.momentum * velocity[i]);
    });
    const instance = expectTrace("momentum", expected);
    const params = instance.params as unknown as Record<string, Float64Array> & {
      layer: Record<string, Float64Array>;
    };
    expectClose([...params.w_velocity, ...params.layer.b_velocity], velocity, 1e-12, "velocity");
  });

  it("nesterov: θ := θ − α(∇θ + μv) with the new v, in state named by the option", () => {
    let velocity = [0, 0, 0, 0, 0];
    const expected = byHand((theta, grad) => {
      velocity = velocity.map((v, i) => mu.nesterov * v + grad[i]);
      return theta.map((t, i) => t - lr.nesterov * (grad[i] + mu.nesterov * velocity[i]));
    });
    const instance = expectTrace("nesterov", expected);
    expect(Object.keys(instance.params)).toContain("w_nesterov_velocity");
  });

  it("adam: bias-corrected moments, the step count in adam_step", () => {
    const { beta1, beta2, epsilon } = adamHyper;
    let m = [0, 0, 0, 0, 0];
    let v = [0, 0, 0, 0, 0];
    const expected = byHand((theta, grad, t) => {
      m = m.map((mi, i) => beta1 * mi + (1 - beta1) * grad[i]);
      v = v.map((vi, i) => beta2 * vi + (1 - beta2) * grad[i] ** 2);
      return theta.map((ti, i) => {
        const mHat = m[i] / (1 - beta1 ** t);
        const vHat = v[i] / (1 - beta2 ** t);
        return ti - (lr.adam * mHat) / (Math.sqrt(vHat) + epsilon);
      });
    });
    const instance = expectTrace("adam", expected);
    const params = instance.params as unknown as Record<string, Float64Array> & {
      layer: Record<string, Float64Array>;
    };
    expect([...params.adam_step]).toEqual([steps]);
    expectClose([...params.w_m, ...params.layer.b_m], m, 1e-12, "first moment");
    expectClose([...params.w_v, ...params.layer.b_v], v, 1e-12, "second moment");
  });

  it("adam's first step moves every coordinate by α·|g|/(|g| + ε): the bias correction at work", () => {
    const { trace } = compiledTrace("adam");
    const theta0 = [...start.w, ...start.b];
    const grad = gradient(theta0);
    // m̂ = g and v̂ = g² after one step; without the correction the step would be α(1−β₁)/√(1−β₂)
    const expected = theta0.map(
      (t, i) => t - (lr.adam * grad[i]) / (Math.abs(grad[i]) + adamHyper.epsilon),
    );
    expectClose(trace[0], expected, 1e-12, "first adam step");
  });
});

describe("optimizer errors", () => {
  const expectError = errorsIn(import.meta.url);
  const quad = (g: Parameters<Parameters<typeof program>[1]>[0]) => {
    const w = g.param("w", [2]);
    return { w, grad: g.grad(g.sum(g.square(w)), w) };
  };

  it("a learning rate that is not positive", () => {
    expectError(
      (g) => {
        const { w, grad } = quad(g);
        sgd(g, w, grad, { learningRate: -0.1 }); // @sgdRate
      },
      ["sgd: learningRate must be a finite number > 0, got -0.1"],
      "sgdRate",
    );
    expectError(
      (g) => {
        const { w, grad } = quad(g);
        adam(g, w, grad, { learningRate: NaN }); // @adamRate
      },
      ["adam: learningRate must be a finite number > 0, got NaN"],
      "adamRate",
    );
  });

  it("a learning rate node that is not a scalar", () => {
    expectError(
      (g) => {
        const { w, grad } = quad(g);
        sgd(g, w, grad, { learningRate: g.input("rates", [2]) }); // @rateNode
      },
      ["sgd: learningRate must be a number or a scalar f64 node, got f64[2]"],
      "rateNode",
    );
  });

  it("a decay rate outside [0, 1)", () => {
    expectError(
      (g) => {
        const { w, grad } = quad(g);
        momentum(g, w, grad, { learningRate: 0.1, momentum: 1 }); // @mu
      },
      ["momentum: momentum must be a number with 0 ≤ momentum < 1, got 1"],
      "mu",
    );
    expectError(
      (g) => {
        const { w, grad } = quad(g);
        adam(g, w, grad, { beta2: -0.5 }); // @beta2
      },
      ["adam: beta2 must be a number with 0 ≤ beta2 < 1, got -0.5"],
      "beta2",
    );
    expectError(
      (g) => {
        const { w, grad } = quad(g);
        adam(g, w, grad, { epsilon: 0 }); // @epsilon
      },
      ["adam: epsilon must be a finite number > 0, got 0"],
      "epsilon",
    );
  });

  it("params that are not params, or gradients that do not match them", () => {
    expectError(
      (g) => {
        const x = g.input("x", [2]);
        sgd(g, x, x, { learningRate: 0.1 }); // @notParam
      },
      ["sgd: param is not a param of this program"],
      "notParam",
    );
    expectError(
      (g) => {
        const { w } = quad(g);
        sgd(g, w, g.constant(0, [3]), { learningRate: 0.1 }); // @shape
      },
      ['sgd: param "w" is f64[2] but its gradient is f64[3]'],
      "shape",
    );
    expectError(
      (g) => {
        const { w, grad } = quad(g);
        adam(g, { w }, { v: grad }); // @nesting
      },
      ['adam: params and gradients must have the same nesting: param "w" meets gradient "v"'],
      "nesting",
    );
    expectError(
      (g) => {
        const { w, grad } = quad(g);
        momentum(g, [w, w], [grad], { learningRate: 0.1 }); // @count
      },
      ["momentum: 2 params but 1 gradients"],
      "count",
    );
  });

  it("two optimizers of a kind need names for their state", () => {
    expectError(
      (g) => {
        const { w, grad } = quad(g);
        adam(g, w, grad);
        adam(g, w, grad); // @twice
      },
      ['param "adam_step": the name is already declared'],
      "twice",
    );
    expectError(
      (g) => {
        const { w, grad } = quad(g);
        adam(g, w, grad, { name: "second step" }); // @name
      },
      ['adam: name must be an identifier (letters, digits, _), got "second step"'],
      "name",
    );
  });
});
