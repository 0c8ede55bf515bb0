// The compile report's loops: each loop once, with its trip count, its tape and its recompute
// factor, every figure counted by hand from the loop's shape and its checkpoint policy.
import { beforeAll, describe, expect, it } from "vitest";
import { compileReport, generate, program, type CompileReport, type Node } from "adjoint";
import { reportText } from "../../compiler/cli/report.ts";
import type { Generated } from "../../compiler/codegen/generate.ts";
import type { LoopReport } from "../../compiler/report/loops.ts";

// h ← tanh(h·w + x_t) over 10 steps of a carry of 3, stored and checkpointed every 4 steps
const loops = program("loops", (g) => {
  const h0 = g.input("h0", [3]);
  const w = g.input("w", [3]);
  const xs = g.input("xs", [10, 3]);
  const loss = (checkpoint?: { every: number }) => {
    const [hT] = g.scan(
      (h: Node, x: Node) => [g.tanh(g.add(g.mul(h, w), x)), []],
      h0,
      xs,
      checkpoint === undefined ? {} : { checkpoint },
    );
    return g.sum(hT);
  };
  const stored = loss();
  g.entry("value", { fetch: { stored } });
  g.entry("stored", { fetch: { w_bar: g.grad(stored, w) } });
  g.entry("checkpointed", { fetch: { w_bar: g.grad(loss({ every: 4 }), w) } });
});

let generated: Generated;
let report: CompileReport;
beforeAll(async () => {
  generated = await generate(loops);
  report = compileReport(generated);
});

const loopsOf = (name: string) => report.entries.find((entry) => entry.name === name)!.loops;
const figures = (rows: readonly LoopReport[]) =>
  rows.map((row) => [
    row.role,
    row.depth,
    row.steps,
    row.tapeCarries,
    row.tapeBytes,
    row.recompute,
  ]);

describe("loops in the compile report", () => {
  it("a value entry runs the loop once, taping what the gradient of the same node reads", () => {
    // the stored gradient's forward loop is this very node (interned), so it keeps its tape
    expect(figures(loopsOf("value"))).toEqual([["forward", 0, 10, 10, 240, 1]]);
  });

  it("storing every carry: 10 carries of 3 float64s, 240 B; the sweep back tapes nothing", () => {
    expect(figures(loopsOf("stored"))).toEqual([
      ["forward", 0, 10, 10, 10 * 3 * 8, 1],
      ["adjoint", 0, 10, 0, 0, 1],
    ]);
  });

  it("every 4 of 10 steps: 3 checkpoints, a recomputed segment of 4 and the last of 2", () => {
    // checkpoints at steps 0, 4 and 8: 3 · 3 · 8 = 72 B; each step runs forward twice
    // the last segment (steps 8, 9) recomputed with its 2 carries, then swept back
    // the 2 whole segments swept back by a loop of 2 steps, each recomputing 4 carries in its body
    expect(figures(loopsOf("checkpointed"))).toEqual([
      ["forward", 0, 10, 3, 72, 2],
      ["adjoint", 0, 2, 2, 48, 1],
      ["adjoint", 0, 2, 0, 0, 1],
      ["adjoint", 0, 2, 0, 0, 1],
      ["adjoint", 1, 4, 4, 96, 1],
      ["adjoint", 1, 4, 0, 0, 1],
    ]);
  });

  it("prints one line per loop and the tapes' total", () => {
    const text = reportText({
      input: "loops.graph.ts",
      output: "loops.ts",
      outputs: ["loops.ts"],
      program: loops,
      generated,
      status: "wrote",
    });
    // 3 + 2 + 4 = 9 carries, 216 B
    expect(text).toContain("  loops: 6, tapes 9 carries (216 B)");
    expect(text).toMatch(
      /^ {4}scan of 10 steps at test\/report\/loops\.test\.ts:\d+:\d+: tape 3 carries \(72 B\), recompute x2$/m,
    );
    expect(text).toMatch(
      /^ {6}scan of 4 steps, adjoint at .*: tape 4 carries \(96 B\), recompute x1$/m,
    );
    expect(text).toContain("  loops: 2, tapes 10 carries (240 B)");
  });
});
