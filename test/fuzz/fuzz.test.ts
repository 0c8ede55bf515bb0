// The fuzzer in the test suite: a few hundred programs with a fixed seed pass every check, the
// generator reaches every kind of call and transform, and a planted bad call is caught clearly.
import { describe, expect, it } from "vitest";
import { checkCase } from "../../fuzz/case.ts";
import { generate } from "../../fuzz/generate.ts";
import { knownBugs } from "../../fuzz/known.ts";
import fc from "fast-check";
import { choices, fuzzSeed, programSeed } from "../../fuzz/property.ts";

const seed = 20261204;

describe("the fuzzer", () => {
  it("passes 300 programs of a fixed seed (known bugs counted, not failed)", async () => {
    const failures: string[] = [];
    let checked = 0;
    for (let index = 0; index < 300; index++) {
      const { outcome } = await fuzzSeed(programSeed(seed, index), knownBugs, { runs: 0, ms: 0 });
      if (outcome.failure !== undefined) {
        failures.push(
          `${outcome.failure.check}: ${outcome.failure.message}\n${outcome.fuzz.source}`,
        );
      }
      checked += Object.values(outcome.tallies).reduce((sum, t) => sum + t.checked, 0);
    }
    expect(failures).toEqual([]);
    // derivative checks ran, not only skipped
    expect(checked).toBeGreaterThan(300);
  }, 300_000);

  it("writes every kind of call and transform", () => {
    const sources = fc
      .sample(choices, { seed, numRuns: 400 })
      .map((numbers) => generate(numbers).source);
    const all = sources.join("\n");
    const calls = [
      "grad",
      "vjp",
      "jvp",
      "hvp",
      "hessian",
      "jacobian",
      "customVjp",
      "stopGradient",
      "where",
      "gather",
      "scatterAdd",
      "oneHot",
      "matmul",
      "dot",
      "outer",
      "reshape",
      "transpose",
      "slice",
      "pad",
      "concat",
      "stack",
      "broadcastTo",
      "sum",
      "mean",
      "max",
      "min",
      "prod",
      "prodExcept",
      "logsumexp",
      "softmax",
      "logSoftmax",
      "softmaxCrossEntropy",
      "meanSquaredError",
      "log",
      "sqrt",
      "pow",
      "power",
      "div",
      "maximum",
      "clamp",
      "cast",
      ...["tan", "atan", "asin", "acos", "sinh", "cosh", "asinh", "acosh", "atanh", "atan2"],
      ...["erf", "erfc", "gelu", "lgamma", "digamma", "logaddexp", "xlogy"],
      ...["floor", "ceil", "round", "mod", "isFinite", "isNaN", "norm"],
      ...["cumsum", "cumprod", "argmax", "argmin"],
    ];
    for (const call of calls) expect(all, call).toContain(`g.${call}(`);
    expect(all).toContain("transA: true");
    expect(all).toContain("transB: true");
  }, 120_000);

  it.each([
    // a custom rule that is not the derivative of its forward function
    [
      "grad",
      "g.customVjp([x0], (x) => g.sin(x), ({ g: h, output_bar }) => [h.mul(output_bar, 2)])",
    ],
    // a bad call the DSL must reject clearly: it is accepted here only by the test's own choice
    ["build", "g.reshape(x0, [2])"],
  ])("fails the %s check on %s", async (check, step) => {
    const outcome = await checkCase(generate([], [step]), 1, knownBugs);
    expect(outcome.failure?.check).toBe(check);
    expect(outcome.known).toEqual([]);
  });

  it("passes a hand-written program with every transform", async () => {
    // one scalar input, f = 0.5·y, then every entry on: vjp, jvp, hvp, hessian, jacobian
    const fuzz = generate(
      [0, 0, 0, 0, 0, 0, 999, 999, 999, 999, 999],
      ["g.mul(g.sin(x0), g.exp(x0))", "g.prod(g.stack([v1, x0, g.square(x0)]))"],
    );
    expect(fuzz.error).toBeUndefined();
    const outcome = await checkCase(fuzz, 1, knownBugs);
    expect(outcome.failure).toBeUndefined();
    const checked = Object.entries(outcome.tallies).filter(([, t]) => t.checked > 0);
    expect(checked.map(([check]) => check).sort()).toEqual([
      "dot product",
      "grad",
      "hessian",
      "hvp",
      "jacobian",
      "jvp",
      "vjp",
    ]);
  });
});
