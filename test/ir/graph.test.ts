// The graph: interning, immutable nodes, ids in creation order, and the errors of node construction.
import { describe, expect, it } from "vitest";
import { program, type ProgramBuilder } from "../../compiler/program.ts";
import { AdjointError } from "../../compiler/errors.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { Graph } from "../../compiler/ir/graph.ts";
import { ops } from "../../compiler/ops/registry.ts";
import { thrown } from "../support/build.ts";

/** Runs `body` inside a program and returns what it returns. */
function inProgram<T>(body: (g: ProgramBuilder) => T): T {
  let result: T | undefined;
  program("p", (g) => {
    result = body(g);
    g.entry("e", { fetch: { out: g.input("out_leaf") } });
  });
  return result!;
}

describe("interning", () => {
  it("returns the same node for the same expression built twice", () => {
    inProgram((g) => {
      const x = g.input("x");
      const y = g.input("y", [3]);
      const a = g.add(g.mul(x, 2), g.exp(y));
      const count = g.graph.nodes.length;
      const b = g.add(g.mul(x, 2), g.exp(y));
      expect(b).toBe(a);
      expect(g.graph.nodes.length).toBe(count);
      const A = g.input("A", [2, 2]);
      const B = g.input("B", [2, 2]);
      // the default flags are the explicit false ones
      expect(g.matmul(A, B)).toBe(g.matmul(A, B, { transA: false, transB: false }));
    });
  });

  it("tells apart operand order, attributes and shapes", () => {
    inProgram((g) => {
      const x = g.input("x");
      const y = g.input("y");
      expect(g.sub(x, y)).not.toBe(g.sub(y, x));
      expect(g.add(x, y)).not.toBe(g.add(y, x));
      expect(g.pow(x, 2)).not.toBe(g.pow(x, 3));
      const A = g.input("A", [2, 2]);
      expect(g.matmul(A, A)).not.toBe(g.matmul(A, A, { transA: true }));
      expect(g.matmul(A, A, { transB: true })).not.toBe(g.matmul(A, A, { transA: true }));
      expect(g.constant(1, [2])).not.toBe(g.constant(1, [2, 1]));
      expect(g.constant([1, 2], [2])).not.toBe(g.constant([2, 1], [2]));
      expect(g.broadcastTo(x, [2])).not.toBe(g.broadcastTo(x, [3]));
    });
  });

  it("keeps the constants 0 and -0 apart (1/x tells them apart) but interns NaN", () => {
    inProgram((g) => {
      const zero = g.constant(0);
      const negativeZero = g.constant(-0);
      expect(negativeZero).not.toBe(zero);
      expect(g.constant(-0)).toBe(negativeZero);
      expect(g.constant(NaN)).toBe(g.constant(NaN));
      expect(g.constant(0.1 + 0.2)).not.toBe(g.constant(0.3));
      expect(g.constant([0, -0], [2])).not.toBe(g.constant([0, 0], [2]));
    });
  });

  it("interns the number operand of an op as a scalar constant", () => {
    inProgram((g) => {
      const x = g.input("x");
      const product = g.mul(x, 2.5);
      expect(product.inputs[1]).toBe(g.constant(2.5));
    });
  });

  it("does not let where a node was built change its identity", () => {
    inProgram((g) => {
      const x = g.input("x");
      const first = g.sin(x);
      const second = (() => g.sin(x))();
      expect(second).toBe(first);
    });
  });
});

describe("nodes", () => {
  it("are frozen, with their inputs, shape, attributes and attribute arrays", () => {
    inProgram((g) => {
      const x = g.input("x", [2]);
      const c = g.constant([1, 2], [2]);
      const m = g.matmul(g.input("A", [2, 2]), g.input("B", [2, 2]));
      for (const node of [x, c, m, g.add(x, c), g.broadcastTo(g.constant(1), [4])]) {
        expect(Object.isFrozen(node)).toBe(true);
        expect(Object.isFrozen(node.inputs)).toBe(true);
        expect(Object.isFrozen(node.shape)).toBe(true);
        expect(Object.isFrozen(node.attrs)).toBe(true);
        for (const value of Object.values(node.attrs)) {
          if (Array.isArray(value)) expect(Object.isFrozen(value)).toBe(true);
        }
      }
      // modules are strict: a write throws instead of silently changing an interned node
      expect(() => {
        (c as { id: number }).id = 99;
      }).toThrow(TypeError);
      expect(() => {
        (c.attrs as { values: number[] }).values.push(3);
      }).toThrow(TypeError);
      expect(c.id).not.toBe(99);
    });
  });

  it("have ids in creation order, equal to their index, with inputs before them", () => {
    inProgram((g) => {
      const x = g.input("x");
      const nodes = [x, g.sin(x), g.constant(3), g.add(g.sin(x), 3), g.neg(g.sin(x))];
      expect(nodes.map((node) => node.id)).toEqual([
        nodes[0].id,
        nodes[0].id + 1,
        nodes[0].id + 2,
        nodes[0].id + 3,
        nodes[0].id + 4,
      ]);
      g.graph.nodes.forEach((node, index) => {
        expect(node.id).toBe(index);
        for (const input of node.inputs) expect(input.id).toBeLessThan(node.id);
      });
    });
  });

  it("carry the graph's dtype and the shape inferred by the op", () => {
    let nodes: Node[] = [];
    program(
      "p",
      (g) => {
        const A = g.input("A", [2, 3]);
        const B = g.input("B", [4, 3]);
        nodes = [A, g.matmul(A, B, { transB: true }), g.sum(A), g.mul(A, 2)];
        g.entry("e", { fetch: { A } });
      },
      { dtype: "f32" },
    );
    expect(nodes.map((node) => node.dtype)).toEqual(["f32", "f32", "f32", "f32"]);
    expect(nodes.map((node) => node.shape)).toEqual([[2, 3], [2, 4], [], [2, 3]]);
  });
});

