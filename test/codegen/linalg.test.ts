// Generated linear algebra: batched matmul in every transpose form with broadcast batches, its
// adjoints and tangents, f64 and f32, against the interpreter; outer; and the shape errors.
import { describe, expect, it } from "vitest";
import { compile, program, type ProgramBuilder } from "adjoint";
import { checkEntry, expectClose, randomLeaves } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";
import { failure } from "../support/errors.ts";

const flags = [
  { transA: false, transB: false },
  { transA: true, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: true },
] as const;

/** Operand shapes for op(A) m×k and op(B) k×n over the given batches. */
function operands(
  batchA: readonly number[],
  batchB: readonly number[],
  [m, k, n]: readonly [number, number, number],
  { transA, transB }: { readonly transA: boolean; readonly transB: boolean },
): [number[], number[]] {
  return [
    [...batchA, ...(transA ? [k, m] : [m, k])],
    [...batchB, ...(transB ? [n, k] : [k, n])],
  ];
}

/** One product of a batched program: its name, operand shapes and flags. */
interface Product {
  readonly name: string;
  readonly shapes: [number[], number[]];
  readonly options: (typeof flags)[number];
}

/**
 * Products of every kind: broadcast both ways ([2,1,3,4]·[5,4,2]), each transpose form on batches
 * [2,1] and [3], a batch of A's times one matrix (rows stacked), one matrix times a batch, and
 * plain products whose rows and inner dimension leave remainders in the blocked loops.
 */
const everyKind: readonly Product[] = [
  {
    name: "wide",
    shapes: [
      [2, 1, 3, 4],
      [5, 4, 2],
    ],
    options: flags[0],
  },
  ...flags.map((options, i) => ({
    name: `flags${i}`,
    shapes: operands([2, 1], [3], [2, 3, 4], options),
    options,
  })),
  ...flags.map((options, i) => ({
    name: `stacked${i}`,
    shapes: operands([4, 3], [], [2, 3, 5], options),
    options,
  })),
  ...flags.map((options, i) => ({
    name: `shared${i}`,
    shapes: operands([], [2], [3, 2, 4], options),
    options,
  })),
  // nine rows (two blocks of four and one left over) and an odd inner dimension
  ...flags.map((options, i) => ({
    name: `odd${i}`,
    shapes: operands([], [], [9, 5, 3], options),
    options,
  })),
];

/**
 * A program of the given products (A an input, B a param). Entry "forward" fetches the products,
 * "grad" the adjoints of Σ_i ⟨W_i, Y_i⟩, "tangent" the forward-mode tangents of the products.
 */
function batched(products: readonly Product[]) {
  return (g: ProgramBuilder): void => {
    const leaves = products.flatMap(({ name, shapes }) => [
      g.input(`${name}_a`, shapes[0]),
      g.param(`${name}_b`, shapes[1]),
    ]);
    const ys = products.map(({ name, options }, i) =>
      g.name(g.matmul(leaves[2 * i], leaves[2 * i + 1], options), name),
    );
    const loss = ys
      .map((y, i) => g.sum(g.mul(y, g.input(`w${i}`, y.shape))))
      .reduce((total, term) => g.add(total, term));
    const adjoints = g.grad(loss, leaves);
    const tangents = leaves.map((leaf, i) => g.input(`tangent${i}`, leaf.shape));
    const y_dots = g.jvp(ys, leaves, tangents);
    g.entry("forward", { fetch: Object.fromEntries(ys.map((y, i) => [`y${i}`, y])) });
    g.entry("grad", {
      fetch: { loss, ...Object.fromEntries(adjoints.map((bar, i) => [`bar${i}`, bar])) },
    });
    g.entry("tangent", { fetch: Object.fromEntries(y_dots.map((dot, i) => [`dot${i}`, dot])) });
  };
}

describe.each([
  // f32: the broadcast product, two transpose forms, a stacked batch and a shared A
  ["f32", 2e-5, Math.fround, [0, 2, 4, 7, 10].map((i) => everyKind[i])],
  ["f64", 1e-12, (x: number) => x, everyKind],
] as const)("batched matmul in a %s program", (dtype, tolerance, round, products) => {
  it("matches the interpreter for values, adjoints and tangents", async () => {
    const p = program(`batched_${dtype}`, batched(products), { dtype });
    const compiled = await compile(p);
    const instance = compiled.create();
    for (const seed of [31, 32]) {
      const values = randomLeaves(p, seeded(seed), {}, round);
      for (const entry of ["forward", "grad", "tangent"]) {
        checkEntry(compiled, instance, p, entry, values, tolerance);
      }
    }
  });
});

