// The fixed point terminates, in few rounds, on graphs built to make rules chase each other:
// long chains of double negations, alternating transposes, deep reshape chains, and many equal
// subexpressions reached by different paths. Values are those of the graph as written.
import { describe, expect, it } from "vitest";
import { program, type ProgramBuilder } from "../../compiler/program.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import type { Program } from "../../compiler/ir/program.ts";
import { programText } from "../../compiler/ir/text.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";

function single(build: (g: ProgramBuilder) => Node): Program {
  return program("f", (g) => g.entry("e", { fetch: { y: build(g) } }));
}

/** Optimizes with verification, checks values on `leaves`, and returns the result. */
function settle(p: Program, leaves: Record<string, number[]>) {
  const result = optimize(p, { verifyEachPass: true });
  const [was] = interpret([p.entries[0].fetch[0][1]], leaves);
  const [now] = interpret([result.program.entries[0].fetch[0][1]], leaves);
  expect([...now]).toEqual([...was]);
  // optimizing the result again finds nothing to do
  expect(optimize(result.program).fired.size).toBe(0);
  return result;
}

const rounds = (result: ReturnType<typeof optimize>) =>
  result.stats.filter((stat) => stat.pass === "simplify").length;

const iota = (n: number) => Array.from({ length: n }, (_, i) => i - n / 2);

describe("the fixed point terminates", () => {
  it("on 500 double negations: one sweep removes all 1000 negs", () => {
    const result = settle(
      single((g) => {
        let y = g.sin(g.input("x", [2]));
        for (let i = 0; i < 1000; i++) y = g.neg(y);
        return y;
      }),
      { x: [0.5, -2] },
    );
    expect(result.fired.get("--x -> x")).toBe(500);
    expect(result.program.graph.nodes.map((node) => node.op)).toEqual(["input", "sin"]);
    expect(rounds(result)).toBe(2);
  });

  it("on 301 alternating transposes: they compose to the one rotation [1,2,0]", () => {
    const result = settle(
      single((g) => {
        let y = g.input("m", [2, 3, 4]);
        for (let i = 0; i < 301; i++) y = g.transpose(y, i % 2 === 0 ? [1, 2, 0] : [0, 2, 1]);
        return g.mul(y, 2);
      }),
      { m: iota(24) },
    );
    expect(result.fired.get("transpose(transpose(x)) -> transpose(x)")).toBeGreaterThan(0);
    // each pair is the swap [1,0,2]: 150 swaps are the identity, then one rotation is left
    const transposes = result.program.graph.nodes.filter((node) => node.op === "transpose");
    expect(transposes.map((node) => node.attrs)).toEqual([{ perm: [1, 2, 0] }]);
    expect(rounds(result)).toBeLessThanOrEqual(3);
  });

  it("on 400 reshapes back and forth: none is left", () => {
    const shapes = [[6, 4], [24], [4, 6], [2, 12], [2, 3, 4]];
    const result = settle(
      single((g) => {
        let y = g.input("m", [2, 3, 4]);
        for (let i = 0; i < 400; i++) y = g.reshape(y, shapes[i % shapes.length]);
        return g.sin(y);
      }),
      { m: iota(24) },
    );
    expect(result.program.graph.nodes.map((node) => node.op)).toEqual(["input", "sin"]);
    expect(rounds(result)).toBeLessThanOrEqual(3);
  });

  it("on 200 copies of sin(x) reached through x·1, −(−x) and x/1: one sin is left", () => {
    const result = settle(
      single((g) => {
        const x = g.input("x", [2]);
        const copies = Array.from({ length: 200 }, (_, i) => {
          const spelled = [g.mul(x, 1), g.neg(g.neg(x)), g.div(x, 1)][i % 3];
          return g.sin(g.mul(spelled, g.constant(1, [2])));
        });
        return g.concat(copies);
      }),
      { x: [0.5, -2] },
    );
    expect(result.program.graph.nodes.filter((node) => node.op === "sin")).toHaveLength(1);
    expect(rounds(result)).toBeLessThanOrEqual(3);
  });

  it("on sums of one term: x + x + x + x settles into (2+1)·x + x, exact at each step", () => {
    const result = settle(
      single((g) => {
        const x = g.input("x", [2]);
        return g.add(g.add(g.add(x, x), x), x);
      }),
      { x: [0.1, 1e308] },
    );
    expect(programText(result.program)).toBe(
      [
        "program f (f64)",
        '%0: f64[2] = input "x"',
        "%1: f64[] = const 3",
        "%2: f64[2] = mul %1 %0",
        "%3: f64[2] = add %2 %0",
        "entry e: y=%3",
      ].join("\n"),
    );
  });
});
