// Strong zero through selects: no NaN or ∞ reaches a derivative from the side of a where that is not
// taken, whatever sits between the select and the sqrt or log that would give 0·∞: a condition that
// reads the branch, shared branches, products, broadcasts, reductions, gathers, matmul, dot and
// custom rules. Each case runs through the interpreter and the generated code (support/selects.ts).
import { describe, expect, it } from "vitest";
import type { ProgramBuilder } from "../../compiler/program.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { centralDifference, run } from "../support/selects.ts";

describe("the reproducers of the issue", () => {
  it("where(sqrt(x) > 0.5, sqrt(x), 1): the condition reads the branch", async () => {
    const { y, dy, d2y } = await run(
      (g) => {
        const x = g.input("x", [3]);
        const y = g.sum(g.where(g.gt(g.sqrt(x), 0.5), g.sqrt(x), 1));
        const dy = g.grad(y, x);
        return { y, dy, d2y: g.grad(g.sum(dy), x) };
      },
      { x: [0, 4, -1] },
    );
    // at 4: √4 = 2, 1/(2·2), −¼·4^(−3/2); at 0 and −1 the constant 1
    expect(y).toEqual([4]);
    expect(dy).toEqual([0, 0.25, 0]);
    expect(d2y).toEqual([0, -1 / 32, 0]);
  });

  it("one sqrt(x) shared by two selects", async () => {
    const { y, dy } = await run(
      (g) => {
        const x = g.input("x", [4]);
        const root = g.sqrt(x);
        const y = g.sum(
          g.add(g.where(g.gt(x, 1), root, 0), g.where(g.gt(x, 4), g.mul(2, root), 0)),
        );
        return { y, dy: g.grad(y, x) };
      },
      { x: [0, -1, 2.25, 9] },
    );
    // 2.25: one select, 1/(2·1.5); 9: both, (1 + 2)/(2·3)
    expect(y).toEqual([1.5 + 3 + 6]);
    expect(dy).toEqual([0, 0, 1 / 3, 0.5]);
  });

  it("the gradient with respect to s of where(x > 0, s·sqrt(x), 0)", async () => {
    const { ds, dx } = await run(
      (g) => {
        const x = g.input("x", [3]);
        const s = g.input("s");
        const y = g.sum(g.where(g.gt(x, 0), g.mul(s, g.sqrt(x)), 0));
        const [ds, dx] = g.grad(y, [s, x]);
        return { ds, dx };
      },
      { x: [-1, 0, 4], s: 3 },
    );
    // y = 3·√4: ∂/∂s = 2, ∂/∂x = 3/(2·2) at 4
    expect(ds).toEqual([2]);
    expect(dx).toEqual([0, 0, 0.75]);
  });

  it("a broadcast scalar: where(c, sqrt(s), 0) with every c false, and with some true", async () => {
    const body = (g: ProgramBuilder) => {
      const c = g.input("c", [3], { dtype: "bool" });
      const s = g.input("s");
      const implicit = g.sum(g.where(c, g.sqrt(s), 0));
      const explicit = g.sum(g.where(c, g.broadcastTo(g.sqrt(s), [3]), 0));
      return { implicit: g.grad(implicit, s), explicit: g.grad(explicit, s) };
    };
    for (const s of [0, -1]) {
      expect(await run(body, { c: [0, 0, 0], s })).toEqual({ implicit: [0], explicit: [0] });
    }
    // two of three taken at s = 4: 2·1/(2·2)
    expect(await run(body, { c: [1, 0, 1], s: 4 })).toEqual({ implicit: [0.5], explicit: [0.5] });
  });

  it("a reduction: where(c, sum(log(x)), 0) and rows of where(c, sum(log(X), 1), 0)", async () => {
    const { whole, rows } = await run(
      (g) => {
        const c = g.input("c", [], { dtype: "bool" });
        const rowsTaken = g.input("r", [2, 1], { dtype: "bool" });
        const x = g.input("x", [2, 2]);
        const whole = g.where(c, g.sum(g.log(x)), 0);
        const rows = g.sum(g.where(rowsTaken, g.sum(g.log(x), [1], true), 0));
        return { whole: g.grad(whole, x), rows: g.grad(rows, x) };
      },
      { c: 0, r: [0, 1], x: [0, -1, 2, 4] },
    );
    expect(whole).toEqual([0, 0, 0, 0]);
    expect(rows).toEqual([0, 0, 0.5, 0.25]);
  });
});

