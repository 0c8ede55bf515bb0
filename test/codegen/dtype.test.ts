// float32 programs: the arena and every view are Float32Array, and values match the float64
// interpreter (on float32-rounded inputs) to float32 accuracy.
import { describe, expect, it } from "vitest";
import { compile, interpret, program, type ProgramBuilder } from "adjoint";
import { checkEntry, randomLeaves } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

/** float32 keeps 24 bits: a few roundings of relative size 6e-8 each, with room for cancellation. */
const f32Tolerance = 2e-5;

function quadratic(g: ProgramBuilder) {
  const x = g.input("x");
  const y = g.input("y");
  const f = g.add(g.add(g.mul(g.mul(x, x), y), y), 2);
  const [df_dx, df_dy] = g.grad(f, [x, y]);
  g.entry("grad", { fetch: { f, df_dx, df_dy } });
}

function layer(g: ProgramBuilder) {
  const x = g.input("x", [4, 3]);
  const t = g.input("t", [4, 2]);
  const W = g.param("W", [3, 2], { init: [0.5, -0.25, 0.125, 1, -1, 0.75] });
  const h = g.tanh(g.matmul(x, W));
  const r = g.sub(h, t);
  const loss = g.mul(0.5, g.sum(g.mul(r, r)));
  const dW = g.grad(loss, W);
  g.entry("grad", { fetch: { loss, h, dW } });
  g.entry("step", { fetch: { loss }, update: [[W, g.sub(W, g.mul(0.1, dW))]] });
}

describe.each([
  ["quadratic32", quadratic],
  ["layer32", layer],
] as const)("%s", (name, build) => {
  it("allocates a Float32Array arena and matches the interpreter to float32 accuracy", async () => {
    const p = program(name, build, { dtype: "f32" });
    const compiled = await compile(p);
    // layer's matmul may run in the kernel library, whose memory then holds the arena
    const length = compiled.plan.arenaLength;
    expect(compiled.source).toContain(
      name === "layer32"
        ? `allocateKernelArena("f32", ${length}, "auto")`
        : `allocateArena("f32", ${length})`,
    );
    expect(compiled.source).not.toContain("Float64Array");
    const instance = compiled.create();
    expect(instance.arena).toBeInstanceOf(Float32Array);
    expect(instance.arena.length).toBe(compiled.plan.arenaLength);
    for (const view of [...Object.values(instance.inputs), ...Object.values(instance.params)]) {
      expect(view).toBeInstanceOf(Float32Array);
      expect(view.buffer).toBe(instance.arena.buffer);
    }
    for (const seed of [21, 22, 23]) {
      const values = randomLeaves(p, seeded(seed), {}, Math.fround);
      for (const entry of p.entries) {
        checkEntry(compiled, instance, p, entry.name, values, f32Tolerance);
        const outputs = compiled.entry(instance, entry.name)();
        for (const view of Object.values(outputs)) expect(view).toBeInstanceOf(Float32Array);
      }
    }
  });
});

it("rounds fed values and results to float32", async () => {
  const p = program("round32", quadratic, { dtype: "f32" });
  const compiled = await compile(p);
  const instance = compiled.create();
  const out = compiled.entry(instance, "grad")({ x: 0.1, y: 3 });
  expect(instance.inputs.x[0]).toBe(Math.fround(0.1));
  // every value is a float32, rounded where it is defined, scalar locals too
  const r = Math.fround;
  const x = r(0.1);
  expect(out.f[0]).toBe(r(r(r(r(x * x) * 3) + 3) + 2));
  expect(out.f[0]).not.toBe(r(x * x * 3 + 3 + 2));
  const [, df_dx, df_dy] = interpret(
    p.entries[0].fetch.map(([, node]) => node),
    { x: 0.1, y: 3 },
  );
  expect(out.df_dx[0]).toBe(df_dx[0]);
  expect(out.df_dy[0]).toBe(df_dy[0]);
  expect(out.df_dy[0]).toBe(r(r(x * x) + 1));
});
