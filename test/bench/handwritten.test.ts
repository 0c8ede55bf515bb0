// The hand-written baselines of the benchmark must compute what the benchmark's graphs compute:
// each is compared with the reference interpreter on the unoptimized graph (independent of the
// passes and of code generation), at the benchmark's inputs and at a second seeded point.
import { describe, expect, it } from "vitest";
import { interpret, type LeafValues, type Program } from "adjoint";
import quadratic from "../../bench/graphs/w1_quadratic.graph.ts";
import logSin from "../../bench/graphs/w2_log_sin.graph.ts";
import rosenbrock, { n as rosenbrockN } from "../../bench/graphs/w3_rosenbrock.graph.ts";
import rosenbrockHessian, {
  n as hessianN,
} from "../../bench/graphs/w3h_rosenbrock_hessian.graph.ts";
import mlp, { batch, classes, features, hidden } from "../../bench/graphs/w4_mlp.graph.ts";
import product, { n as productN } from "../../bench/graphs/w5_product.graph.ts";
import { matmul, matmulTransA, matmulTransB } from "../../bench/handwritten/matmul.ts";
import { createMlpByHand } from "../../bench/handwritten/mlp.ts";
import { createProductByHand } from "../../bench/handwritten/product.ts";
import {
  createRosenbrockByHand,
  createRosenbrockHessianByHand,
} from "../../bench/handwritten/rosenbrock.ts";
import { createLogSinByHand, createQuadraticByHand } from "../../bench/handwritten/scalar.ts";
import { mlpPoint, productPoint, rosenbrockPoint } from "../../bench/inputs.ts";
import { seeded, uniform } from "../support/random.ts";

/** The outputs of `entry` by name, from the reference interpreter. */
function reference(
  program: Program,
  entry: string,
  leaves: LeafValues,
): Record<string, Float64Array> {
  const found = program.entries.find((candidate) => candidate.name === entry);
  if (found === undefined) throw new Error(`${program.name} has no entry ${entry}`);
  const values = interpret(
    found.fetch.map(([, node]) => node),
    leaves,
  );
  return Object.fromEntries(found.fetch.map(([name], index) => [name, values[index]]));
}

/** Every output of `expected` matches `actual` to `tolerance`, relative to the output's largest entry. */
function expectSameOutputs(
  actual: Readonly<Record<string, ArrayLike<number>>>,
  expected: Readonly<Record<string, Float64Array>>,
  tolerance = 1e-12,
): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) {
    const got = actual[name];
    expect(got.length, name).toBe(want.length);
    const scale = Math.max(1, ...Array.from(want, Math.abs));
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst / scale, `${name}: largest difference ${worst}`).toBeLessThanOrEqual(tolerance);
  }
}

describe("hand-written scalar baselines", () => {
  it("W1 gives the textbook's 42 and (24, 10) at (3, 4), as the graph does", () => {
    const byHand = createQuadraticByHand();
    byHand.inputs.x[0] = 3;
    byHand.inputs.y[0] = 4;
    const outputs = byHand.grad();
    expect([outputs.f[0], outputs.df_dx[0], outputs.df_dy[0]]).toEqual([42, 24, 10]);
    expectSameOutputs(outputs, reference(quadratic, "grad", { x: 3, y: 4 }));
    expect(byHand.value().f[0]).toBe(42);
  });

  it("W1 and W2 match the graphs at seeded points", () => {
    const random = seeded(11);
    for (let trial = 0; trial < 20; trial++) {
      const [x, y] = uniform(random, 2, -3, 3);
      const quadraticByHand = createQuadraticByHand();
      quadraticByHand.inputs.x[0] = x;
      quadraticByHand.inputs.y[0] = y;
      expectSameOutputs(quadraticByHand.grad(), reference(quadratic, "grad", { x, y }));
      const [x1, x2] = uniform(random, 2, 0.1, 6);
      const logSinByHand = createLogSinByHand();
      logSinByHand.inputs.x1[0] = x1;
      logSinByHand.inputs.x2[0] = x2;
      expectSameOutputs(logSinByHand.grad(), reference(logSin, "grad", { x1, x2 }));
    }
  });

  it("W2 gives 11.652 and (5.5, 1.716) at (2, 5)", () => {
    const byHand = createLogSinByHand();
    byHand.inputs.x1[0] = 2;
    byHand.inputs.x2[0] = 5;
    const { f, df_dx1, df_dx2 } = byHand.grad();
    expect(f[0]).toBeCloseTo(Math.log(2) + 10 - Math.sin(5), 14);
    expect(f[0]).toBeCloseTo(11.652, 3);
    expect(df_dx1[0]).toBe(5.5);
    expect(df_dx2[0]).toBeCloseTo(1.716, 3);
  });
});

describe("hand-written Rosenbrock", () => {
  const points = [
    rosenbrockPoint(rosenbrockN),
    Float64Array.from(uniform(seeded(12), rosenbrockN)),
  ];

  it.each(points.map((point, index) => [index, point] as const))(
    "value and gradient match the graph (point %i)",
    (_, point) => {
      const byHand = createRosenbrockByHand(rosenbrockN);
      byHand.inputs.x.set(point);
      const expected = reference(rosenbrock, "grad", { x: point });
      expectSameOutputs(byHand.grad(), expected);
      expect(byHand.value().f[0]).toBeCloseTo(expected.f[0], 8);
    },
  );

  it("gives 0 and a zero gradient at the minimum (1, …, 1)", () => {
    const byHand = createRosenbrockByHand(rosenbrockN);
    byHand.inputs.x.fill(1);
    const { f, df_dx } = byHand.grad();
    expect(f[0]).toBe(0);
    expect(df_dx.every((component) => component === 0)).toBe(true);
  });

  it("the dense Hessian matches the graph's g.hessian", () => {
    for (const point of [
      rosenbrockPoint(hessianN),
      Float64Array.from(uniform(seeded(13), hessianN)),
    ]) {
      const byHand = createRosenbrockHessianByHand(hessianN);
      byHand.inputs.x.set(point);
      expectSameOutputs(byHand.hessian(), reference(rosenbrockHessian, "hessian", { x: point }));
    }
  });
});

