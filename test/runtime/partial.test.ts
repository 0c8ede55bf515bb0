// What a failed call leaves behind (the guarantee the README states): rejected feeds change nothing;
// an index computed inside the entry that is out of range stops it before any param is written,
// naming the entry, the op, the user's line and the leaves the index comes from.
import { describe, expect, it } from "vitest";
import { compile, program } from "adjoint";
import { AdjointRuntimeError } from "@adjoint/runtime";

/** The message of the AdjointRuntimeError that `fn` throws. */
function runtimeError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AdjointRuntimeError);
    return (error as Error).message;
  }
  throw new Error("expected an AdjointRuntimeError");
}

// rows = E[trunc(P)] and E[trunc(at)]; W := W + sum(rows)·x (an update, written last)
const p = program("partial", (g) => {
  const E = g.param("E", [3], { init: [1, 2, 3] });
  const P = g.param("P", [2], { init: [0, 2] });
  const W = g.param("W", [2], { init: [10, 20] });
  const x = g.input("x", [2]);
  const at = g.input("at", [2]);
  const fromParam = g.gather(E, g.cast(P, "i32"));
  const fromInput = g.gather(E, g.cast(at, "i32"));
  const total = g.add(g.sum(fromParam), g.sum(fromInput));
  g.entry("step", { fetch: { total }, update: [[W, g.add(W, g.mul(total, x))]] });
  g.entry("check", { fetch: { total } });
  g.entry("back", { fetch: { d: g.grad(total, E) }, after: "check" });
});

describe("an index computed inside the entry", () => {
  it("updates as it should when every index is in range", async () => {
    const compiled = await compile(p);
    const instance = compiled.create();
    // E[0] + E[2] + E[1] + E[1] = 1 + 3 + 2 + 2 = 8; W = [10, 20] + 8·[1, -1]
    const out = compiled.entry(instance, "step")({ x: [1, -1], at: [1, 1.5] });
    expect(Array.from(out.total)).toEqual([8]);
    expect(Array.from(instance.params.W)).toEqual([18, 12]);
  });

  it("from a param, stops the entry before any param is written; the feeds are written", async () => {
    const compiled = await compile(p);
    const instance = compiled.create();
    instance.params.P.set([0, 3]);
    expect(runtimeError(() => compiled.entry(instance, "step")({ x: [1, -1], at: [0, 0] }))).toBe(
      'partial.step: gather along axis 0 of [3] (partial.test.ts:26) reading indices computed from param "P": ' +
        "index 3 is out of range [0, 3)",
    );
    expect(Array.from(instance.params.W)).toEqual([10, 20]);
    expect(Array.from(instance.params.P)).toEqual([0, 3]);
    expect(Array.from(instance.params.E)).toEqual([1, 2, 3]);
    expect(Array.from(instance.inputs.x)).toEqual([1, -1]);
  });

  it("from an input through other ops, names that input", async () => {
    const compiled = await compile(p);
    const instance = compiled.create();
    expect(runtimeError(() => compiled.entry(instance, "step")({ x: [1, 1], at: [0, -1] }))).toBe(
      'partial.step: gather along axis 0 of [3] (partial.test.ts:27) reading indices computed from input "at": ' +
        "index -1 is out of range [0, 3)",
    );
    expect(Array.from(instance.params.W)).toEqual([10, 20]);
  });

  it("leaves the values an entry saves for a later one marked stale", async () => {
    const compiled = await compile(p);
    const instance = compiled.create();
    const check = compiled.entry(instance, "check");
    const back = compiled.entry(instance, "back");
    check({ x: [0, 0], at: [1, 1] });
    // ∂total/∂E: one for each index read, E[0], E[2], E[1] twice
    expect(Array.from(back().d)).toEqual([1, 2, 1]);
    expect(() => check({ x: [0, 0], at: [1, 7] })).toThrow("index 7 is out of range [0, 3)");
    // check stopped halfway: back must not read its half-written values
    expect(runtimeError(() => back())).toBe(
      "partial.back: call check() first (and no other entry in between): back() reads the values it computed",
    );
  });
});

describe("an index input that only a later entry uses as indices", () => {
  const later = program("later", (g) => {
    const ids = g.input("ids", [2], { dtype: "i32" });
    g.entry("first", { fetch: { s: g.sum(g.cast(ids, "f64")) } });
    g.entry("second", { fetch: { hot: g.oneHot(ids, 2) }, after: "first" });
  });

  it("is range-checked where it is fed, by the entry the later one runs after", async () => {
    const compiled = await compile(later);
    const instance = compiled.create();
    const first = compiled.entry(instance, "first");
    expect(Array.from(first({ ids: [1, 0] }).s)).toEqual([1]);
    expect(Array.from(compiled.entry(instance, "second")().hot)).toEqual([0, 1, 1, 0]);
    expect(runtimeError(() => first({ ids: [1, 2] }))).toBe(
      'later.first: input "ids" (shape [2], i32) holds 2 at [1] (element 1); ' +
        "it indexes oneHot of depth 2 (partial.test.ts:88), which takes whole numbers from 0 to 1",
    );
    expect(Array.from(instance.inputs.ids)).toEqual([1, 0]);
  });
});

describe("an entry that runs after another", () => {
  const twoStep = program("twostep", (g) => {
    const x = g.input("x", [2]);
    const y = g.exp(x);
    g.entry("forward", { fetch: { y } });
    g.entry("backward", {
      fetch: { d: g.vjp([y], [g.input("y_bar", [2])], [x])[0] },
      after: "forward",
    });
  });

  it("refuses a call out of order before writing any feed", async () => {
    const compiled = await compile(twoStep);
    const instance = compiled.create();
    instance.inputs.y_bar.set([7, 7]);
    expect(() => compiled.entry(instance, "backward")({ y_bar: [1, 2] })).toThrow(
      "twostep.backward: call forward() first",
    );
    expect(Array.from(instance.inputs.y_bar)).toEqual([7, 7]);
    compiled.entry(instance, "forward")({ x: [0, 0] });
    // x̄ = ȳ·exp(x) = ȳ at x = 0; forward's input x is accepted and ignored
    const out = compiled.entry(instance, "backward")({ y_bar: [1, 2], x: [5, 5] });
    expect(Array.from(out.d)).toEqual([1, 2]);
    expect(Array.from(instance.inputs.x)).toEqual([0, 0]);
  });
});
