// Strong zero through selects: no NaN or ∞ reaches a derivative from the side of a where that is not
// taken, whatever sits between the select and the sqrt or log that would give 0·∞: a condition that
// reads the branch, shared branches, products, broadcasts, reductions, gathers, matmul, dot, custom
// rules, second order and forward mode. Each case runs through the interpreter (as built and
// optimized) and the generated code (fused and not), which must agree exactly.
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.ts";
import { program, type ProgramBuilder } from "../../compiler/dsl/program.ts";
import { interpret, type LeafValues } from "../../compiler/ir/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";

type Fetches = Record<string, Node>;
type Values = Record<string, number[]>;

/** The fetched values, after checking that the optimized graph and the generated code agree. */
async function run(body: (g: ProgramBuilder) => Fetches, feeds: LeafValues): Promise<Values> {
  const p = program("strong", (g) => g.entry("e", { fetch: body(g) }));
  const fetch = p.entries[0].fetch;
  const asBuilt = interpret(
    fetch.map(([, node]) => node),
    feeds,
  );
  const optimized = optimize(p, { verifyEachPass: true }).program.entries[0].fetch;
  const result: Values = {};
  fetch.forEach(([name], i) => {
    result[name] = [...asBuilt[i]];
    expect([...interpret([optimized[i][1]], feeds)[0]], name).toEqual(result[name]);
  });
  for (const options of [{}, { fusion: false }]) {
    const c = await compile(p, options);
    const outputs = c.entry(c.create(), "e")(feeds as never) as Record<string, Float64Array>;
    for (const [name] of fetch) expect([...outputs[name]], name).toEqual(result[name]);
  }
  return result;
}

/** Central difference of a scalar function of one coordinate of `x`. */
function centralDifference(f: (x: number[]) => number, x: number[], i: number, h = 1e-5): number {
  const at = (delta: number) => f(x.map((v, j) => (j === i ? v + delta : v)));
  return (at(h) - at(-h)) / (2 * h);
}

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

describe("higher order and forward mode", () => {
  const f = (g: ProgramBuilder, x: Node) => g.sum(g.where(g.gt(x, 0), g.mul(x, g.sqrt(x)), 0));
  // f = Σ x^(3/2) over x > 0: f' = 1.5·√x, f'' = 0.75/√x
  const x = [0, 4, -1];

  it("hessian and hvp through where(x > 0, x·sqrt(x), 0) at 0: finite, and f'' where taken", async () => {
    const { h, hv } = await run(
      (g) => {
        const input = g.input("x", [3]);
        return {
          h: g.hessian(f(g, input), input),
          hv: g.hvp(f(g, input), input, g.constant([1, 1, 1], [3])),
        };
      },
      { x },
    );
    expect(h).toEqual([0, 0, 0, 0, 0.375, 0, 0, 0, 0]);
    expect(hv).toEqual([0, 0.375, 0]);
    const gradient = (at: number[]) => 1.5 * Math.sqrt(at[1]);
    expect(h[4]).toBeCloseTo(centralDifference(gradient, x, 1), 8);
  });

  it("third order: the gradient of the Hessian's trace is 0 where not taken", async () => {
    const { d3 } = await run(
      (g) => {
        const input = g.input("x", [3]);
        const d2 = g.grad(g.sum(g.grad(f(g, input), input)), input);
        return { d3: g.grad(g.sum(d2), input) };
      },
      { x },
    );
    // f''' = −0.375·x^(−3/2) at 4
    expect(d3).toEqual([0, -0.375 / 8, 0]);
  });

  it("jvp of where(x > 0, sqrt(x), 0) at 0 and −1 is 0, and 1/(2√x) where taken", async () => {
    const { t, st } = await run(
      (g) => {
        const input = g.input("x", [3]);
        const s = g.input("s");
        const ones = g.constant([1, 1, 1], [3]);
        const [t] = g.jvp([g.where(g.gt(input, 0), g.sqrt(input), 0)], [input], [ones]);
        const branch = g.sum(g.where(g.gt(input, 0), g.mul(s, g.sqrt(input)), 0));
        const [st] = g.jvp([branch], [s, input], [g.constant(1), ones]);
        return { t, st };
      },
      { x, s: 2 },
    );
    expect(t).toEqual([0, 0.25, 0]);
    // d/dε of Σ (s + ε)·√(x + ε) at 4: √4 + 2/(2·2)
    expect(st).toEqual([2.5]);
  });
});

