// NaN-safe selects: the gradient through where(c, a, b) takes nothing from the inactive branch,
// not even 0·∞ = NaN from sqrt or log at a masked 0; values and active gradients are unchanged.
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.ts";
import { program, type ProgramBuilder } from "../../compiler/program.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import type { Program } from "../../compiler/ir/program.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";

/** y = Σ branch(x), its gradient and the gradient of Σ gradient (the Hessian's diagonal here). */
function withDerivatives(branch: (g: ProgramBuilder, x: Node) => Node, size: number): Program {
  return program("masked", (g) => {
    const x = g.input("x", [size]);
    const y = g.sum(branch(g, x));
    const dy = g.grad(y, x);
    g.entry("e", { fetch: { y, dy, d2y: g.grad(g.sum(dy), x) } });
  });
}

/** Values with −0 read as 0: a masked term is an exact zero of either sign (0·(−f') = −0). */
const zeroed = (values: ArrayLike<number>) => Array.from(values, (v) => v + 0);

function interpreted(p: Program, x: number[]): number[][] {
  return interpret(
    p.entries[0].fetch.map(([, node]) => node),
    { x },
  ).map(zeroed);
}

async function compiled(p: Program, x: number[]): Promise<number[][]> {
  const c = await compile(p);
  const outputs = c.entry(c.create(), "e")({ x } as never) as Record<string, Float64Array>;
  return ["y", "dy", "d2y"].map((name) => zeroed(outputs[name]));
}

const sqrtWhere = (g: ProgramBuilder, x: Node) => g.where(g.gt(x, 0), g.sqrt(x), 0);
const logWhere = (g: ProgramBuilder, x: Node) => g.where(g.gt(x, 0), g.log(x), 0);

describe("where(x > 0, sqrt(x), 0)", () => {
  const p = withDerivatives(sqrtWhere, 3);
  // at 4: y = 2, y' = 1/(2·2) = 1/4, y'' = −1/4 · 4^(−3/2) = −1/32; at 0 and −1 everything is 0
  const expected = [[2], [0, 0.25, 0], [0, -1 / 32, 0]];

  it("has gradient 0 at x = 0 through the interpreter, before and after optimizing", () => {
    expect(interpreted(p, [0, 4, -1])).toEqual(expected);
    expect(interpreted(optimize(p, { verifyEachPass: true }).program, [0, 4, -1])).toEqual(
      expected,
    );
  });

  it("has gradient 0 at x = 0 in the generated code", async () => {
    expect(await compiled(p, [0, 4, -1])).toEqual(expected);
  });
});

describe("where(x > 0, log(x), 0)", () => {
  const p = withDerivatives(logWhere, 3);
  // at 2: y = ln 2, y' = 1/2, y'' = −1/4
  const expected = [[Math.LN2], [0, 0.5, 0], [0, -0.25, 0]];

  it("has gradient 0 at the masked 0 through the interpreter", () => {
    expect(interpreted(p, [0, 2, -1])).toEqual(expected);
  });

  it("has gradient 0 at the masked 0 in the generated code", async () => {
    expect(await compiled(p, [0, 2, -1])).toEqual(expected);
  });
});

describe("the masking", () => {
  it("guards the false branch too: where(x ≤ 0, 0, sqrt(x))", () => {
    const p = withDerivatives((g, x) => g.where(g.le(x, 0), 0, g.sqrt(x)), 2);
    expect(interpreted(p, [0, 4])).toEqual([[2], [0, 0.25], [0, -1 / 32]]);
  });

  it("guards a chain under the branch: where(x > 0, 3·log(sqrt(x)) + x, 0)", () => {
    const p = withDerivatives(
      (g, x) => g.where(g.gt(x, 0), g.add(g.mul(3, g.log(g.sqrt(x))), x), 0),
      2,
    );
    // y = 1.5·ln x + x: y' = 1.5/x + 1, y'' = −1.5/x²
    const [y, dy, d2y] = interpreted(p, [0, 2]);
    expect(y).toEqual([1.5 * Math.LN2 + 2]);
    expect(dy).toEqual([0, 1.75]);
    expect(d2y[0]).toBe(0);
    expect(d2y[1]).toBeCloseTo(-0.375, 14);
  });

  it("nests: where(x < 9, where(x > 0, sqrt(x), 0), 0) at 0, 4 and 16", () => {
    const p = withDerivatives(
      (g, x) => g.where(g.lt(x, 9), g.where(g.gt(x, 0), g.sqrt(x), 0), 0),
      3,
    );
    expect(interpreted(p, [0, 4, 16])).toEqual([[2], [0, 0.25, 0], [0, -1 / 32, 0]]);
  });

  it("leaves a branch shared with another use alone: its adjoint is not only the select's", () => {
    // y = where(x > 0, √x, 0) + √x: at 4, y' = 1/4 + 1/4; at 0 the second √x is truly infinite
    const p = withDerivatives((g, x) => {
      const root = g.sqrt(x);
      return g.add(g.where(g.gt(x, 0), root, 0), root);
    }, 2);
    const [y, dy] = interpreted(p, [4, 0]);
    expect(y).toEqual([4]);
    expect(dy).toEqual([0.5, Infinity]);
  });

  it("changes no value: the primal graph is the same with or without a gradient", () => {
    const plain = program("plain", (g) => {
      const x = g.input("x", [3]);
      g.entry("e", { fetch: { y: g.sum(sqrtWhere(g, x)) } });
    });
    const x = [0, 4, -1];
    expect(interpreted(plain, x)[0]).toEqual(interpreted(withDerivatives(sqrtWhere, 3), x)[0]);
  });
});