describe("the emitted batched kernels", () => {
  it("stack the rows of a batch of A's times one matrix, and loop over a broadcast batch otherwise", async () => {
    const p = program("kernels", (g) => {
      const x = g.input("x", [4, 3, 2]);
      const W = g.input("W", [2, 5]);
      const u = g.input("u", [2, 1, 3, 4]);
      const v = g.input("v", [5, 4, 2]);
      g.entry("run", { fetch: { rows: g.matmul(x, W), wide: g.matmul(u, v) } });
    });
    const compiled = await compile(p);
    // [4,3,2]·[2,5] is one 12×2 by 2×5 product
    expect(compiled.source).toContain("for (let i = 0; i < 12; i += 4) {");
    // [2,1,3,4]·[5,4,2]: A advances with the first batch axis only, B with the second only
    expect(compiled.source).toContain("const a_base = i0 * 12;");
    expect(compiled.source).toContain("const b_base = i1 * 8;");
    expect(compiled.source).toContain("const out_base = i0 * 30 + i1 * 6;");
    const values = randomLeaves(p, seeded(5));
    checkEntry(compiled, compiled.create(), p, "run", values, 1e-12);
  });

  it("gives hand-derived values for a batch of two 2×2 products with one shared B", async () => {
    const p = program("byHand", (g) => {
      const A = g.input("A", [2, 2, 2]);
      const B = g.input("B", [1, 2, 2]);
      const Bt = g.input("Bt", [2, 2, 2]);
      g.entry("run", {
        fetch: { C: g.matmul(A, B), D: g.matmul(A, Bt, { transA: true, transB: true }) },
      });
    });
    const compiled = await compile(p);
    // A₀ = [[1,2],[3,4]], A₁ = [[0,1],[1,0]], B = [[5,6],[7,8]], Bt₀ = B, Bt₁ = I
    const out = compiled.entry(
      compiled.create(),
      "run",
    )({
      A: [1, 2, 3, 4, 0, 1, 1, 0],
      B: [5, 6, 7, 8],
      Bt: [5, 6, 7, 8, 1, 0, 0, 1],
    });
    // A₀B = [[19,22],[43,50]], A₁B = [[7,8],[5,6]]
    expect(Array.from(out.C)).toEqual([19, 22, 43, 50, 7, 8, 5, 6]);
    // A₀ᵀB₀ᵀ = (B₀A₀)ᵀ = [[23,34],[31,46]]ᵀ = [[23,31],[34,46]]; A₁ᵀIᵀ = A₁ᵀ = A₁
    expect(Array.from(out.D)).toEqual([23, 31, 34, 46, 0, 1, 1, 0]);
  });
});

describe("outer", () => {
  it("gives a_i·b_j and the adjoints ā = W·b, b̄ = Wᵀ·a of Σ W∘(a⊗b)", async () => {
    const p = program("outer", (g) => {
      const a = g.input("a", [2]);
      const b = g.input("b", [3]);
      const W = g.input("W", [2, 3]);
      const y = g.outer(a, b);
      const [a_bar, b_bar] = g.grad(g.sum(g.mul(W, y)), [a, b]);
      g.entry("run", { fetch: { y, a_bar, b_bar } });
    });
    const compiled = await compile(p);
    const out = compiled.entry(
      compiled.create(),
      "run",
    )({
      a: [2, -1],
      b: [1, 3, 0.5],
      W: [1, 0, 2, -1, 1, 4],
    });
    expect(Array.from(out.y)).toEqual([2, 6, 1, -1, -3, -0.5]);
    // W·b = [1 + 0 + 1, −1 + 3 + 2] = [2, 4]; Wᵀ·a = [2 + 1, 0 − 1, 4 − 4] = [3, −1, 0]
    expect(Array.from(out.a_bar)).toEqual([2, 4]);
    expect(Array.from(out.b_bar)).toEqual([3, -1, 0]);
    const values = randomLeaves(p, seeded(9));
    checkEntry(compiled, compiled.create(), p, "run", values, 1e-12);
  });

  it("rejects operands that are not vectors", () => {
    expect(() =>
      program("bad", (g) => {
        g.outer(g.input("a", [2, 2]), g.input("b", [3]));
      }),
    ).toThrow("outer: expects two vectors, got [2,2] and [3]");
  });
});

describe("shape errors", () => {
  it("matmul rejects a vector operand, naming both shapes and the alternatives", () => {
    const { message } = failure((g) => g.matmul(g.input("v", [3]), g.input("M", [3, 2])));
    expect(message).toContain(
      "matmul: expects matrices or batches of matrices (rank 2 or more), got [3] and [3,2]",
    );
    expect(message).toContain("use dot for two vectors");
  });

  it("matmul names the inner dimensions of a batched product with its flags", () => {
    const { message } = failure((g) =>
      g.matmul(g.input("A", [2, 3, 4]), g.input("B", [2, 3, 5]), { transB: true }),
    );
    expect(message).toContain(
      "matmul: inner dimensions differ: op(A) is 3x4, op(B) is 5x3 (transA=false, transB=true)",
    );
    expect(message).toContain("[2,3,4]");
  });

  it("matmul names batch dimensions that do not broadcast", () => {
    const { message } = failure((g) => g.matmul(g.input("A", [2, 3, 4]), g.input("B", [3, 4, 5])));
    expect(message).toContain("matmul: batch dimensions [2] and [3] do not broadcast");
    expect(message).toContain("[2,3,4]");
    expect(message).toContain("[3,4,5]");
  });

  it("dot rejects vectors of different lengths", () => {
    const { message } = failure((g) => g.dot(g.input("a", [3]), g.input("b", [4])));
    expect(message).toContain("dot: expects two vectors of the same length");
    expect(message).toContain("[3]");
    expect(message).toContain("[4]");
  });
});

describe("matmul of 2-D operands", () => {
  it("emits the unbatched kernel unchanged: no batch loop, no bases", async () => {
    const p = program("plain", (g) => {
      g.entry("run", { fetch: { C: g.matmul(g.input("A", [2, 3]), g.input("B", [3, 4])) } });
    });
    const compiled = await compile(p);
    expect(compiled.source).toContain(
      "for (let j = 0; j < 4; j++) C[i * 4 + j]! += a_ip * B[p * 4 + j]!;",
    );
    expect(compiled.source).not.toContain("_base");
    const out = compiled.entry(
      compiled.create(),
      "run",
    )({ A: [1, 2, 3, 4, 5, 6], B: [1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1] });
    // rows [1,2,3] and [4,5,6] times B's columns
    expectClose(out.C, [4, 5, 3, 6, 10, 11, 6, 15], 0, "C");
  });
});
