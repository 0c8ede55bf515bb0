// Second and third derivatives by differentiating gradient graphs again: Hessians of quadratic
// forms and of the Rosenbrock function against their analytic matrices (and symmetric), and third
// derivatives of x·sin x, tanh, softplus and logsumexp against their formulas.
import { describe, expect, it } from "vitest";
import { interpret, program, type Node, type ProgramBuilder } from "adjoint";
import { seeded, uniform } from "../support/random.ts";

type Matrix = number[][];

/** |a − b| ≤ rtol·max(1, |b|) entry by entry, with the entry named on failure. */
function expectMatrix(actual: Matrix, expected: Matrix, rtol: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  actual.forEach((row, i) =>
    row.forEach((value, j) => {
      const error = Math.abs(value - expected[i][j]) / Math.max(1, Math.abs(expected[i][j]));
      expect(error, `${label}[${i}][${j}] = ${value}, want ${expected[i][j]}`).toBeLessThanOrEqual(
        rtol,
      );
    }),
  );
}

function expectSymmetric(h: Matrix, rtol: number, label: string): void {
  expectMatrix(
    h,
    h.map((row, i) => row.map((_, j) => h[j][i])),
    rtol,
    `${label} against its transpose`,
  );
}

/** The i-th unit vector of length n as a constant. */
function unit(g: ProgramBuilder, n: number, i: number): Node {
  return g.constant(
    Array.from({ length: n }, (_, k) => (k === i ? 1 : 0)),
    [n],
  );
}

/**
 * The Hessian of f at x, by reverse over reverse: column i is ∇⟨∇f, e_i⟩ (and, as a cross-check,
 * forward over reverse: the jvp of ∇f along e_i).
 */
function hessian(
  n: number,
  f: (g: ProgramBuilder, x: Node) => Node,
  x: readonly number[],
  extra: Record<string, readonly number[]> = {},
): { reverse: Matrix; forward: Matrix; gradient: number[] } {
  let roots: { grad: Node; reverse: Node[]; forward: Node[] } | undefined;
  program("hessian", (g) => {
    const xs = g.input("x", [n]);
    const grad = g.grad(f(g, xs), xs);
    const reverse = Array.from({ length: n }, (_, i) => g.grad(g.dot(grad, unit(g, n, i)), xs));
    const forward = Array.from({ length: n }, (_, i) => g.jvp([grad], [xs], [unit(g, n, i)])[0]);
    roots = { grad, reverse, forward };
    g.entry("all", { fetch: { grad } });
  });
  const { grad, reverse, forward } = roots!;
  const values = interpret([grad, ...reverse, ...forward], { x, ...extra });
  // column i of each Hessian, transposed back to rows
  const matrix = (columns: readonly Float64Array[]) =>
    Array.from({ length: n }, (_, r) => columns.map((column) => column[r]));
  return {
    gradient: [...values[0]],
    reverse: matrix(values.slice(1, n + 1)),
    forward: matrix(values.slice(n + 1)),
  };
}

describe("Hessian of the quadratic form ½xᵀAx + bᵀx", () => {
  it.each([2, 3, 5])("is (A + Aᵀ)/2 everywhere, for n = %i and a non-symmetric A", (n) => {
    const random = seeded(100 + n);
    const A = uniform(random, n * n);
    const b = uniform(random, n);
    const x = uniform(random, n);
    // xᵀAx as the 1×1 product Xᵀ·(A·X) of the column X, through matmul's transpose flag
    const f = (g: ProgramBuilder, xs: Node) => {
      const X = g.reshape(xs, [n, 1]);
      const quadratic = g.matmul(X, g.matmul(g.input("A", [n, n]), X), { transA: true });
      return g.add(g.mul(0.5, g.reshape(quadratic, [])), g.dot(g.input("b", [n]), xs));
    };
    const { reverse, forward, gradient } = hessian(n, f, x, { A, b });
    const at = (i: number, j: number) => A[i * n + j];
    const symmetricPart = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => (at(i, j) + at(j, i)) / 2),
    );
    expectMatrix(reverse, symmetricPart, 1e-14, "reverse-over-reverse H");
    expectMatrix(forward, symmetricPart, 1e-14, "forward-over-reverse H");
    expectSymmetric(reverse, 1e-15, "H");
    // ∇f = (A + Aᵀ)x/2 + b
    const expectedGradient = symmetricPart.map(
      (row, i) => row.reduce((total, h, j) => total + h * x[j], 0) + b[i],
    );
    expectMatrix([gradient], [expectedGradient], 1e-14, "∇f");
  });
});

/** Σ_{i<n−1} 100(x_{i+1} − x_i²)² + (1 − x_i)², with x_i and x_{i+1} picked by selection matrices. */
function rosenbrock(n: number) {
  return (g: ProgramBuilder, xs: Node): Node => {
    const select = (shift: number) =>
      g.constant(
        Array.from({ length: (n - 1) * n }, (_, k) =>
          k % n === Math.floor(k / n) + shift ? 1 : 0,
        ),
        [n - 1, n],
      );
    const X = g.reshape(xs, [n, 1]);
    const head = g.matmul(select(0), X);
    const tail = g.matmul(select(1), X);
    const d = g.sub(tail, g.mul(head, head));
    const e = g.sub(1, head);
    return g.sum(g.add(g.mul(100, g.mul(d, d)), g.mul(e, e)));
  };
}