describe("hand-written product", () => {
  it("matches the graph at the benchmark's point and with zeros among the factors", () => {
    const withZeros = productPoint(productN).map((value, i) => (i === 3 || i === 700 ? 0 : value));
    const oneZero = productPoint(productN).map((value, i) => (i === 500 ? 0 : value));
    for (const point of [productPoint(productN), withZeros, oneZero]) {
      const byHand = createProductByHand(productN);
      byHand.inputs.theta.set(point);
      const expected = reference(product, "grad", { theta: point });
      expectSameOutputs(byHand.grad(), expected);
      expect(byHand.value().f[0]).toBe(expected.f[0]);
    }
  });

  it("sweeps odd and even lengths alike: each entry is the product of the others", () => {
    for (const n of [1, 2, 3, 4, 7, 8]) {
      const point = Array.from({ length: n }, (_, i) => 1 + 0.1 * (i + 1) * (i % 2 === 0 ? 1 : -1));
      const byHand = createProductByHand(n);
      byHand.inputs.theta.set(point);
      const { f, df_dtheta } = byHand.grad();
      expect(f[0]).toBeCloseTo(
        point.reduce((a, b) => a * b, 1),
        14,
      );
      for (let i = 0; i < n; i++) {
        const others = point.reduce((a, b, j) => (j === i ? a : a * b), 1);
        expect(df_dtheta[i], `n = ${n}, entry ${i}`).toBeCloseTo(others, 14);
      }
    }
  });

  it("the gradient at a single zero is the product of the other factors, exactly", () => {
    const point = productPoint(productN).map((value, i) => (i === 500 ? 0 : value));
    const byHand = createProductByHand(productN);
    byHand.inputs.theta.set(point);
    let others = 1;
    for (let i = 0; i < productN; i++) if (i !== 500) others *= point[i];
    const { df_dtheta } = byHand.grad();
    expect(df_dtheta[500]).toBeCloseTo(others, 14);
    expect(df_dtheta[499]).toBe(0);
  });
});

describe("hand-written matrix products", () => {
  /** C[i][j] = Σ_p A(i, p)·B(p, j), the textbook triple loop. */
  function naive(
    m: number,
    k: number,
    n: number,
    a: (i: number, p: number) => number,
    b: (p: number, j: number) => number,
  ): number[] {
    const out: number[] = [];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a(i, p) * b(p, j);
        out.push(sum);
      }
    }
    return out;
  }

  // sizes that leave remainders: rows not a multiple of 4, an odd inner dimension
  it.each([
    [7, 5, 3],
    [4, 2, 1],
    [9, 13, 6],
    [1, 1, 1],
  ])("agree with the triple loop for m = %i, k = %i, n = %i", (m, k, n) => {
    const random = seeded(m * 100 + k * 10 + n);
    const a = Float64Array.from(uniform(random, m * k));
    const b = Float64Array.from(uniform(random, k * n));
    const out = new Float64Array(m * n).fill(Number.NaN); // stale contents must be overwritten
    matmul(out, a, b, m, k, n);
    expectSameOutputs(
      { out },
      {
        out: Float64Array.from(
          naive(
            m,
            k,
            n,
            (i, p) => a[i * k + p],
            (p, j) => b[p * n + j],
          ),
        ),
      },
    );
    const aT = Float64Array.from(uniform(random, k * m)); // [k×m]
    matmulTransA(out, aT, b, k, m, n);
    expectSameOutputs(
      { out },
      {
        out: Float64Array.from(
          naive(
            m,
            k,
            n,
            (i, p) => aT[p * m + i],
            (p, j) => b[p * n + j],
          ),
        ),
      },
    );
    const bT = Float64Array.from(uniform(random, n * k)); // [n×k]
    matmulTransB(out, a, bT, m, k, n);
    expectSameOutputs(
      { out },
      {
        out: Float64Array.from(
          naive(
            m,
            k,
            n,
            (i, p) => a[i * k + p],
            (p, j) => bT[j * k + p],
          ),
        ),
      },
    );
  });
});

describe("hand-written MLP", () => {
  it("loss and the gradients of W1, b1, W2, b2 match the graph", () => {
    const point = mlpPoint();
    const byHand = createMlpByHand({ batch, features, hidden, classes });
    byHand.inputs.x.set(point.x);
    byHand.inputs.labels.set(point.labels);
    for (const name of ["W1", "b1", "W2", "b2"] as const) byHand.params[name].set(point[name]);
    const { x, labels, W1, b1, W2, b2 } = point;
    const expected = reference(mlp, "grad", { x, labels: Array.from(labels), W1, b1, W2, b2 });
    expectSameOutputs(byHand.grad(), expected);
    expect(byHand.value().loss[0]).toBeCloseTo(expected.loss[0], 12);
    // a fresh network's loss is near log(classes): the inputs are of a sensible scale
    expect(Math.abs(expected.loss[0] - Math.log(classes))).toBeLessThan(1);
  });
});
