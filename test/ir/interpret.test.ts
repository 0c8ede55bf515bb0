// The reference interpreter: leaf values, errors for missing or misshapen leaves, deep graphs.
import { describe, expect, it } from "vitest";
import { program } from "../../compiler/program.ts";
import { AdjointError } from "../../compiler/errors.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { Graph } from "../../compiler/ir/graph.ts";
import { ops } from "../../compiler/ops/registry.ts";
import { thrown } from "../support/build.ts";

const nodes: Record<string, Node> = {};
program("p", (g) => {
  nodes.x = g.input("x");
  nodes.v = g.input("v", [2, 3]);
  nodes.w = g.param("w", [3]);
  nodes.f = g.add(g.mul(nodes.x, nodes.x), 1);
  nodes.s = g.sum(g.mul(nodes.v, nodes.x));
  nodes.d = g.dot(nodes.w, g.constant([1, 2, 3]));
  g.entry("e", { fetch: { f: nodes.f, s: nodes.s, d: nodes.d } });
});

describe("interpret", () => {
  it("evaluates several roots from numbers and arrays of any kind", () => {
    const [f, s, d] = interpret([nodes.f, nodes.s, nodes.d], {
      x: 3,
      v: Float32Array.of(1, 2, 3, 4, 5, 6),
      w: [0.5, -1, 2],
    });
    expect([...f]).toEqual([10]);
    expect([...s]).toEqual([63]);
    expect([...d]).toEqual([4.5]);
    expect(f).toBeInstanceOf(Float64Array);
  });

  it("reads only the leaves its roots need", () => {
    expect([...interpret([nodes.f], { x: -2 })[0]]).toEqual([5]);
  });

  it("names a missing input or param", () => {
    const missingInput = thrown(() => interpret([nodes.s], { x: 1 }));
    expect(missingInput).toBeInstanceOf(AdjointError);
    expect(missingInput.message).toBe('interpret: no value for input "v"');
    const missingParam = thrown(() => interpret([nodes.d], {}));
    expect(missingParam).toBeInstanceOf(AdjointError);
    expect(missingParam.message).toBe('interpret: no value for param "w"');
  });

  it("reports a value of the wrong size with the leaf's shape", () => {
    const error = thrown(() => interpret([nodes.s], { x: 1, v: [1, 2, 3, 4, 5] }));
    expect(error).toBeInstanceOf(AdjointError);
    expect(error.message).toBe('interpret: input "v" has shape [2,3] (6 values), got 5');
    expect(() => interpret([nodes.f], { x: [1, 2] })).toThrow("(1 values), got 2");
  });

  it("evaluates a chain of 100000 nodes without deep recursion", () => {
    const graph = new Graph(ops, "f64");
    let node: Node = graph.intern("input", [], { name: "x", shape: [], dtype: "f64" });
    for (let i = 0; i < 100_000; i++) node = graph.intern("neg", [node], {});
    // an even number of negations gives x back
    expect([...interpret([node], { x: 1.25 })[0]]).toEqual([1.25]);
  });

  it("follows IEEE arithmetic: 1/0, 0/0 and the sign of zero", () => {
    const out: Node[] = [];
    program("ieee", (g) => {
      const x = g.input("x");
      out.push(g.div(1, x), g.div(x, x), g.neg(x), g.log(x));
      g.entry("e", { fetch: { a: out[0] } });
    });
    const [inverse, ratio, negated, log] = interpret(out, { x: 0 });
    expect(inverse[0]).toBe(Infinity);
    expect(ratio[0]).toBeNaN();
    expect(Object.is(negated[0], -0)).toBe(true);
    expect(log[0]).toBe(-Infinity);
  });
});