/** ∂²f/∂x_i² = 1200x_i² − 400x_{i+1} + 2 (i < n−1) + 200 (i > 0); ∂²f/∂x_i∂x_{i+1} = −400x_i. */
function rosenbrockHessian(x: readonly number[]): Matrix {
  const n = x.length;
  const h = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n - 1; i++) {
    h[i][i] += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
    h[i + 1][i + 1] += 200;
    h[i][i + 1] = h[i + 1][i] = -400 * x[i];
  }
  return h;
}

describe("Hessian of the Rosenbrock function", () => {
  it.each([4, 5, 6, 7, 8, 9, 10])("matches the analytic tridiagonal matrix for n = %i", (n) => {
    const x = uniform(seeded(200 + n), n, -2, 2);
    const { reverse, forward } = hessian(n, rosenbrock(n), x);
    const expected = rosenbrockHessian(x);
    expectMatrix(reverse, expected, 1e-13, "reverse-over-reverse H");
    expectMatrix(forward, expected, 1e-13, "forward-over-reverse H");
    expectSymmetric(reverse, 1e-15, "H");
  });

  it("is [[802, −400], [−400, 200]] at the minimum (1, 1) for n = 2", () => {
    const { reverse, gradient } = hessian(2, rosenbrock(2), [1, 1]);
    expect(gradient).toEqual([0, 0]);
    expect(reverse).toEqual([
      [802, -400],
      [-400, 200],
    ]);
  });
});

/** f''' at each point, by three reverse sweeps over a scalar input. */
function thirdDerivative(
  f: (g: ProgramBuilder, x: Node) => Node,
  points: readonly number[],
): number[] {
  let third: Node | undefined;
  program("third", (g) => {
    const x = g.input("x");
    third = g.grad(g.grad(g.grad(f(g, x), x), x), x);
    g.entry("all", { fetch: { third } });
  });
  return points.map((x) => interpret([third!], { x: [x] })[0][0]);
}

describe("third derivatives", () => {
  const points = [-2.5, -1, -0.3, 0, 0.4, 1.2, 3];
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const cases: [string, (g: ProgramBuilder, x: Node) => Node, (x: number) => number][] = [
    // (x sin x)''' = −3 sin x − x cos x
    ["x·sin x", (g, x) => g.mul(x, g.sin(x)), (x) => -3 * Math.sin(x) - x * Math.cos(x)],
    // tanh''' = −2(1 − t²)(1 − 3t²) with t = tanh x
    [
      "tanh",
      (g, x) => g.tanh(x),
      (x) => {
        const t = Math.tanh(x);
        return -2 * (1 - t * t) * (1 - 3 * t * t);
      },
    ],
    // softplus''' = σ(1 − σ)(1 − 2σ)
    [
      "softplus",
      (g, x) => g.softplus(x),
      (x) => {
        const s = sigmoid(x);
        return s * (1 - s) * (1 - 2 * s);
      },
    ],
  ];
  it.each(cases)("of %s match the analytic formula", (_, f, expected) => {
    const actual = thirdDerivative(f, points);
    expectMatrix([actual], [points.map(expected)], 1e-14, "f'''");
  });

  it("of logsumexp form the tensor p_iδ_ijδ_jk − p_ip_j(δ_ik + δ_jk) − p_ip_kδ_ij + 2p_ip_jp_k", () => {
    const n = 3;
    const x = [0.3, -1.1, 0.8];
    let tensor: Node[][] | undefined;
    program("lse3", (g) => {
      const xs = g.input("x", [n]);
      const grad = g.grad(g.logsumexp(xs), xs);
      // T[i][j] is the vector over k of ∂³f/∂x_i∂x_j∂x_k
      tensor = Array.from({ length: n }, (_, i) => {
        const row = g.grad(g.dot(grad, unit(g, n, i)), xs);
        return Array.from({ length: n }, (_, j) => g.grad(g.dot(row, unit(g, n, j)), xs));
      });
      g.entry("all", { fetch: { grad } });
    });
    const values = interpret(tensor!.flat(), { x });
    const total = x.reduce((sum, v) => sum + Math.exp(v), 0);
    const p = x.map((v) => Math.exp(v) / total);
    const delta = (a: number, b: number) => (a === b ? 1 : 0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const expected = [0, 1, 2].map(
          (k) =>
            p[i] * delta(i, j) * delta(j, k) -
            p[i] * p[j] * (delta(i, k) + delta(j, k)) -
            p[i] * p[k] * delta(i, j) +
            2 * p[i] * p[j] * p[k],
        );
        expectMatrix([[...values[i * n + j]]], [expected], 1e-15, `T[${i}][${j}]`);
        // the tensor is symmetric in all three indices
        for (let k = 0; k < n; k++) {
          expect(values[i * n + j][k]).toBeCloseTo(values[j * n + k][i], 15);
          expect(values[i * n + j][k]).toBeCloseTo(values[k * n + i][j], 15);
        }
      }
    }
  });
});
