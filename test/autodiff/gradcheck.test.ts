// The checker itself (it must reject wrong derivatives), then composite functions through all
// three checks: central differences, Hessian-vector products, and the jvp/vjp dot-product test.
import { describe, expect, it } from "vitest";
import {
  checkGradient,
  checkHessianVector,
  checkJvpVjp,
  close,
  directionalCheck,
  mulberry32,
  unitDirection,
  type Build,
  type LeafSpec,
} from "../support/gradcheck.ts";

describe("the checker", () => {
  const theta = [Float64Array.of(0.3, -1.2, 2), Float64Array.of(0.7)];
  // f(a, b) = Σ a_i² · b + sin(b)
  const f = ([a, b]: readonly Float64Array[]) =>
    a.reduce((total, value) => total + value * value, 0) * b[0] + Math.sin(b[0]);
  const right = [theta[0].map((a) => 2 * a * theta[1][0]), Float64Array.of(5.53 + Math.cos(0.7))];

  it("accepts the exact gradient", () => {
    // Σa² = 0.09 + 1.44 + 4 = 5.53
    const result = directionalCheck(f, right, theta, mulberry32(7));
    expect(close(result.analytic, result.numeric, 1e-6, result.atol)).toBe(true);
  });

  it("rejects a gradient off by one part in 10⁴", () => {
    const wrong = [right[0].map((value) => value * 1.0001), right[1]];
    const result = directionalCheck(f, wrong, theta, mulberry32(7));
    expect(close(result.analytic, result.numeric, 1e-6, result.atol)).toBe(false);
  });

  it("rejects a gradient with one component dropped", () => {
    const wrong = [right[0], Float64Array.of(0)];
    const result = directionalCheck(f, wrong, theta, mulberry32(7));
    expect(close(result.analytic, result.numeric, 1e-6, result.atol)).toBe(false);
  });

  it("draws repeatable unit directions from a seed", () => {
    const a = unitDirection(mulberry32(42), [3, 2]);
    const b = unitDirection(mulberry32(42), [3, 2]);
    expect(a).toEqual(b);
    const norm = Math.hypot(...a.flatMap((part) => [...part]));
    expect(norm).toBeCloseTo(1, 15);
    expect(unitDirection(mulberry32(43), [3, 2])).not.toEqual(a);
  });

  it("uses a generator that is uniform on [0, 1)", () => {
    const rng = mulberry32(2024);
    const samples = Array.from({ length: 20000 }, rng);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(1);
    const mean = samples.reduce((total, value) => total + value, 0) / samples.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });
});

interface Composite {
  readonly label: string;
  readonly leaves: readonly LeafSpec[];
  readonly build: Build;
}

const composites: readonly Composite[] = [
  {
    label: "softplus log(1 + exp(x)) on a vector",
    leaves: [{ name: "x", shape: [5], range: [-3, 3] }],
    build: (g, [x]) => g.log(g.add(1, g.exp(x))),
  },
  {
    label: "x / sqrt(x·x + 1), a shared x",
    leaves: [{ name: "x", shape: [4], range: [-2, 2] }],
    build: (g, [x]) => g.div(x, g.sqrt(g.add(g.mul(x, x), 1))),
  },
  {
    label: "logistic regression loss",
    leaves: [
      { name: "X", shape: [4, 3] },
      { name: "w", shape: [3, 1], kind: "param" },
      { name: "b", kind: "param" },
      { name: "y", shape: [4, 1], range: [0, 1] },
    ],
    build: (g, [X, w, b, y]) => {
      // p = 1 / (1 + exp(−(Xw + b))); loss = −Σ y log p + (1 − y) log(1 − p)
      const p = g.div(1, g.add(1, g.exp(g.neg(g.add(g.matmul(X, w), b)))));
      const ll = g.add(g.mul(y, g.log(p)), g.mul(g.sub(1, y), g.log(g.sub(1, p))));
      return g.neg(g.sum(ll));
    },
  },
  {
    label: "two-layer tanh network, squared error",
    leaves: [
      { name: "X", shape: [4, 3] },
      { name: "W1", shape: [3, 5], kind: "param" },
      { name: "b1", kind: "param" },
      { name: "W2", shape: [2, 5], kind: "param" },
      { name: "Y", shape: [4, 2] },
    ],
    build: (g, [X, W1, b1, W2, Y]) => {
      const h = g.tanh(g.add(g.matmul(X, W1), b1));
      const out = g.matmul(h, W2, { transB: true });
      return g.div(g.sum(g.pow(g.sub(out, Y), 2)), 4);
    },
  },
  {
    label: "a chain of every unary op",
    leaves: [{ name: "x", shape: [3], range: [0.2, 1] }],
    build: (g, [x]) => g.sqrt(g.exp(g.cos(g.sin(g.tanh(g.log(g.add(g.neg(g.pow(x, 1.5)), 3))))))),
  },
  {
    label: "the Gram matrix AᵀA contracted with itself",
    leaves: [{ name: "A", shape: [3, 2] }],
    build: (g, [A]) => {
      const gram = g.matmul(A, A, { transA: true });
      return g.sum(g.mul(gram, g.matmul(gram, gram)));
    },
  },
  {
    label: "a dot product of broadcasts and sums",
    leaves: [{ name: "s" }, { name: "v", shape: [4] }],
    build: (g, [s, v]) => g.dot(g.broadcastTo(g.sum(g.mul(v, s)), [4]), g.sin(v)),
  },
  {
    label: "a long product x·x·…·x (twelve uses of one node)",
    leaves: [{ name: "x", range: [0.8, 1.2] }],
    build: (g, [x]) => Array.from({ length: 11 }).reduce<ReturnType<Build>>((p) => g.mul(p, x), x),
  },
];

describe.each(composites)("$label", ({ leaves, build }) => {
  for (const seed of [11, 12, 13]) {
    it(`matches central differences (seed ${seed})`, () => {
      checkGradient(leaves, build, { seed });
    });
  }
  it("has Hessian-vector products that match central differences of the gradient", () => {
    checkHessianVector(leaves, build, { seed: 21 });
  });
  it("passes the jvp/vjp dot-product test", () => {
    checkJvpVjp(leaves, build, { seed: 31 });
  });
});
