// Constant indices are checked when the node is made, not per element at run time: an
// out-of-range constant is a compile error naming the op, the node and the user's line, and the
// generated gather, scatterAdd and oneHot read constant indices unchecked, with the same values
// as the interpreter; indices from an input keep their run-time check.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AdjointError, compile, program } from "adjoint";
import { checkEntry } from "../support/oracle.ts";

const sourceLines = readFileSync(new URL(import.meta.url), "utf8").split("\n");

/** The line of this file that holds `marker` (the error names the user's line). */
function lineOf(marker: string): number {
  return sourceLines.findIndex((line) => line.includes(marker) && !line.includes("lineOf(")) + 1;
}

describe("an out-of-range constant index", () => {
  it("is a compile error naming gather, the node, the index and the user's line", () => {
    const build = () =>
      program("bad_gather", (g) => {
        const x = g.input("x", [3]);
        const y = g.gather(x, g.constant([0, 5], [2], "i32")); // bad-gather
        g.entry("run", { fetch: { y } });
      });
    expect(build).toThrow(AdjointError);
    expect(build).toThrow(
      "gather: constant index 5 at element 1 is out of range [0, 3) for gather along axis 0 of [3] " +
        "(node %2, indices %1: [2])",
    );
    expect(build).toThrow(`constant-indices.test.ts:${lineOf("// bad-gather")}:`);
  });

  it("is a compile error for scatterAdd and oneHot, negative and fractional values included", () => {
    const scatter = () =>
      program("bad_scatter", (g) => {
        const u = g.input("u", [2, 2]);
        const into = g.scatterAdd(u, g.constant([1, -1], [2], "i32"), 1, [2, 4]); // bad-scatter
        g.entry("run", { fetch: { into } });
      });
    expect(scatter).toThrow(
      "scatterAdd: constant index -1 at element 1 is out of range [0, 4) for scatterAdd along axis 1 of [2,4]",
    );
    expect(scatter).toThrow(`constant-indices.test.ts:${lineOf("// bad-scatter")}:`);
    const hot = () =>
      program("bad_hot", (g) => {
        g.entry("run", { fetch: { hot: g.oneHot(g.constant(1.5, [], "i32"), 3) } }); // bad-hot
      });
    expect(hot).toThrow(
      "oneHot: constant index 1.5 is out of range [0, 3) for oneHot of depth 3 (node %1, indices %0: [])",
    );
    expect(hot).toThrow(`constant-indices.test.ts:${lineOf("// bad-hot")}:`);
  });

  it("at the bound itself is out of range; the last valid index compiles", () => {
    const lookup = (index: number) => () =>
      program("edge", (g) => {
        const E = g.input("E", [4, 2]);
        g.entry("run", { fetch: { row: g.gather(E, g.constant([index], [1], "i32")) } });
      });
    expect(lookup(4)).toThrow("constant index 4 is out of range [0, 4)");
    expect(lookup(3)).not.toThrow();
  });
});

describe("generated code for constant indices", () => {
  // gathers along both axes, a scatter with a repeated index, a oneHot, and the adjoints
  // (scatters of gathers and the reverse), all on constant indices
  const constant = program("constant_indices", (g) => {
    const E = g.input("E", [4, 3]);
    const rows = g.gather(E, g.constant([3, 0, 3], [3], "i32"));
    const columns = g.gather(E, g.constant([2, 1], [2], "i32"), 1);
    const u = g.input("u", [2, 3]);
    const scattered = g.scatterAdd(u, g.constant([1, 1], [2], "i32"), 0, [3, 3]);
    const hot = g.oneHot(g.constant([2, 0], [2], "i32"), 3);
    const f = g.add(
      g.add(g.sum(g.mul(rows, rows)), g.sum(g.sin(columns))),
      g.sum(g.mul(g.matmul(hot, scattered), g.constant(2))),
    );
    const [E_bar, u_bar] = g.grad(f, [E, u]);
    g.entry("run", { fetch: { rows, columns, scattered, hot, f, E_bar, u_bar } });
  });
  const values = {
    E: [0.5, -1, 2, 1.5, 0.25, -0.75, 3, -2, 1, 0.125, 4, -0.5],
    u: [1, 2, 3, -4, 5, -6],
  };

  it("emits no per-element index check and imports no checkIndex", async () => {
    const compiled = await compile(constant);
    expect(compiled.source).not.toMatch(/checkIndex/);
    expect(compiled.source).toMatch(/const k: number = c\w*\[p\]!;/);
  });

  it("computes what the interpreter computes, in f64 and f32 and on both kernel paths", async () => {
    for (const dtype of ["f64", "f32"] as const) {
      for (const kernels of ["js", "wasm"] as const) {
        const compiled = await compile(constant, { dtype, kernels });
        const rounded =
          dtype === "f32" ? { E: values.E.map(Math.fround), u: values.u.map(Math.fround) } : values;
        checkEntry(
          compiled,
          compiled.create(),
          constant,
          "run",
          rounded,
          dtype === "f64" ? 1e-14 : 1e-6,
        );
      }
    }
  });

  it("matches hand-derived values: rows, the repeated scatter and E's gradient", async () => {
    const compiled = await compile(constant);
    const out = compiled.entry(compiled.create(), "run")(values);
    expect(Array.from(out.rows)).toEqual([0.125, 4, -0.5, 0.5, -1, 2, 0.125, 4, -0.5]);
    // both updates go to row 1
    expect(Array.from(out.scattered)).toEqual([0, 0, 0, -3, 7, -3, 0, 0, 0]);
    expect(Array.from(out.hot)).toEqual([0, 0, 1, 1, 0, 0]);
    // ∂/∂E of Σ rows²: 2·E[3] twice for row 3, 2·E[0] once for row 0; of Σ sin(columns): cos E[:, 2], cos E[:, 1]
    const E_bar = Array.from(out.E_bar);
    expect(E_bar[0]).toBeCloseTo(2 * 0.5, 14);
    expect(E_bar[1]).toBeCloseTo(2 * -1 + Math.cos(-1), 14);
    expect(E_bar[9]).toBeCloseTo(4 * 0.125, 14);
    expect(E_bar[11]).toBeCloseTo(4 * -0.5 + Math.cos(-0.5), 14);
    expect(E_bar[3]).toBe(0);
  });

  it("keeps the run-time check for indices read from an input", async () => {
    const fromInput = program("input_indices", (g) => {
      const E = g.input("E", [4, 3]);
      const ids = g.input("ids", [2], { dtype: "i32" });
      const fixed = g.gather(E, g.constant([1], [1], "i32"));
      g.entry("run", { fetch: { rows: g.gather(E, ids), fixed } });
    });
    const compiled = await compile(fromInput);
    const checks = compiled.source.match(/checkIndex\(/g) ?? [];
    // one call, for the input's gather (the import is the other match)
    expect(checks.length).toBe(1);
    expect(compiled.source).toMatch(/checkIndex\(\s*ids\[p\]/);
  });
});