describe("building nodes directly on a Graph", () => {
  it("interns without the DSL too", () => {
    const graph = new Graph(ops, "f64");
    const x = graph.intern("input", [], { name: "x", shape: [], dtype: "f64" });
    expect(graph.intern("exp", [x], {})).toBe(graph.intern("exp", [x], {}));
    expect(graph.nodes.map((node) => node.op)).toEqual(["input", "exp"]);
  });

  it("refuses an input from another graph, even when its id matches a node here", () => {
    const one = new Graph(ops, "f64");
    const two = new Graph(ops, "f64");
    const x = one.intern("input", [], { name: "x", shape: [], dtype: "f64" });
    const y = two.intern("input", [], { name: "y", shape: [], dtype: "f64" });
    two.intern("neg", [y], {});
    // neg(x) has the same key as neg(y) in `two` (input %0): it must not come back as neg(y)
    const error = thrown(() => two.intern("neg", [x], {}));
    expect(error).toBeInstanceOf(AdjointError);
    expect(error.message).toContain("another graph");
  });

  it("reports a wrong number of inputs", () => {
    const graph = new Graph(ops, "f64");
    const x = graph.intern("input", [], { name: "x", shape: [], dtype: "f64" });
    expect(() => graph.intern("add", [x], {})).toThrow("add: expects 2 inputs, got 1");
  });

  it("reports bad shapes with the op and the input shapes", () => {
    const graph = new Graph(ops, "f64");
    const a = graph.intern("input", [], { name: "a", shape: [2], dtype: "f64" });
    const b = graph.intern("input", [], { name: "b", shape: [3], dtype: "f64" });
    const error = thrown(() => graph.intern("add", [a, b], {}));
    expect(error).toBeInstanceOf(AdjointError);
    expect(error.message).toMatch(/^add: shapes \[2\] and \[3\] do not broadcast/);
    expect(error.message).toContain("(inputs %0: [2], %1: [3])");
    expect(graph.nodes.length).toBe(2);
  });

  it("reports matmul's inner dimensions with the transpose flags", () => {
    const graph = new Graph(ops, "f64");
    const a = graph.intern("input", [], { name: "a", shape: [2, 3], dtype: "f64" });
    const b = graph.intern("input", [], { name: "b", shape: [2, 3], dtype: "f64" });
    expect(() => graph.intern("matmul", [a, b], { transA: false, transB: false })).toThrow(
      "inner dimensions differ: op(A) is 2x3, op(B) is 2x3 (transA=false, transB=false)",
    );
    expect(graph.intern("matmul", [a, b], { transA: false, transB: true }).shape).toEqual([2, 2]);
    expect(graph.intern("matmul", [a, b], { transA: true, transB: false }).shape).toEqual([3, 3]);
  });

  it("refuses non-vectors for dot and a shape that does not broadcast", () => {
    const graph = new Graph(ops, "f64");
    const m = graph.intern("input", [], { name: "m", shape: [2, 2], dtype: "f64" });
    const v = graph.intern("input", [], { name: "v", shape: [3], dtype: "f64" });
    expect(() => graph.intern("dot", [m, m], {})).toThrow("dot: expects two vectors");
    expect(() => graph.intern("dot", [v, m], {})).toThrow("dot: expects two vectors");
    expect(() => graph.intern("broadcastTo", [v], { shape: [2, 4] })).toThrow(
      "broadcastTo: cannot broadcast [3] to [2,4]",
    );
  });
});

describe("labels", () => {
  it("keep the first name given", () => {
    const graph = new Graph(ops, "f64");
    const x = graph.intern("input", [], { name: "x", shape: [], dtype: "f64" }, () => ({
      label: "x",
    }));
    const y = graph.intern("exp", [x], {});
    graph.label(y, "first");
    graph.label(y, "second");
    graph.label(x, "other");
    expect(graph.origin(y).label).toBe("first");
    expect(graph.origin(x).label).toBe("x");
    expect(graph.origin(graph.intern("neg", [x], {}))).toEqual({});
  });
});