describe("a mean between the select and the log", () => {
  it("where(c, mean(log(x)), 0): 0 when not taken, 1/(n·x) when taken", async () => {
    const body = (g: ProgramBuilder) => {
      const c = g.input("c", [], { dtype: "bool" });
      const x = g.input("x", [2]);
      return { dx: g.grad(g.where(c, g.mean(g.log(x)), 0), x) };
    };
    expect(await run(body, { c: 0, x: [0, -1] })).toEqual({ dx: [0, 0] });
    expect(await run(body, { c: 1, x: [2, 4] })).toEqual({ dx: [0.25, 0.125] });
  });
});

describe("reductions with unbounded derivatives", () => {
  // row 0 holds log(0) and log(−1); row 1 is taken: x = [1, 2]
  const feeds = { r: [0, 1], x: [0, -1, 1, 2] };
  const rowwise = (reduce: (g: ProgramBuilder, v: Node) => Node) => (g: ProgramBuilder) => {
    const taken = g.input("r", [2], { dtype: "bool" });
    const x = g.input("x", [2, 2]);
    const y = g.sum(g.where(taken, reduce(g, g.log(x)), 0));
    return { dx: g.grad(y, x) };
  };

  it("logsumexp: the taken row gets softmax/x", async () => {
    const { dx } = await run(
      rowwise((g, v) => g.logsumexp(v, [1])),
      feeds,
    );
    // log 1 = 0, log 2: softmax weights 1/3, 2/3, divided by x
    expect(dx.slice(0, 2)).toEqual([0, 0]);
    expect(dx[2]).toBeCloseTo(1 / 3, 15);
    expect(dx[3]).toBeCloseTo(1 / 3, 15);
  });

  it("max and min pick one entry of the taken row", async () => {
    expect(
      (
        await run(
          rowwise((g, v) => g.max(v, [1])),
          feeds,
        )
      ).dx,
    ).toEqual([0, 0, 0, 0.5]);
    expect(
      (
        await run(
          rowwise((g, v) => g.min(v, [1])),
          feeds,
        )
      ).dx,
    ).toEqual([0, 0, 1, 0]);
  });

  it("prod: ∂(log 1 · log 2)/∂x = [log 2, 0]/x on the taken row", async () => {
    const { dx } = await run(
      rowwise((g, v) => g.prod(v, [1])),
      feeds,
    );
    expect(dx).toEqual([0, 0, Math.LN2, 0]);
  });
});

