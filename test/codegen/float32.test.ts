// float32 programs agree with the interpreter bit for bit: every f32 value is rounded to float32
// where it is defined, in a scalar local, a loop-local of a fused chain, a fold's accumulator once
// it is complete, or an arena element, and the interpreter rounds every f32 node the same way.
import { describe, expect, it } from "vitest";
import { compile, program, type ProgramBuilder } from "adjoint";
import { expectedEntry, randomLeaves, writeLeaves } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

const programs: Record<string, (g: ProgramBuilder) => void> = {
  // the reproducer: y is a scalar local, v holds y twice in the arena
  stacked: (g) => {
    const x = g.input("x");
    const y = g.mul(x, 1.1);
    const v = g.stack([y, y]);
    g.entry("e", { fetch: { le: g.le(v, y), d: g.sub(v, y), eq: g.eq(g.sum(v), g.mul(y, 2)) } });
  },
  scalars: (g) => {
    const x = g.input("x");
    const y = g.input("y");
    const f = g.add(g.mul(g.sin(g.mul(x, 0.3)), g.exp(y)), g.div(g.sqrt(g.square(x)), 7));
    const [df_dx, df_dy] = g.grad(f, [x, y]);
    g.entry("e", { fetch: { f, df_dx, df_dy } });
  },
  // a chain of elementwise tensor ops: fused into one loop, or a loop each without fusion
  chain: (g) => {
    const x = g.input("x", [3, 5]);
    const b = g.input("b", [5]);
    const s = g.input("s");
    const h = g.tanh(g.add(g.mul(x, s), b));
    const y = g.sub(g.mul(h, h), g.div(x, 3));
    g.entry("e", { fetch: { y, z: g.where(g.gt(y, 0.1), g.log1p(g.abs(y)), y) } });
  },
  reductions: (g) => {
    const x = g.input("x", [4, 6]);
    const s = g.sum(g.mul(x, 0.7));
    g.entry("e", {
      fetch: {
        s,
        rows: g.sum(g.exp(x), 1),
        cols: g.max(g.sub(x, 0.25), 0, true),
        prod: g.prod(g.add(x, 1.3), 1),
        lse: g.logsumexp(x, 1),
        centered: g.sub(x, g.div(s, 24)),
        scaled: g.mul(g.min(x), 1.7),
      },
    });
  },
  // W·x as a row sum (a matmul kernel adds up in its own order, so it agrees only to f32 accuracy)
  gradients: (g) => {
    const x = g.input("x", [5]);
    const W = g.param("W", [4, 5]);
    const h = g.sigmoid(g.sum(g.mul(W, x), 1));
    const loss = g.mul(0.5, g.sum(g.square(g.sub(h, 0.3))));
    const [dW, dx] = g.grad(loss, [W, x]);
    // scalars that kernels leave in locals (prodExcept, prod's gradient, keeps partial products in
    // its float32 output, so it agrees only to float32 accuracy: it is left out)
    const p = g.prod(x);
    g.entry("e", {
      fetch: {
        loss,
        dW,
        dx,
        outer: g.outer(dx, h),
        dot: g.mul(g.dot(x, dx), 3),
        p,
      },
    });
  },
};

describe.each(Object.entries(programs))("%s in float32", (name, build) => {
  it.each([
    { fusion: true },
    { fusion: false },
    // split into functions of a few lines: scalars cross between them through a float32 spill view
    { fusion: true, maxFunctionLines: 6 },
  ])("equals the interpreter bit for bit (%o)", async (options) => {
    const p = program(name, build, { dtype: "f32" });
    const compiled = await compile(p, options);
    // without fusion a program of tensors alone has no value outside the arena to round
    if (options.fusion) expect(compiled.source).toContain("Math.fround(");
    const instance = compiled.create();
    for (const seed of [1, 2, 3, 4]) {
      const values = randomLeaves(p, seeded(seed), {}, Math.fround);
      writeLeaves(p, instance, values);
      const outputs = compiled.entry(instance, "e")();
      const expected = expectedEntry(p, "e", values).fetch;
      for (const [key, want] of Object.entries(expected))
        expect([...outputs[key]], `${name}.${key}, seed ${seed}`).toEqual([...want]);
    }
  });
});

it("the issue's reproducer: y = x·1.1 at x = 1 and v = [y, y] give le(v, y) = [1, 1], v − y = 0", async () => {
  const p = program("stacked", programs.stacked, { dtype: "f32" });
  const compiled = await compile(p);
  const out = compiled.entry(compiled.create(), "e")({ x: 1 });
  expect([...out.le]).toEqual([1, 1]);
  expect([...out.d]).toEqual([0, 0]);
  expect([...out.eq]).toEqual([1]);
});

it("a float64 program keeps its double-precision locals: no rounding in its module", async () => {
  const compiled = await compile(program("stacked", programs.stacked));
  expect(compiled.source).not.toContain("Math.fround");
  const out = compiled.entry(compiled.create(), "e")({ x: 1 });
  expect([...out.le]).toEqual([1, 1]);
});
