// Every op record's `zeroAdjoint` holds, table-driven: with ȳ = 0 and inputs full of NaN and ±∞,
// a "bounded" rule and every strong-zero rule give partials that are exactly 0; with ȳ ≠ 0 and
// finite inputs, the strong-zero rule gives exactly the plain rule's values.
import { describe, expect, it } from "vitest";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node, OpName } from "../../compiler/ir/node.ts";
import { sizeOf } from "../../compiler/ir/shape.ts";
import type { OpDef, Partials } from "../../compiler/ops/def.ts";
import { ops } from "../../compiler/ops/registry.ts";
import { isNodePartial } from "../../compiler/ops/strongzero.ts";
import type { ProgramBuilder } from "../../compiler/program.ts";
import { loopVjps } from "../../compiler/autodiff/reverse.ts";
import { opCases as cases } from "./cases/all.ts";
import type { Differentiable, OpCase } from "./kit.ts";
import {
  buildChecked,
  isReal,
  leafValues,
  mulberry32,
  sampleLeaves,
} from "../support/gradcheck.ts";

/** The plain and the strong-zero partials of the last `op` node `build` makes, for an input ȳ. */
function partials(g: ProgramBuilder, row: OpCase, op: OpName, leaves: readonly Node[]) {
  row.build(g, leaves);
  const y = [...g.graph.nodes].reverse().find((node: Node) => node.op === op)!;
  const y_bar = g.input("y_bar", y.shape);
  const record = ops[op] as unknown as OpDef<OpName>;
  // a loop's adjoint is built by the reverse transform over its body, handed in as reverse mode does
  const loops = loopVjps(g);
  const rule = (inputs: readonly Node[], bar: Node): Partials =>
    record.vjp({ g, y, inputs, attrs: y.attrs, y_bar: bar, loops });
  const zero = record.zeroAdjoint;
  const ctx = { g, y, inputs: y.inputs, attrs: y.attrs, y_bar, rule, loops };
  const nodes = (parts: Partials) => parts.filter(isNodePartial);
  return {
    plain: nodes(rule(y.inputs, y_bar)),
    strong: nodes(zero === "bounded" ? rule(y.inputs, y_bar) : zero(ctx)),
    y_bar: [y_bar],
  };
}

/** The number of elements of ȳ. */
const size = (nodes: { y_bar: readonly Node[] }) => sizeOf(nodes.y_bar[0].shape);

/** NaN, ±∞, 0 and 1 in turn in every real leaf; integer and boolean leaves keep their values. */
function poisoned(row: OpCase, values: readonly Float64Array[]): Float64Array[] {
  const cycle = [NaN, Infinity, -Infinity, 0, 1, -1];
  return values.map((value, i) =>
    isReal(row.leaves[i]) ? value.map((_, k) => cycle[(k + i) % cycle.length]) : value,
  );
}

for (const [op, all] of Object.entries(cases) as [Differentiable, readonly OpCase[]][]) {
  const rows = all.filter((row) => row.differentiable !== false);
  if (rows.length === 0) continue;
  describe(`${op} (${ops[op].zeroAdjoint === "bounded" ? "bounded" : "guarded"})`, () => {
    rows.forEach((row, index) => {
      const seed = 2000 + 17 * index + op.length;
      const built = () => buildChecked(row.leaves, (g, leaves) => partials(g, row, op, leaves));

      it(`${row.label}: ȳ = 0 gives exact zeros whatever the inputs hold`, () => {
        const { nodes } = built();
        const values = poisoned(row, sampleLeaves(row.leaves, mulberry32(seed)));
        const feeds = leafValues(row.leaves, values, { y_bar: new Array(size(nodes)).fill(0) });
        for (const value of interpret(nodes.strong, feeds)) {
          expect([...value].every((v) => v === 0)).toBe(true);
        }
      });

      it(`${row.label}: ȳ ≠ 0 and finite inputs give the plain rule's values`, () => {
        const { nodes } = built();
        const rng = mulberry32(seed);
        const values = sampleLeaves(row.leaves, rng);
        const y_bar = Array.from({ length: size(nodes) }, (_, k) =>
          k % 3 === 1 ? 0 : rng() + 0.5,
        );
        const feeds = leafValues(row.leaves, values, { y_bar });
        const [plain, strong] = [nodes.plain, nodes.strong].map((list) => interpret(list, feeds));
        // +0 and −0 alike: a guard writes 0 where the plain rule may give 0·(−c)
        const signless = (value: Float64Array) => [...value].map((v) => v + 0);
        strong.forEach((value, k) => expect(signless(value)).toEqual(signless(plain[k])));
      });
    });
  });
}
