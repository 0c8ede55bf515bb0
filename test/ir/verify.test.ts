// verify(): passes on every well-formed program and names the fault in a corrupted one.
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { program } from "../../compiler/program.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { verify } from "../../compiler/ir/verify.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import type { Graph } from "../../compiler/ir/graph.ts";
import { isProgram, type Program } from "../../compiler/ir/program.ts";

const examplesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../examples");

/** x, y (scalars), v (vector), the product xy, a constant, and an entry fetching xy + 2. */
function valid(): Program {
  return program("p", (g) => {
    const x = g.input("x");
    const y = g.input("y");
    g.input("v", [3]);
    const f = g.add(g.mul(x, y), 2);
    g.entry("e", { fetch: { f, dx: g.grad(f, x) } });
  });
}

/** The program with its graph's node list replaced (verify reads only `nodes`, `dtype` and `ops`). */
function withNodes(base: Program, nodes: readonly object[], dtype = base.graph.dtype): Program {
  return { ...base, graph: { dtype, nodes, ops: base.graph.ops } as unknown as Graph };
}

/** A node object that looks like `node` with some fields changed (not interned, not frozen). */
function forged(node: Node, changes: Partial<Record<keyof Node, unknown>>): Node {
  return { ...node, ...changes } as Node;
}

describe("verify on valid programs", () => {
  it("passes a program with gradients, and its optimized form", () => {
    const p = valid();
    expect(() => verify(p)).not.toThrow();
    expect(() => verify(optimize(p).program)).not.toThrow();
  });

  it("is what the package entry exports, with the interpreter, the passes and the text form", async () => {
    const api = await import("adjoint");
    expect(api.verify).toBe(verify);
    expect(api.optimize).toBe(optimize);
    expect(api.program).toBe(program);
    expect(api.interpret).toBe((await import("../../compiler/ops/interpret.ts")).interpret);
    expect(api.programText).toBe((await import("../../compiler/ir/text.ts")).programText);
  });

  it("passes every example program", async () => {
    const files = readdirSync(examplesDir).filter((file) => file.endsWith(".graph.ts"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const module = (await import(path.join(examplesDir, file))) as { default: unknown };
      expect(isProgram(module.default), file).toBe(true);
      const example = module.default as Program;
      expect(() => verify(example), file).not.toThrow();
      expect(() => optimize(example, { verifyEachPass: true }), file).not.toThrow();
    }
  });
});

describe("verify on corrupted programs", () => {
  const base = valid();
  const nodes = base.graph.nodes;
  const mulIndex = nodes.findIndex((node) => node.op === "mul");
  const mul = nodes[mulIndex];
  const replace = (index: number, node: object) =>
    withNodes(
      base,
      nodes.map((original, i) => (i === index ? node : original)),
    );

  it("accepts the hand-made copy of the node list before it is corrupted", () => {
    expect(() => verify(withNodes(base, [...nodes]))).not.toThrow();
  });

  it("reports a shape that the op's rule does not give", () => {
    expect(() => verify(replace(mulIndex, forged(mul, { shape: [3] })))).toThrow(
      `verify: %${mul.id}: f64[3] = mul %0 %1: shape rule gives []`,
    );
  });

  it("reports an id that is not the node's position", () => {
    expect(() => verify(replace(mulIndex, forged(mul, { id: 17 })))).toThrow(
      `id 17 stored at index ${mulIndex}`,
    );
  });

  it("reports an input that comes after the node", () => {
    const later = nodes[nodes.length - 1];
    expect(() => verify(replace(mulIndex, forged(mul, { inputs: [nodes[0], later] })))).toThrow(
      `input %${later.id} is not before the node`,
    );
  });

  it("reports an input that is not the graph's own node", () => {
    const impostor = forged(nodes[0], {});
    expect(() => verify(replace(mulIndex, forged(mul, { inputs: [impostor, nodes[1]] })))).toThrow(
      "input %0 is not in this graph",
    );
  });

  it("reports a wrong number of inputs", () => {
    expect(() => verify(replace(mulIndex, forged(mul, { inputs: [nodes[0]] })))).toThrow("arity 1");
  });

  it("reports a node whose dtype differs from what its op's rule gives", () => {
    expect(() => verify(replace(mulIndex, forged(mul, { dtype: "f32" })))).toThrow(
      "dtype f32, but its rule gives f64",
    );
  });

  it("reports a constant with the wrong number of values", () => {
    const constIndex = nodes.findIndex((node) => node.op === "const");
    const constant = nodes[constIndex];
    const bad = forged(constant, { attrs: { values: [1, 2], shape: [], dtype: "f64" } });
    expect(() => verify(replace(constIndex, bad))).toThrow("const has 2 values");
  });

  it("reports an entry that fetches a node of another graph", () => {
    const foreign = forged(nodes[0], {});
    const p: Program = {
      ...base,
      entries: [{ name: "e", fetch: [["f", foreign]], update: [] }],
    };
    expect(() => verify(p)).toThrow("verify: entry e fetches a foreign node as f");
  });

  it("reports an entry that updates with a node of another graph", () => {
    const withParam = program("q", (g) => {
      const w = g.param("w");
      g.entry("step", { update: [[w, g.mul(w, 0.5)]] });
    });
    expect(() => verify(withParam)).not.toThrow();
    const [[param, value]] = withParam.entries[0].update;
    const p: Program = {
      ...withParam,
      entries: [{ name: "step", fetch: [], update: [[param, forged(value, {})]] }],
    };
    expect(() => verify(p)).toThrow("verify: entry step updates with a foreign node");
  });
});
