// Every op record's sparsity rule, table-driven over the op cases: each entry of the Jacobian
// (one jvp per basis vector of every real leaf, uncompressed) outside the structural pattern is
// exactly zero, and the pattern of the Hessian covers the Hessian's nonzeros too.
import { describe, expect, it } from "vitest";
import { jacobianPattern, type Pattern } from "../../compiler/autodiff/sparsity.ts";
import { basisJacobian } from "../../compiler/autodiff/transforms.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { sizeOf } from "../../compiler/ir/shape.ts";
import { coreCases } from "./cases/core.ts";
import { customCases } from "./cases/custom.ts";
import { elementwiseCases } from "./cases/elementwise.ts";
import { linalgCases } from "./cases/linalg.ts";
import { logicCases } from "./cases/logic.ts";
import { movementCases } from "./cases/movement.ts";
import { reductionCases } from "./cases/reductions.ts";
import type { OpCase } from "./kit.ts";
import {
  buildChecked,
  isReal,
  leafValues,
  mulberry32,
  sampleLeaves,
  type LeafSpec,
} from "../support/gradcheck.ts";

const tables = [
  coreCases,
  elementwiseCases,
  logicCases,
  reductionCases,
  movementCases,
  linalgCases,
  customCases,
];

/** Entries of `jacobians` (one [...y, ...wᵢ] block per real leaf) outside `pattern`, as text. */
function nonzerosOutside(pattern: Pattern, jacobians: readonly Float64Array[], widths: number[]) {
  const found: string[] = [];
  pattern.rows.forEach((set, row) => {
    let start = 0;
    jacobians.forEach((block, k) => {
      for (let b = 0; b < widths[k]; b++) {
        const value = block[row * widths[k] + b];
        if (value !== 0 && !set.includes(start + b))
          found.push(`(${row}, ${start + b}) = ${value}`);
      }
      start += widths[k];
    });
  });
  return found;
}

/** The structural pattern of ∂y/∂leaves and the forward-mode Jacobian blocks at random leaves. */
function analyse(
  row: OpCase,
  seed: number,
  derivative: (g: Parameters<OpCase["build"]>[0], y: Node, wrt: Node[]) => Node,
) {
  const real = (specs: readonly LeafSpec[], leaves: readonly Node[]) =>
    leaves.filter((_, i) => isReal(specs[i]));
  let pattern: Pattern | "dense" = "dense";
  let widths: number[] = [];
  const { nodes } = buildChecked(row.leaves, (g, leaves) => {
    const wrt = real(row.leaves, leaves);
    const y = derivative(g, row.build(g, leaves), wrt);
    pattern = jacobianPattern([y], wrt);
    widths = wrt.map((w) => sizeOf(w.shape));
    return { jacobians: wrt.map((w) => basisJacobian(g, y, w, "forward")) };
  });
  const values = sampleLeaves(row.leaves, mulberry32(seed));
  const jacobians = interpret(nodes.jacobians, leafValues(row.leaves, values));
  return { pattern: pattern as Pattern | "dense", jacobians, widths };
}

for (const table of tables) {
  for (const [op, rows] of Object.entries(table) as [string, readonly OpCase[]][]) {
    // comparisons and integer outputs have no Jacobian to check
    if (rows.every((row) => row.differentiable === false)) continue;
    describe(op, () => {
      rows.forEach((row, index) => {
        if (row.differentiable === false) return;
        const seed = 2000 + 13 * index + op.length;
        it(`${row.label}: the Jacobian is zero outside the pattern`, () => {
          const { pattern, jacobians, widths } = analyse(row, seed, (_, y) => y);
          if (pattern === "dense") return;
          expect(nonzerosOutside(pattern, jacobians, widths)).toEqual([]);
        });
        it(`${row.label}: the Hessian of a weighted sum is zero outside the pattern`, () => {
          const { pattern, jacobians, widths } = analyse(row, seed, (g, y, wrt) => {
            const weights = g.constant(
              Array.from({ length: sizeOf(y.shape) }, (_, i) => 1 + i / 7),
              y.shape,
            );
            const grads = g.grad(g.sum(g.mul(y, weights)), wrt);
            return g.concat(grads.map((grad) => g.reshape(grad, [sizeOf(grad.shape)])));
          });
          if (pattern === "dense") return;
          expect(nonzerosOutside(pattern, jacobians, widths)).toEqual([]);
        });
      });
    });
  }
}
