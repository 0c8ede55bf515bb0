// customVjp rules in checkGrads, in both styles: building with the rule's own ctx.g, or with the
// program's g the rule closes over. checkGrads builds the program again with its own function, so
// the captured g is the builder the rule runs in; where it cannot, the error says what to change.
import { describe, expect, it } from "vitest";
import { AdjointError, program, type Node, type ProgramBuilder } from "adjoint";
import { checkGrads } from "../../compiler/check/grads.ts";
import { markedErrors } from "../support/errors.ts";

const expectError = markedErrors(import.meta.url);

type Style = "ctx" | "closure";

/** f = Σ exp(a)·c with a custom rule ā = ȳ·exp(a)·scale, in the given style. */
function expProgram(style: Style, scale = 1) {
  return program(`exp_${style}`, (g) => {
    const a = g.param("a", [3]);
    const c = g.input("c", [3]);
    const y = g.customVjp(
      [a],
      (v) => g.exp(v),
      ({ g: own, inputs: [v], output_bar }) => {
        const b = style === "ctx" ? own : g;
        return [b.mul(scale, b.mul(output_bar, b.exp(v)))];
      },
    );
    g.entry("loss", { fetch: { f: g.sum(g.mul(y, c)) } });
  });
}

describe("a customVjp rule closing over the program's g", () => {
  it("passes checkGrads at order 1 and 2 with the same numbers as a rule using ctx.g", async () => {
    const [closure, own] = await Promise.all([
      checkGrads(expProgram("closure"), { order: 2, seed: 5 }),
      checkGrads(expProgram("ctx"), { order: 2, seed: 5 }),
    ]);
    expect(closure.passed, closure.toString()).toBe(true);
    expect(closure.results.map((row) => `${row.order} ${row.name}`)).toEqual([
      "1 a",
      "1 c",
      "2 a",
      "2 c",
    ]);
    for (const error of Object.values(closure.errors)) expect(error).toBeLessThan(1e-7);
    expect(closure.results).toEqual(own.results);
  });

  it("is the rule checkGrads runs: a wrong one fails on its leaf only", async () => {
    const report = await checkGrads(expProgram("closure", 2), { seed: 1 });
    expect(report.passed).toBe(false);
    // ā is twice the truth: the relative error is |2d − d| / |2d|-ish, far above the tolerance
    expect(report.errors.a).toBeGreaterThan(0.3);
    expect(report.errors.c).toBeLessThan(1e-7);
  });

  it("leaves the user's program as it was", async () => {
    const p = expProgram("closure");
    const before = p.graph.nodes.length;
    await checkGrads(p, { order: 2 });
    expect(p.graph.nodes.length).toBe(before);
  });
});

/** A program whose function builds one more node each time it runs, so it cannot be rebuilt. */
function drifting(style: Style) {
  let runs = 0;
  return program(`drift_${style}`, (g: ProgramBuilder) => {
    runs += 1;
    const a = g.param("a", [2]);
    const extra: Node = g.constant(runs);
    const y = g.customVjp(
      [a],
      (v) => g.square(v),
      ({ g: own, inputs: [v], output_bar }) =>
        style === "ctx" ? [own.mul(own.mul(2, v), output_bar)] : [g.mul(g.mul(2, v), output_bar)], // @closure
    );
    g.entry("loss", { fetch: { f: g.add(g.sum(y), g.mul(0, extra)) } });
  });
}

describe("a program its function cannot build again alike", () => {
  it("is copied: a rule using ctx.g still checks", async () => {
    const report = await checkGrads(drifting("ctx"), { order: 2 });
    expect(report.passed, report.toString()).toBe(true);
  });

  it("says what to change in a rule closing over the program's g", async () => {
    const error = await checkGrads(drifting("closure")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdjointError);
    expectError(
      error as AdjointError,
      [
        "mul: operand 2 belongs to another program " +
          "(a customVjp rule must build with its own ctx.g, not a builder it closes over)",
      ],
      "closure",
    );
  });
});
