// Prune keeps what the entry points reach plus every declared leaf; CSE comes from re-interning;
// optimize runs rounds until one changes nothing.
import { describe, expect, it } from "vitest";
import { program } from "../../compiler/program.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import { programText } from "../../compiler/ir/text.ts";
import { verify } from "../../compiler/ir/verify.ts";
import { optimize, prune } from "../../compiler/passes/pipeline.ts";

describe("prune", () => {
  const built = program("p", (g) => {
    const x = g.input("x");
    const y = g.input("y");
    const unused = g.input("unused", [2]);
    const w = g.param("w");
    g.exp(y); // reached by no entry
    g.mul(unused, 3); // neither
    const s = g.sin(x);
    g.entry("value", { fetch: { s } });
    g.entry("step", { update: [[w, g.mul(w, 0.5)]] });
  });

  it("returns a program that has nothing to drop unchanged, without copying its graph", () => {
    const pruned = prune(built);
    expect(prune(pruned)).toBe(pruned);
    expect(pruned.graph.nodes.length).toBeLessThan(built.graph.nodes.length);
  });

  it("removes nodes that no entry reaches and keeps every declared leaf", () => {
    const pruned = prune(built);
    verify(pruned);
    expect(programText(pruned)).toBe(
      [
        "program p (f64)",
        '%0: f64[] = input "x"',
        '%1: f64[] = input "y"',
        '%2: f64[2] = input "unused"',
        '%3: f64[] = param "w"',
        "%4: f64[] = sin %0",
        "%5: f64[] = const 0.5",
        "%6: f64[] = mul %3 %5",
        "entry value: s=%4",
        "entry step: w:=%6",
      ].join("\n"),
    );
  });

  it("maps the leaves and entries to the new graph", () => {
    const pruned = prune(built);
    expect(pruned.leaves.map((leaf) => leaf.attrs.name)).toEqual(["x", "y", "unused", "w"]);
    for (const leaf of pruned.leaves) expect(pruned.graph.has(leaf)).toBe(true);
    const [[param, value]] = pruned.entries[1].update;
    expect(pruned.graph.has(param) && pruned.graph.has(value)).toBe(true);
    expect([...interpret([value], { w: 3 })[0]]).toEqual([1.5]);
  });

  it("leaves the program it was given alone, and is idempotent", () => {
    const before = programText(built);
    const once = prune(built);
    expect(programText(built)).toBe(before);
    expect(built.graph.nodes.length).toBe(10);
    expect(programText(prune(once))).toBe(programText(once));
  });
});

describe("common subexpressions", () => {
  it("merge when simplification makes two nodes equal: sin(x·1)·sin(x) is sin(x)²", () => {
    const result = optimize(
      program("p", (g) => {
        const x = g.input("x");
        g.entry("e", { fetch: { y: g.mul(g.sin(g.mul(x, 1)), g.sin(x)) } });
      }),
      { verifyEachPass: true },
    );
    expect(Object.fromEntries(result.fired)).toEqual({ "x*1 -> x": 1 });
    expect(programText(result.program)).toBe(
      [
        "program p (f64)",
        '%0: f64[] = input "x"',
        "%1: f64[] = sin %0",
        "%2: f64[] = mul %1 %1",
        "entry e: y=%2",
      ].join("\n"),
    );
  });

  it("merge a folded constant with an equal one: (1 + 1)·x and 2·x are one node", () => {
    const result = optimize(
      program("p", (g) => {
        const x = g.input("x");
        const a = g.mul(g.add(g.constant(1), 1), x);
        const b = g.mul(2, x);
        g.entry("e", { fetch: { a, b } });
      }),
    );
    expect(programText(result.program)).toBe(
      [
        "program p (f64)",
        '%0: f64[] = input "x"',
        "%1: f64[] = const 2",
        "%2: f64[] = mul %1 %0",
        "entry e: a=%2 b=%2",
      ].join("\n"),
    );
  });

  it("keep the first name given to either of the merged nodes", () => {
    const built = program("p", (g) => {
      const x = g.input("x");
      const a = g.name(g.exp(g.add(x, -0)), "first");
      const b = g.name(g.exp(x), "second");
      g.entry("e", { fetch: { a, b } });
    });
    const optimized = optimize(built).program;
    const [[, a], [, b]] = optimized.entries[0].fetch;
    expect(a).toBe(b);
    expect(optimized.graph.origin(a).label).toBe("first");
  });
});

describe("the fixed point", () => {
  it("takes another round when a rule builds a node that a rule can simplify", () => {
    // (−s)·(−1) with a [3] constant: x*-1 gives broadcast(−(−s)), whose inner −(−s) is a node
    // built by the rule, which only the next round's sweep simplifies
    const built = program("p", (g) => {
      const s = g.input("s");
      g.entry("e", { fetch: { y: g.mul(g.neg(s), g.constant(-1, [3])) } });
    });
    const result = optimize(built, { verifyEachPass: true });
    expect(Object.fromEntries(result.fired)).toEqual({ "x*-1 -> -x": 1, "--x -> x": 1 });
    expect(programText(result.program)).toBe(
      [
        "program p (f64)",
        '%0: f64[] = input "s"',
        "%1: f64[3] = broadcastTo %0",
        "entry e: y=%1",
      ].join("\n"),
    );
    // input, prune, stabilize, then two rounds that fired and a last one that did not
    expect(result.stats.map((stat) => stat.pass)).toEqual([
      "input",
      "prune",
      "stabilize",
      "simplify",
      "prune",
      "simplify",
      "prune",
      "simplify",
      "prune",
    ]);
    expect([...interpret([result.program.entries[0].fetch[0][1]], { s: 4 })[0]]).toEqual([4, 4, 4]);
  });
});
