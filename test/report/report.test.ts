// The compile report: every figure checked against a count by hand, in the API, the text and the CLI.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileReport, generate, program, type CompileReport, type Generated } from "adjoint";
import { reportText } from "../../compiler/cli/report.ts";
import { flopsOf } from "../../compiler/report/cost.ts";
import quadratic from "../../examples/quadratic.graph.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

// x[4,3] @ W[3,2] -> exp -> tanh -> sum, f32: small enough to count by hand.
const tensors = program(
  "tensors",
  (g) => {
    const x = g.input("x", [4, 3]);
    const W = g.param("W", [3, 2]);
    const loss = g.sum(g.tanh(g.exp(g.matmul(x, W))));
    g.entry("run", { fetch: { loss } });
    g.entry("train", { fetch: { loss, W_bar: g.grad(loss, W) } });
  },
  { dtype: "f32" },
);

let quadraticGenerated: Generated;
let quadraticReport: CompileReport;
let tensorReport: CompileReport;
beforeAll(async () => {
  quadraticGenerated = await generate(quadratic);
  quadraticReport = compileReport(quadraticGenerated);
  tensorReport = compileReport(await generate(tensors));
});

const entryOf = (report: CompileReport, name: string) =>
  report.entries.find((entry) => entry.name === name)!;

describe("quadratic f(x, y) = x²y + y + 2", () => {
  it("counts forward and backward operations of grad as in generated/quadratic.ts", () => {
    // forward: t2 = x·x, t3 = t2·y, t4 = t3 + y, t6 = t4 + 2
    // backward: t8 = y·x, y_bar = 1 + t2, x_bar = 2·t8
    const grad = entryOf(quadraticReport, "grad");
    expect(grad.forward).toBe(4);
    expect(grad.backward).toBe(3);
    expect(grad.ratio).toBe(0.75);
    // one flop per scalar add or multiply
    expect(grad.flops).toEqual({ forward: 4, backward: 3, total: 7 });
    // y_bar = 1 + t2 reads the forward x²
    expect(grad.saved).toEqual([{ name: "t2", shape: [] }]);
  });

  it("measures arena bytes per entry and for the whole program", () => {
    // grad touches x, y, f_out, df_dx_out, df_dy_out: 5 f64 values, none shared
    expect(entryOf(quadraticReport, "grad").arena).toEqual({ bytes: 40, unsharedBytes: 40 });
    // value touches x, y, f_out
    expect(entryOf(quadraticReport, "value").arena).toEqual({ bytes: 24, unsharedBytes: 24 });
    // the arena: x, y and six scalar outputs
    expect(quadraticReport.arena).toEqual({ bytes: 64, unsharedBytes: 64 });
  });

  it("counts the nodes each entry reaches after every pass", () => {
    const { stats } = quadraticGenerated.optimized;
    const value = entryOf(quadraticReport, "value");
    expect(value.passes.map((row) => row.pass)).toEqual(stats.map((stat) => stat.pass));
    // x, y, x·x, ·y, +y, 2, +2: nothing to simplify
    expect(value.passes.every((row) => row.nodes === 7)).toBe(true);
    // grad ends with x, y, the constants 1 and 2, and its 7 operations
    const grad = entryOf(quadraticReport, "grad");
    expect(grad.passes.at(-1)!.nodes).toBe(11);
    expect(grad.passes[0].nodes).toBeGreaterThan(11);
  });

  it("lists the rules that fired over the program, most first", () => {
    const fired = quadraticReport.fired;
    expect(new Map(fired)).toEqual(quadraticGenerated.optimized.fired);
    expect(fired.length).toBeGreaterThan(0);
    for (let i = 1; i < fired.length; i++)
      expect(fired[i - 1][1]).toBeGreaterThanOrEqual(fired[i][1]);
  });

  it("reports no backward work for a forward-only entry", () => {
    const value = entryOf(quadraticReport, "value");
    expect([value.forward, value.backward, value.ratio]).toEqual([4, 0, 0]);
    expect(value.saved).toEqual([]);
  });
});