describe("second order through the guarded rules", () => {
  /** The hvp of f along v at x, checked against the central difference of f's gradient. */
  async function hvpAgainstDifferences(
    f: (g: ProgramBuilder, x: Node) => Node,
    shape: number[],
    x: number[],
    v: number[],
  ): Promise<number[]> {
    const body = (g: ProgramBuilder) => {
      const input = g.input("x", shape);
      const y = f(g, input);
      return { dy: g.grad(y, input), hv: g.hvp(y, input, g.constant(v, shape)) };
    };
    const { hv } = await run(body, { x });
    const gradAt = async (t: number) =>
      (await run(body, { x: x.map((xi, i) => xi + t * v[i]) })).dy;
    const h = 1e-6;
    const [above, below] = [await gradAt(h), await gradAt(-h)];
    above.forEach((value, i) => expect(hv[i]).toBeCloseTo((value - below[i]) / (2 * h), 5));
    return hv;
  }

  it("matmul: where(x[0,:] > 0, A·sqrt(x), 0) with a NaN column that is not taken", async () => {
    const hv = await hvpAgainstDifferences(
      (g, x) => {
        const taken = g.gt(g.slice(x, [0, 0], [1, 2]), 0);
        return g.sum(g.where(taken, g.matmul(g.constant([1, 2, 3, 4], [2, 2]), g.sqrt(x)), 0));
      },
      [2, 2],
      [4, -1, 9, -4],
      [1, 1, 1, 1],
    );
    // column 0: Σ_i A[i,k]·(−¼)·x^(−3/2) = −4/32 and −6/108
    expect([hv[1], hv[3]]).toEqual([0, 0]);
    expect(hv[0]).toBeCloseTo(-4 / 32, 14);
    expect(hv[2]).toBeCloseTo(-6 / 108, 14);
  });

  it("logsumexp: where(x[:,0] > 0.5, logsumexp(log(x), 1), 0) with log 0 and log −1 not taken", async () => {
    const hv = await hvpAgainstDifferences(
      (g, x) => {
        const taken = g.gt(g.reshape(g.slice(x, [0, 0], [2, 1]), [2]), 0.5);
        return g.sum(g.where(taken, g.logsumexp(g.log(x), [1]), 0));
      },
      [2, 2],
      [0, -1, 1, 2],
      [1, 0.5, 1, 0.5],
    );
    expect([hv[0], hv[1]]).toEqual([0, 0]);
    expect(hv.every(Number.isFinite)).toBe(true);
  });
});

describe("reverse over forward", () => {
  it("the gradient of a jvp through where(x > 0, sqrt(x), 0) is 0 where not taken", async () => {
    const { d } = await run(
      (g) => {
        const x = g.input("x", [3]);
        const [t] = g.jvp([g.where(g.gt(x, 0), g.sqrt(x), 0)], [x], [g.constant([1, 1, 1], [3])]);
        return { d: g.grad(g.sum(t), x) };
      },
      { x: [0, 4, -1] },
    );
    // d/dx of 1/(2√x) at 4: −¼·4^(−3/2)
    expect(d).toEqual([0, -1 / 32, 0]);
  });
});

describe("what stays as it was", () => {
  it("a program without where gets the plain rules: no guard is built", () => {
    const p = program("plain", (g) => {
      const x = g.input("x", [3]);
      const w = g.param("w", [3, 3]);
      const y = g.logsumexp(g.matmul(g.reshape(g.sqrt(x), [1, 3]), w));
      const dx = g.grad(y, x);
      g.entry("e", { fetch: { dx, hv: g.hvp(y, x, g.constant([1, 0, 0], [3])) } });
    });
    const built = p.graph.nodes.map((node) => node.op);
    expect(built).not.toContain("where");
    expect(built).not.toContain("eq");
  });

  it("a branch that is also used outside the select keeps its real infinity", async () => {
    const { dy } = await run(
      (g) => {
        const x = g.input("x", [2]);
        const root = g.sqrt(x);
        return { dy: g.grad(g.sum(g.add(g.where(g.gt(x, 0), root, 0), root)), x) };
      },
      { x: [4, 0] },
    );
    expect(dy).toEqual([0.5, Infinity]);
  });

  it("the taken side's own NaN still shows: where(x > −2, sqrt(x), 0) at −1", async () => {
    const { dy } = await run(
      (g) => {
        const x = g.input("x", [1]);
        return { dy: g.grad(g.sum(g.where(g.gt(x, -2), g.sqrt(x), 0)), x) };
      },
      { x: [-1] },
    );
    expect(dy).toEqual([NaN]);
  });
});