describe("products, movement and indexing", () => {
  it("matmul: a column that is not taken, with NaN in its factor, sends back nothing", async () => {
    const A = [1, 2, 3, 4];
    const X = [4, -1, 9, -4]; // column 1 of sqrt(X) is NaN, and masked
    const value = (a: number[]) =>
      // Σ_i Σ_k A[i,k]·√X[k,0] over column 0
      (a[0] + a[2]) * 2 + (a[1] + a[3]) * 3;
    const { dA, dX } = await run(
      (g) => {
        const a = g.input("A", [2, 2]);
        const x = g.input("X", [2, 2]);
        const taken = g.input("c", [1, 2], { dtype: "bool" });
        const y = g.sum(g.where(taken, g.matmul(a, g.sqrt(x)), 0));
        const [dA, dX] = g.grad(y, [a, x]);
        return { dA, dX };
      },
      { A, X, c: [1, 0] },
    );
    // Ā[i,k] = √X[k,0]; X̄[k,0] = Σ_i A[i,k]/(2√X[k,0]), X̄[k,1] = 0
    expect(dA).toEqual([2, 3, 2, 3]);
    A.forEach((_, i) => expect(dA[i]).toBeCloseTo(centralDifference(value, A, i), 8));
    expect(dX).toEqual([(1 + 3) / 4, 0, (2 + 4) / 6, 0]);
  });

  it("matmul with flags: where(c, Aᵀ·sqrt(B), 0) by columns, where(r, sqrt(C)·Aᵀ, 0) by rows", async () => {
    const { dA_left, dB, dA_right, dC } = await run(
      (g) => {
        const a = g.input("A", [2, 2]);
        const b = g.input("B", [2, 2]);
        const c = g.input("C", [2, 2]);
        const columns = g.input("c", [1, 2], { dtype: "bool" });
        const rows = g.input("r", [2, 1], { dtype: "bool" });
        const left = g.sum(g.where(columns, g.matmul(a, g.sqrt(b), { transA: true }), 0));
        const right = g.sum(g.where(rows, g.matmul(g.sqrt(c), a, { transB: true }), 0));
        const [dA_left, dB] = g.grad(left, [a, b]);
        const [dA_right, dC] = g.grad(right, [a, c]);
        return { dA_left, dB, dA_right, dC };
      },
      { A: [1, 2, 3, 4], B: [4, -1, 9, -4], C: [4, 9, -1, -4], c: [1, 0], r: [1, 0] },
    );
    // left = Σ_k (Σ_i A[k,i])·√B[k,0]: Ā[k,i] = √B[k,0], B̄[k,0] = rowsum_k/(2√B[k,0])
    expect(dA_left).toEqual([2, 2, 3, 3]);
    expect(dB).toEqual([3 / 4, 0, 7 / 6, 0]);
    // right = Σ_j Σ_k √C[0,k]·A[j,k]: Ā[j,k] = √C[0,k], C̄[0,k] = colsum_k/(2√C[0,k])
    expect(dA_right).toEqual([2, 3, 2, 3]);
    expect(dC).toEqual([1, 1, 0, 0]);
  });

  it("dot: where(c, dot(a, sqrt(x)), 0) with c false", async () => {
    const { da, dx } = await run(
      (g) => {
        const a = g.input("a", [2]);
        const x = g.input("x", [2]);
        const c = g.input("c", [], { dtype: "bool" });
        const y = g.where(c, g.dot(a, g.sqrt(x)), 0);
        const [da, dx] = g.grad(y, [a, x]);
        return { da, dx };
      },
      { a: [1, 2], x: [0, -1], c: 0 },
    );
    expect({ da, dx }).toEqual({ da: [0, 0], dx: [0, 0] });
  });

  it("gather, slices and transposes between the select and the sqrt", async () => {
    const { dx } = await run(
      (g) => {
        const x = g.input("x", [2, 2]);
        const index = g.input("i", [3], { dtype: "i32" });
        const picked = g.gather(g.transpose(g.sqrt(x), [1, 0]), index);
        const y = g.sum(g.where(g.gt(g.slice(picked, [0, 0], [3, 1]), 1), picked, 0));
        return { dx: g.grad(y, x) };
      },
      { x: [0, 4, 9, -1], i: [0, 0, 1] },
    );
    // transpose(√x) = [[0, 3], [2, NaN]]; rows 0, 0, 1: row 1 (first entry 2 > 1) is taken,
    // reading √x[0,1] = 2 and √x[1,1] = NaN: the NaN is taken, so its gradient is NaN
    expect(dx).toEqual([0, 0.25, 0, NaN]);
  });

  it("a custom rule under a select that is not taken anywhere", async () => {
    const { dx } = await run(
      (g) => {
        const x = g.input("x", [2]);
        const c = g.input("c", [2], { dtype: "bool" });
        const root = g.customVjp(
          [x],
          (v) => g.sqrt(v),
          ({ g: h, output, output_bar }) => [h.div(output_bar, h.mul(2, output))],
        );
        return { dx: g.grad(g.sum(g.where(c, root, 0)), x) };
      },
      { x: [0, -1], c: [0, 0] },
    );
    expect(dx).toEqual([0, 0]);
  });
});
