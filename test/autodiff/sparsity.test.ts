// Structural sparsity against the numbers: for ops of every family and random compositions, each
// entry the analysis calls structurally zero is exactly zero in the uncompressed Jacobian (one jvp
// per basis vector), and for generic ops the pattern is exactly the nonzeros; known
// Hessian patterns (Rosenbrock tridiagonal, elementwise diagonal, a sum squared dense).
import { describe, expect, it } from "vitest";
import type { Node, ProgramBuilder } from "adjoint";
import { jacobianPattern, type Pattern } from "../../compiler/autodiff/sparsity.ts";
import { basisJacobian } from "../../compiler/autodiff/transforms.ts";
import { build, values } from "../support/build.ts";
import { seeded, uniform } from "../support/random.ts";

const n = 12;
type Body = (g: ProgramBuilder, x: Node) => Node;

/** The pattern of ∂y/∂x and the dense Jacobian (row-major, rows × n) at a random x. */
function analyse(body: Body, seed = 1): { pattern: Pattern; jacobian: number[]; rows: number } {
  let pattern: Pattern | "dense" = "dense";
  const { nodes } = build((g) => {
    const x = g.input("x", [n]);
    const y = body(g, x);
    pattern = jacobianPattern([y], [x]);
    return { jacobian: basisJacobian(g, y, x, "forward") };
  });
  if (pattern === "dense") throw new Error("unexpectedly dense");
  const found: Pattern = pattern;
  const jacobian = values(nodes.jacobian, { x: uniform(seeded(seed), n, 0.5, 2) });
  return { pattern: found, jacobian, rows: found.rows.length };
}

const has = (pattern: Pattern, row: number, column: number) => pattern.rows[row].includes(column);

/** Every entry outside the pattern is exactly zero. */
function expectZerosOutside(body: Body, seed = 1): void {
  const { pattern, jacobian, rows } = analyse(body, seed);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < n; c++) {
      if (!has(pattern, r, c)) expect(Math.abs(jacobian[r * n + c]), `J[${r}][${c}]`).toBe(0);
    }
  }
}

/** The pattern is exactly the nonzero entries (at a generic point). */
function expectExactly(body: Body): void {
  const { pattern, jacobian, rows } = analyse(body);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < n; c++) {
      expect(has(pattern, r, c), `(${r}, ${c}) in the pattern`).toBe(jacobian[r * n + c] !== 0);
    }
  }
}

const part = (g: ProgramBuilder, x: Node, begin: number, shape: number[]) =>
  g.reshape(g.slice(x, [begin], [begin + shape.reduce((a, b) => a * b, 1)]), shape);
const matrix = (g: ProgramBuilder, x: Node) => g.reshape(x, [3, 4]);

/** One case per op family; `exact`: the pattern should equal the nonzeros. */
const cases: readonly { name: string; body: Body; exact: boolean }[] = [
  { name: "unary (exp)", body: (g, x) => g.exp(x), exact: true },
  {
    name: "binary with broadcasting",
    body: (g, x) => g.mul(part(g, x, 0, [3, 1]), part(g, x, 3, [1, 4])),
    exact: true,
  },
  { name: "where", body: (g, x) => g.where(g.gt(x, 1), g.square(x), g.neg(x)), exact: true },
  { name: "sum over an axis", body: (g, x) => g.sum(matrix(g, x), [1]), exact: true },
  { name: "max over an axis", body: (g, x) => g.max(matrix(g, x), [0]), exact: false },
  { name: "prod, kept dims", body: (g, x) => g.prod(matrix(g, x), [1], true), exact: true },
  { name: "logsumexp", body: (g, x) => g.logsumexp(matrix(g, x), [0]), exact: true },
  // Pᵢ does not depend on xᵢ: the group's union is a superset
  { name: "prodExcept", body: (g, x) => g.prodExcept(matrix(g, x), [1]), exact: false },
  { name: "transpose", body: (g, x) => g.transpose(matrix(g, x), [1, 0]), exact: true },
  { name: "slice", body: (g, x) => g.slice(matrix(g, x), [1, 1], [3, 3]), exact: true },
  { name: "pad", body: (g, x) => g.pad(matrix(g, x), [1, 0], [0, 2]), exact: true },
  {
    name: "concat",
    body: (g, x) => g.concat([part(g, x, 7, [5]), g.slice(x, [0], [7])]),
    exact: true,
  },
  {
    name: "broadcastTo",
    body: (g, x) => g.broadcastTo(part(g, x, 2, [3, 1]), [3, 4]),
    exact: true,
  },
  {
    name: "gather with constant indices",
    body: (g, x) => g.gather(matrix(g, x), g.constant([2, 0, 2], [3], "i32"), 1),
    exact: true,
  },
  {
    name: "scatterAdd with constant indices",
    body: (g, x) => g.scatterAdd(matrix(g, x), g.constant([1, 1, 0], [3], "i32"), 0, [2, 4]),
    exact: true,
  },
  {
    name: "matmul",
    body: (g, x) => g.matmul(part(g, x, 0, [2, 3]), part(g, x, 6, [3, 2])),
    exact: true,
  },
  {
    name: "matmul with transposes",
    body: (g, x) =>
      g.matmul(part(g, x, 0, [3, 2]), part(g, x, 6, [2, 3]), { transA: true, transB: true }),
    exact: true,
  },
  {
    name: "batched matmul",
    body: (g, x) => g.matmul(part(g, x, 0, [2, 2, 2]), part(g, x, 8, [2, 2])),
    exact: true,
  },
  { name: "dot", body: (g, x) => g.dot(g.slice(x, [0], [6]), g.slice(x, [6], [12])), exact: true },
  { name: "stopGradient", body: (g, x) => g.mul(g.stopGradient(x), 3), exact: true },
];