describe("a tensor program", () => {
  it("estimates flops: matmul 2mnk, a few per transcendental, reductions per input", () => {
    // matmul 2·4·2·3 = 48, exp and tanh 4 per element of [4,2] = 32 each, sum over 8 = 8
    const run = entryOf(tensorReport, "run");
    expect(run.flops).toEqual({ forward: 120, backward: 0, total: 120 });
    // backward: t7 = t4·t4, t8 = 1 − t7, t9 = t8·t3 (8 each), W_bar = xᵀ·t9: 2·3·2·4 = 48
    const train = entryOf(tensorReport, "train");
    expect(train.flops).toEqual({ forward: 120, backward: 72, total: 192 });
    expect([train.forward, train.backward, train.ratio]).toEqual([4, 4, 1]);
    // exp(xW) and tanh(exp(xW)) are read by the backward sweep
    expect(train.saved).toEqual([
      { name: "t3", shape: [4, 2] },
      { name: "t4", shape: [4, 2] },
    ]);
  });

  it("counts the bytes slot reuse saves (4-byte f32)", () => {
    // run: x 12, W 6, loss_out 1, matmul 8; exp, tanh and the sum share one loop, with exp and
    // tanh in loop-locals (train reads them in its own shared loop too)
    expect(entryOf(tensorReport, "run").arena).toEqual({
      bytes: (12 + 6 + 1 + 8) * 4,
      unsharedBytes: (12 + 6 + 1 + 3 * 8) * 4,
    });
    // train adds W_bar (6) and the [4,2] adjoint that W_bar reads, beside the matmul
    expect(entryOf(tensorReport, "train").arena).toEqual({
      bytes: (12 + 6 + 1 + 6 + 2 * 8) * 4,
      unsharedBytes: (12 + 6 + 1 + 6 + 6 * 8) * 4,
    });
  });

  it("costs batched and transposed matmul and dot by hand", () => {
    const p = program("costs", (g) => {
      const a = g.input("a", [2, 4, 3]);
      const b = g.input("b", [3, 5]);
      const c = g.input("c", [3, 4]);
      const v = g.input("v", [5]);
      g.entry("run", {
        fetch: {
          batched: g.matmul(a, b),
          transposed: g.matmul(c, b, { transA: true }),
          inner: g.dot(v, v),
        },
      });
    });
    const [[, batched], [, transposed], [, inner]] = p.entries[0].fetch;
    expect(flopsOf(batched)).toBe(2 * 2 * 4 * 5 * 3);
    expect(flopsOf(transposed)).toBe(2 * 4 * 5 * 3);
    expect(flopsOf(inner)).toBe(2 * 5);
  });
});

const quadraticFigures = [
  "program quadratic (f64), 4 entry points",
  "arena (all entries): 64 B (without reuse 64 B, 100%)",
  "entry grad",
  "operations: 4 forward, 3 backward (backward/forward 0.75)",
  "flops (estimate): 7 (forward 4, backward 3)",
  "arena: 40 B (without reuse 40 B, 100%)",
  "saved for backward: t2",
];

describe("text", () => {
  it("prints the figures, one block per entry, the same every time", () => {
    const file = {
      input: "examples/quadratic.graph.ts",
      output: "generated/quadratic.ts",
      outputs: ["generated/quadratic.ts"],
      program: quadratic,
      generated: quadraticGenerated,
      status: "unchanged",
    };
    const text = reportText(file);
    expect(text.split("\n")[0]).toBe(
      "Compile report: examples/quadratic.graph.ts -> generated/quadratic.ts",
    );
    for (const figure of quadraticFigures) expect(text).toContain(figure);
    expect(text.match(/^entry /gm)).toEqual(Array(4).fill("entry "));
    expect(text).toMatch(/^ {4}simplify +11 +-2$/m);
    expect(reportText(file)).toBe(text);
  });

  it("prints the percentage of the bytes without reuse", async () => {
    const generated = await generate(tensors);
    const text = reportText({
      input: "tensors.graph.ts",
      output: "tensors.ts",
      outputs: ["tensors.ts"],
      program: tensors,
      generated,
      status: "wrote",
    });
    // 164 of 292 bytes
    expect(text).toContain("arena: 164 B (without reuse 292 B, 56%)");
    expect(text).toContain("saved for backward: t3 [4,2], t4 [4,2]");
  });
});

describe("adjoint compile --report", () => {
  mkdirSync(path.join(root, ".vitest-tmp"), { recursive: true });
  const out = mkdtempSync(path.join(root, ".vitest-tmp", "report-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("prints the report after compiling", () => {
    const run = spawnSync(
      process.execPath,
      [
        path.join(root, "compiler", "cli", "adjoint.mjs"),
        "compile",
        "examples/quadratic.graph.ts",
        "--out",
        path.relative(root, out),
        "--report",
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      `Compile report: examples/quadratic.graph.ts -> ${path.join(path.relative(root, out), "quadratic.ts")}`,
    );
    for (const figure of quadraticFigures) expect(run.stdout).toContain(figure);
  });
});

describe("the scratch part of the arena", () => {
  it("counts only values that are neither leaf nor output, against a buffer per value", async () => {
    // A = x·x, B = A·A, C = B·B, 4 f64 each: A dies where B is made, so C may take A's slot;
    // B overlaps both. Scratch: 2 slots of 32 B against 3; the arena adds x (32 B) and s (8 B).
    const chain = program("chain", (g) => {
      const x = g.input("x", [2, 2]);
      const A = g.matmul(x, x);
      const B = g.matmul(A, A);
      const C = g.matmul(B, B);
      g.entry("run", { fetch: { s: g.sum(C) } });
    });
    const report = compileReport(await generate(chain));
    expect(report.scratch).toEqual({ bytes: 64, unsharedBytes: 96 });
    expect(report.arena).toEqual({ bytes: 32 + 8 + 64, unsharedBytes: 32 + 8 + 96 });
  });
});
