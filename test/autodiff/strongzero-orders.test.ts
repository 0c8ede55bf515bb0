// Strong zero through selects at higher order and in forward mode: Hessians, hvps, third
// derivatives, reverse over forward and jvps through a where at the sqrt's 0; and what it leaves
// alone (a taken NaN, a branch used outside the select, programs without where).
import { describe, expect, it } from "vitest";
import { program, type ProgramBuilder } from "../../compiler/program.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { centralDifference, run } from "../support/selects.ts";

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

describe("an adjoint that is 0 by coincidence, not by a select (found by the fuzzer)", () => {
  // f = 2(v − stop(v))² with v = where(x > 0.25, log x, x): f = 0 and f' = 0 everywhere, but
  // f'' = 4·v'² = 4/x² where x > 0.25 and 4 elsewhere; the guards must keep the ȳ-derivative term
  const f = (g: ProgramBuilder, x: Node) => {
    const v = g.where(g.gt(x, 0.25), g.log(x), x);
    return g.sum(g.mul(g.square(g.sub(v, g.stopGradient(v))), 2));
  };
  const x = [0.5, 0.1, 2];
  const diagonal = [16, 4, 1];

  it("the Hessian (forward over reverse) and grad of grad (reverse over reverse) are 4·v'²", async () => {
    const { h, hv, d2 } = await run(
      (g) => {
        const input = g.input("x", [3]);
        return {
          h: g.hessian(f(g, input), input),
          hv: g.hvp(f(g, input), input, g.constant([1, 1, 1], [3])),
          d2: g.grad(g.sum(g.grad(f(g, input), input)), input),
        };
      },
      { x },
    );
    expect(h).toEqual([16, 0, 0, 0, 4, 0, 0, 0, 1]);
    expect(hv).toEqual(diagonal);
    expect(d2).toEqual(diagonal);
  });
});