describe("Jacobian sparsity per op family", () => {
  it.each(cases)("$name: zero wherever the pattern has no entry", ({ body }) => {
    for (const seed of [1, 2, 3]) expectZerosOutside(body, seed);
  });
  it.each(cases.filter(({ exact }) => exact))("$name: exactly the nonzeros", ({ body }) =>
    expectExactly(body),
  );
});

/** Random compositions of elementwise, reduction, movement and product steps. */
const steps: readonly ((g: ProgramBuilder, y: Node, x: Node) => Node)[] = [
  (g, y) => g.tanh(y),
  (g, y, x) => g.mul(y, g.broadcastTo(g.sum(g.slice(x, [0], [3])), y.shape)),
  (g, y) => g.add(y, g.reshape(g.broadcastTo(g.sum(g.reshape(y, [3, 4]), [0], true), [3, 4]), [n])),
  (g, y) => g.reshape(g.transpose(g.reshape(y, [3, 4]), [1, 0]), [n]),
  (g, y) => g.pad(g.slice(y, [2], [n]), [0], [2]),
  (g, y) => g.concat([g.slice(y, [6], [n]), g.slice(y, [0], [6])]),
  (g, y) =>
    g.reshape(g.matmul(g.reshape(y, [3, 4]), g.reshape(g.slice(y, [0], [4]), [4, 1])), [3]).shape
      .length === 1
      ? g.mul(y, y)
      : y,
  (g, y) => g.reshape(g.broadcastTo(g.logsumexp(g.reshape(y, [3, 4]), [1], true), [3, 4]), [n]),
  (g, y) => g.add(g.mul(y, g.slice(g.concat([y, y]), [1], [n + 1])), g.square(y)),
  (g, y) => g.reshape(g.prodExcept(g.reshape(y, [4, 3]), [1]), [n]),
];

describe("Jacobian sparsity of random compositions", () => {
  it.each([11, 12, 13, 14, 15, 16, 17, 18])(
    "seed %i: zero wherever the pattern has none",
    (seed) => {
      const random = seeded(seed);
      const picks = Array.from({ length: 4 }, () => Math.floor(random() * steps.length));
      expectZerosOutside((g, x) => picks.reduce((y, k) => steps[k](g, y, x), x as Node));
    },
  );
});

/** The pattern of the Hessian of f (the Jacobian of ∇f) over an x of `size` elements. */
function hessianPattern(size: number, f: Body): Pattern {
  let pattern: Pattern | "dense" = "dense";
  build((g) => {
    const x = g.input("x", [size]);
    const grad = g.grad(f(g, x), x);
    pattern = jacobianPattern([grad], [x]);
    return { grad };
  });
  if (pattern === "dense") throw new Error("unexpectedly dense");
  return pattern;
}

const columnsOf = (pattern: Pattern) => pattern.rows.map((set) => [...set]);

describe("Hessian patterns of known functions", () => {
  it("Rosenbrock is tridiagonal", () => {
    const size = 6;
    const pattern = hessianPattern(size, (g, x) => {
      const head = g.slice(x, [0], [size - 1]);
      const tail = g.slice(x, [1], [size]);
      return g.sum(
        g.add(g.mul(100, g.square(g.sub(tail, g.square(head)))), g.square(g.sub(1, head))),
      );
    });
    expect(columnsOf(pattern)).toEqual(
      Array.from({ length: size }, (_, i) => [i - 1, i, i + 1].filter((j) => j >= 0 && j < size)),
    );
  });
  it("a sum of elementwise functions is diagonal", () => {
    const pattern = hessianPattern(5, (g, x) => g.sum(g.add(g.exp(x), g.mul(x, g.sin(x)))));
    expect(columnsOf(pattern)).toEqual([[0], [1], [2], [3], [4]]);
  });
  it("a sum squared is dense", () => {
    const pattern = hessianPattern(4, (g, x) => g.square(g.sum(x)));
    expect(columnsOf(pattern)).toEqual(Array.from({ length: 4 }, () => [0, 1, 2, 3]));
  });
  it("a quadratic form through constants has no dependency left", () => {
    const pattern = hessianPattern(3, (g, x) => g.dot(x, g.mul(2, x)));
    // ∇f = 4x: each element depends on its own
    expect(columnsOf(pattern)).toEqual([[0], [1], [2]]);
  });
});
