// Every op record, table-driven: forward value against an independent formula, the gradient against
// central differences, the gradient of the gradient (Hessian-vector products), and jvp against vjp.
import { describe, expect, it } from "vitest";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node, OpName } from "../../compiler/ir/node.ts";
import { reachable } from "../../compiler/ir/text.ts";
import { ops } from "../../compiler/ops/registry.ts";
import { opCases as cases } from "./cases/all.ts";
import type { Differentiable, OpCase } from "./kit.ts";
import {
  buildChecked,
  checkGradient,
  checkHessianVector,
  checkJvpVjp,
  leafValues,
  mulberry32,
  sampleLeaves,
} from "../support/gradcheck.ts";

describe("the op table", () => {
  it("has rows for exactly the non-leaf ops of the registry", () => {
    const registered = Object.keys(ops).filter((op) => ops[op as OpName].arity !== "leaf");
    expect(Object.keys(cases).sort()).toEqual(registered.sort());
  });
});

for (const [op, rows] of Object.entries(cases) as [Differentiable, readonly OpCase[]][]) {
  describe(op, () => {
    rows.forEach((row, index) => {
      describe(row.label, () => {
        // a different seed for every row, fixed between runs
        const seed = 1000 + 17 * index + op.length;

        it("computes the value of an independent formula", () => {
          const values = sampleLeaves(row.leaves, mulberry32(seed));
          const { program, nodes } = buildChecked(row.leaves, (g, leaves) => ({
            y: row.build(g, leaves),
          }));
          const y: Node = nodes.y;
          const used = [...reachable([y])].map((id) => program.graph.nodes[id].op);
          expect(used).toContain(op);
          expect(y.shape).toEqual(row.shape);
          const [actual] = interpret([y], leafValues(row.leaves, values));
          const expected = row.expected(values);
          expect(actual.length).toBe(expected.length);
          for (let i = 0; i < expected.length; i++) {
            expect(actual[i]).toBeCloseTo(expected[i], 13);
          }
        });

        if (row.differentiable === false) return;
        const options = row.rtol === undefined ? { seed } : { seed, rtol: row.rtol };

        it("has a gradient that matches central differences", () => {
          checkGradient(row.leaves, row.build, options);
        });

        it("has a second derivative that matches central differences of the gradient", () => {
          checkHessianVector(row.leaves, row.build, options);
        });

        it("passes the jvp/vjp dot-product test", () => {
          checkJvpVjp(row.leaves, row.build, options);
        });
      });
    });
  });
}

describe("leaf ops", () => {
  it("are the only ops without inputs", () => {
    const leaves = Object.keys(ops).filter((op) => ops[op as OpName].arity === "leaf");
    expect(leaves.sort()).toEqual(["const", "input", "param"]);
  });

  it("evaluate to the fed value, the param value, and the constant (one value fills the shape)", () => {
    const { nodes } = buildChecked([], (g) => ({
      x: g.input("x", [2]),
      w: g.param("w", [3]),
      filled: g.constant(2.5, [2, 2]),
      listed: g.constant([1, -0, 3], [3]),
    }));
    const [x, w, filled, listed] = interpret([nodes.x, nodes.w, nodes.filled, nodes.listed], {
      x: [7, 8],
      w: [1, 2, 3],
    });
    expect([...x]).toEqual([7, 8]);
    expect([...w]).toEqual([1, 2, 3]);
    expect([...filled]).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(Object.is(listed[1], -0)).toBe(true);
    expect([...listed]).toEqual([1, -0, 3]);
  });
});
