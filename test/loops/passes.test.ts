// The optimizer inside loops: invariants move out, constant inputs move in, bodies simplify, and
// the value stays what the interpreter gave before.
import { describe, expect, it } from "vitest";
import type { Node } from "adjoint";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Program } from "../../compiler/ir/program.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import { program, transformBuilder } from "../../compiler/program.ts";

const bodyOps = (built: Program) =>
  built.graph.nodes.flatMap((node) =>
    node.op === "scan" ? node.attrs.body.graph.nodes.map((member) => member.op) : [],
  );
const outerOps = (built: Program) => built.graph.nodes.map((node) => node.op);
const fetched = (built: Program, leaves: Record<string, number[]>) =>
  interpret(
    built.entries[0].fetch.map(([, node]) => node),
    leaves,
  ).map((data) => [...data]);

describe("loop passes", () => {
  const leaves = { xs: [0.5, -1, 2], w: [0.3, 0.7] };
  const invariant = program("invariant", (g) => {
    const xs = g.input("xs", [3]);
    const w = g.input("w", [2]);
    // exp(w)·2 does not change from step to step; x·(it) does
    const [total, ys] = g.scan(
      (acc: Node, x: Node) => {
        const y = g.add(acc, g.mul(x, g.mul(g.exp(w), 2)));
        return [y, g.sum(y)];
      },
      g.constant(0, [2]),
      xs,
    );
    g.entry("run", { fetch: { total, ys } });
  });

  it("moves values computed from captured values alone out of the body", () => {
    const optimized = optimize(invariant, { verifyEachPass: true }).program;
    expect(bodyOps(invariant)).toContain("exp");
    expect(bodyOps(optimized)).not.toContain("exp");
    expect(outerOps(optimized)).toContain("exp");
    expect(fetched(optimized, leaves)).toEqual(fetched(invariant, leaves));
  });

  it("folds a constant sequence into the body and drops the input", () => {
    const constant = program("constant", (g) => {
      const w = g.input("w", [2]);
      const [total] = g.scan(
        (acc: Node, x: Node) => [g.add(g.mul(acc, w), x), []],
        g.constant(1, [2]),
        g.constant(0.5, [4, 2]),
      );
      g.entry("run", { fetch: { total } });
    });
    const optimized = optimize(constant, { verifyEachPass: true }).program;
    const scan = optimized.graph.nodes.find((node) => node.op === "scan");
    expect(scan?.op === "scan" && scan.attrs.sequences).toBe(0);
    expect(scan?.inputs.map((input) => input.op)).toEqual(["const", "input"]);
    const w = [0.3, 0.7];
    const expected = w.map((wi) => {
      let acc = 1;
      for (let t = 0; t < 4; t++) acc = acc * wi + 0.5;
      return acc;
    });
    const [total] = fetched(optimized, { w });
    total.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 14));
  });
});

describe("a trimmed loop", () => {
  it("is differentiated again from a twin that keeps its tape (a graph extended after optimizing)", () => {
    const built = program("trimmed", (g) => {
      const xs = g.input("xs", [3]);
      const w = g.input("w");
      const [total] = g.scan((acc: Node, x: Node) => [g.mul(acc, g.sin(g.mul(x, w))), []], 1, xs);
      g.entry("run", { fetch: { total } });
    });
    const optimized = optimize(built).program;
    const scan = optimized.graph.nodes.find((node) => node.op === "scan");
    expect(scan?.op === "scan" && scan.attrs.tape).toBe(false);
    const total = optimized.entries[0].fetch[0][1];
    const w = optimized.leaves.find((leaf) => leaf.attrs.name === "w")!;
    const [dw] = transformBuilder(optimized.graph).grad(total, [w]);
    const xs = [0.5, -1, 2];
    const [value] = interpret([dw], { xs, w: [0.3] });
    // d/dw Π sin(x·w) = Σₜ xₜ·cos(xₜw)·Π_{s≠t} sin(x_s·w)
    const s = xs.map((x) => Math.sin(x * 0.3));
    const expected = xs.reduce(
      (sum, x, t) =>
        sum + x * Math.cos(x * 0.3) * s.filter((_, k) => k !== t).reduce((p, v) => p * v, 1),
      0,
    );
    expect(value[0]).toBeCloseTo(expected, 14);
  });
});

describe("slices of padded values", () => {
  it("are zeros in the padding and slices of the value inside it", () => {
    const padded = program("padded", (g) => {
      const x = g.input("x", [3]);
      const p = g.pad(g.exp(x), [2], [4]);
      g.entry("run", {
        fetch: {
          zeros: g.slice(p, [6], [9]),
          inner: g.slice(p, [3], [5]),
          across: g.slice(p, [1], [4]),
        },
      });
    });
    const optimized = optimize(padded, { verifyEachPass: true }).program;
    const [zeros, inner, across] = optimized.entries[0].fetch.map(([, node]) => node);
    expect(zeros.op).toBe("const");
    expect(inner.op).toBe("slice");
    expect(inner.inputs[0].op).toBe("exp");
    expect(across.inputs[0].op).toBe("pad");
    expect(fetched(optimized, { x: [0, 1, 2] })).toEqual(fetched(padded, { x: [0, 1, 2] }));
  });
});
