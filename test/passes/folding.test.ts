// Constant folding keeps the folded node's dtype: a comparison of constants folds to a bool
// constant, a cast to i32 to an i32 one, and the ops reading them compile and compute real values.
import { describe, expect, it } from "vitest";
import { compile, optimize, program, programText, type ProgramBuilder } from "adjoint";
import { expectedEntry } from "../support/oracle.ts";

interface FoldCase {
  readonly name: string;
  readonly build: (g: ProgramBuilder) => void;
  readonly leaves: Record<string, number[]>;
  /** Hand-derived fetches. */
  readonly want: Record<string, number[]>;
}

const cases: readonly FoldCase[] = [
  {
    // d/dx x^2 = 2x: the rule's where(b == 0, ...) folds to a bool constant
    name: "gradOfPower",
    build: (g) => {
      const x = g.input("x");
      g.entry("e", { fetch: { d: g.grad(g.power(x, 2), x) } });
    },
    leaves: { x: [3] },
    want: { d: [6] },
  },
  {
    // 2^e and its derivative ln 2 · 2^e: the rule's where(a == 0, ...) folds to a bool constant
    name: "powerOfConstant",
    build: (g) => {
      const e = g.input("e");
      const y = g.power(2, e);
      g.entry("e", { fetch: { y, d: g.grad(y, e) } });
    },
    leaves: { e: [3] },
    want: { y: [8], d: [8 * Math.LN2] },
  },
  {
    name: "whereOfConstantComparison",
    build: (g) => {
      const x = g.input("x", [3]);
      g.entry("e", { fetch: { w: g.where(g.gt(g.constant([1, -1, 2], [3]), 0), g.sqrt(x), 0) } });
    },
    leaves: { x: [4, 9, 16] },
    want: { w: [2, 0, 4] },
  },
  {
    name: "gatherOfCastConstant",
    build: (g) => {
      const x = g.input("x", [3]);
      g.entry("e", { fetch: { d: g.gather(x, g.cast(g.constant([0, 2, 2], [3]), "i32")) } });
    },
    leaves: { x: [10, 20, 30] },
    want: { d: [10, 30, 30] },
  },
  {
    // all-zero logits: the loss is log 3, its gradient softmax − onehot = 1/3 − [0, 1, 0]
    name: "crossEntropyOfCastConstant",
    build: (g) => {
      const h = g.input("h", [1, 3]);
      const loss = g.sum(g.softmaxCrossEntropy(h, g.cast(g.constant([1], [1]), "i32")));
      g.entry("e", { fetch: { loss, dh: g.grad(loss, h) } });
    },
    leaves: { h: [0, 0, 0] },
    want: { loss: [Math.log(3)], dh: [1 / 3, 1 / 3 - 1, 1 / 3] },
  },
];

describe("folded constants keep their dtype", () => {
  it("a folded comparison is a bool constant, a folded cast an i32 one", () => {
    const p = program("r", (g) => {
      const x = g.input("x", [3]);
      const w = g.where(g.gt(g.constant([1, -1, 2], [3]), 0), x, 0);
      g.entry("e", { fetch: { w, d: g.gather(x, g.cast(g.constant([0, 2.5, 2], [3]), "i32")) } });
    });
    const text = programText(optimize(p, { verifyEachPass: true }).program);
    expect(text).toContain("bool[3] = const 1 0 1");
    expect(text).toContain("i32[3] = const 0 2 2");
  });

  describe.each(cases)("$name", ({ name, build, leaves, want }) => {
    it.each([
      ["f64", true],
      ["f64", false],
      ["f32", true],
      ["f32", false],
    ] as const)(
      "compiles in %s (fusion %s) and computes the hand-derived values",
      async (dtype, fusion) => {
        const p = program(name, build, { dtype });
        const close = dtype === "f32" ? 1e-6 : 1e-15;
        const expected = expectedEntry(p, "e", leaves).fetch;
        const compiled = await compile(p, { fusion });
        const outputs = compiled.entry(compiled.create(), "e")(leaves);
        for (const [key, values] of Object.entries(want)) {
          values.forEach((value, i) => {
            expect(outputs[key][i], `${key}[${i}]`).toBeCloseTo(value, dtype === "f32" ? 6 : 14);
            expect(Math.abs(expected[key][i] - value), `interpreted ${key}[${i}]`).toBeLessThan(
              close,
            );
          });
        }
      },
    );
  });
});
