// checkGrads on users' graphs: correct derivatives pass at order 1 and 2, a deliberately wrong
// custom rule fails on exactly the leaf it affects, integer labels are held at valid values, and
// misuse gets an error naming what is wrong.
import { describe, expect, it } from "vitest";
import { AdjointError, program, type Node, type ProgramBuilder } from "adjoint";
import { checkGrads } from "../../compiler/check/grads.ts";
import logistic from "../../examples/logistic.graph.ts";
import rosenbrock from "../../examples/rosenbrock.graph.ts";
import { makeData } from "../../examples/irls.ts";

/** A two-layer classifier: x [4,3] → tanh(xW₁ + b₁) [4,5] → logits [4,3], integer labels. */
const classifier = program("classifier", (g) => {
  const x = g.input("x", [4, 3]);
  const labels = g.input("labels", [4], { dtype: "i32" });
  const p = g.params({ hidden: { W: [3, 5], b: [5] }, out: { W: [5, 3] } });
  const h = g.tanh(g.add(g.matmul(x, p.hidden.W), p.hidden.b));
  const loss = g.mean(g.softmaxCrossEntropy(g.matmul(h, p.out.W), labels));
  g.entry("train", { fetch: { loss, grads: g.grad(loss, p) } });
});

/** f = Σ square(a) through a custom node with `rule`, plus Σ sin(c) through ordinary ops. */
function withRule(rule: (g: ProgramBuilder, a: Node, output_bar: Node) => Node) {
  return program("custom", (g) => {
    const a = g.param("a", [3]);
    const c = g.param("c", [3]);
    const squared = g.customVjp(
      [a],
      (v) => g.mul(v, v),
      ({ g: ops, inputs: [v], output_bar }) => [rule(ops as ProgramBuilder, v, output_bar)],
    );
    g.entry("loss", { fetch: { f: g.add(g.sum(squared), g.sum(g.sin(c))) } });
  });
}

const rightRule = withRule((g, a, bar) => g.mul(g.mul(2, a), bar));
// x̄ = 3ȳ: not the derivative 2xȳ of x²
const wrongRule = withRule((g, _a, bar) => g.mul(3, bar));
// x̄ = 2·detach(x)·ȳ: the right first derivative, but its own derivative in x is lost
const flatRule = withRule((g, a, bar) => g.mul(g.mul(2, g.stopGradient(a)), bar));

describe("checkGrads on correct derivatives", () => {
  it("passes at order 1 and 2 for every float leaf, nested params included", async () => {
    const report = await checkGrads(classifier, { order: 2, seed: 3 });
    expect(report.passed, report.toString()).toBe(true);
    expect(Object.keys(report.errors)).toEqual(["x", "hidden.W", "hidden.b", "out.W"]);
    for (const error of Object.values(report.errors)) expect(error).toBeLessThan(1e-7);
    expect(report.results.map((row) => `${row.order} ${row.name}`)).toEqual([
      "1 x",
      "1 hidden.W",
      "1 hidden.b",
      "1 out.W",
      "2 x",
      "2 hidden.W",
      "2 hidden.b",
      "2 out.W",
    ]);
    expect(report.settings).toEqual({
      program: "classifier",
      entry: "train",
      of: "loss",
      order: 2,
      points: 2,
      directions: 2,
      eps: 1e-6,
      tolerance: 1e-6,
    });
  });

  it("passes for a float32 program with its own step and tolerance", async () => {
    const p = program(
      "small",
      (g) => {
        const w = g.param("w", [4]);
        g.entry("loss", { fetch: { loss: g.sum(g.mul(g.exp(w), g.sin(w))) } });
      },
      { dtype: "f32" },
    );
    const report = await checkGrads(p);
    expect(report.settings.eps).toBe(1e-3);
    expect(report.settings.tolerance).toBe(1e-2);
    expect(report.passed, report.toString()).toBe(true);
  });

  it("repeats with the same seed and draws other points with another", async () => {
    const first = await checkGrads(rightRule, { seed: 5 });
    const again = await checkGrads(rightRule, { seed: 5 });
    const other = await checkGrads(rightRule, { seed: 6 });
    expect(again.results).toEqual(first.results);
    expect(other.results[0].analytic).not.toBe(first.results[0].analytic);
  });

  it("leaves the user's program as it was", async () => {
    const before = classifier.graph.nodes.length;
    await checkGrads(classifier, { wrt: ["out.W"] });
    expect(classifier.graph.nodes.length).toBe(before);
  });
});

describe("checkGrads on the second-order examples", () => {
  it("passes on Rosenbrock's function (the Hessian entry's f) to order 2", async () => {
    const report = await checkGrads(rosenbrock, { entry: "hessian", order: 2, range: [-2, 2] });
    expect(report.passed, report.toString()).toBe(true);
    expect(report.settings.of).toBe("f");
  });

  it("passes on the logistic loss at its data set, with respect to θ only", async () => {
    const { X, y } = makeData();
    const options = { order: 2, at: { X, y }, range: [-3, 3], wrt: ["theta"] } as const;
    const report = await checkGrads(logistic, options);
    expect(report.passed, report.toString()).toBe(true);
    expect(Object.keys(report.errors)).toEqual(["theta"]);
  });
});

describe("checkGrads on a wrong custom rule", () => {
  it("reports a large error on exactly the leaf the rule differentiates", async () => {
    const right = await checkGrads(rightRule);
    expect(right.passed, right.toString()).toBe(true);
    const wrong = await checkGrads(wrongRule);
    expect(wrong.passed).toBe(false);
    expect(wrong.failed).toEqual(["a"]);
    expect(wrong.errors.a).toBeGreaterThan(0.1);
    expect(wrong.errors.c).toBeLessThan(1e-8);
    expect(right.errors.a).toBeLessThan(1e-8);
    const text = wrong.toString();
    expect(text.split("\n")[0]).toBe(
      'checkGrads custom.loss, f = "f", order 1: FAILED for a ' +
        "(2 points × 2 directions per leaf, eps 0.000001, tolerance 0.000001)",
    );
    expect(text.split("\n")[1]).toBe("  leaf  order  error      analytic                 numeric");
    expect(text).toMatch(/\n {2}a {5}1 {6}\d\.\d\de[-+]\d+ +\S+ +\S+ {2}<- wrong\n/);
    expect(text).not.toMatch(/\n {2}c .*wrong/);
    expect(() => wrong.assert()).toThrow(AdjointError);
    expect(right.assert()).toBe(right);
  });

  it("catches at order 2 a rule whose first derivative is right but whose second is lost", async () => {
    const first = await checkGrads(flatRule);
    expect(first.passed, first.toString()).toBe(true);
    const second = await checkGrads(flatRule, { order: 2 });
    expect(second.failed).toEqual(["a"]);
    const [a1, , a2, c2] = second.results;
    expect([a1.order, a1.name, a2.order, a2.name, c2.name]).toEqual([1, "a", 2, "a", "c"]);
    expect(a1.error).toBeLessThan(1e-8);
    // H·v misses 2v along a: the compiled product is 0 where the differences give 2vₖ
    expect(a2.error).toBeGreaterThan(0.1);
    expect(a2.analytic).toBe(0);
    expect(c2.error).toBeLessThan(1e-7);
  });
});

describe("integer leaves", () => {
  const lookup = program("lookup", (g) => {
    const table = g.param("table", [5, 2]);
    const ids = g.input("ids", [3], { dtype: "i32" });
    const rows = g.gather(table, g.reshape(ids, [3]));
    g.entry("loss", { fetch: { loss: g.sum(g.square(rows)) } });
  });

  it("are drawn below the size they index (the compiled gather would stop otherwise)", async () => {
    const report = await checkGrads(lookup, { points: 4 });
    expect(report.passed, report.toString()).toBe(true);
    expect(Object.keys(report.errors)).toEqual(["table"]);
  });

  it("keep the values given with at, as float leaves do", async () => {
    const report = await checkGrads(lookup, { at: { ids: [4, 4, 0], table: 0.5 } });
    // every row read is [0.5, 0.5]: ∂loss/∂table = 2·table on the rows read (row 4 twice)
    expect(report.passed, report.toString()).toBe(true);
  });

  it("need values when no index op bounds them", async () => {
    const p = program("counts", (g) => {
      const n = g.input("n", [2], { dtype: "i32" });
      const w = g.param("w", [2]);
      g.entry("loss", { fetch: { loss: g.sum(g.mul(w, g.cast(n, "f64"))) } });
    });
    await expect(checkGrads(p)).rejects.toThrow(
      new AdjointError(
        'checkGrads: i32 input "n" reaches no gather, scatterAdd or oneHot that bounds its values; ' +
          "give them with { at: { n: [...] } }",
      ),
    );
    const report = await checkGrads(p, { at: { n: [3, -2] } });
    expect(report.passed, report.toString()).toBe(true);
  });
});

describe("checkGrads errors", () => {
  const vector = program("p", (g) => {
    const x = g.input("x", [3]);
    g.entry("run", { fetch: { y: g.exp(x), flags: g.gt(x, 0) } });
  });

  const cases: [string, () => Promise<unknown>, string][] = [
    [
      "an unknown entry",
      () => checkGrads(classifier, { entry: "nope" }),
      'checkGrads: program "classifier" has no entry point "nope" (it has train)',
    ],
    [
      "a program without a scalar output",
      () => checkGrads(vector),
      'checkGrads: no entry point of program "p" fetches a scalar f64 value (entries run); ' +
        "checkGrads differentiates a scalar such as a loss",
    ],
    [
      "an entry without a scalar output",
      () => checkGrads(vector, { entry: "run" }),
      'checkGrads: entry "run" of program "p" fetches no scalar f64 value ' +
        "(it fetches y f64[3], flags bool[3]); checkGrads differentiates a scalar such as a loss",
    ],
    [
      "an output that is not fetched",
      () => checkGrads(classifier, { of: "accuracy" }),
      'checkGrads: entry "train" of program "classifier" fetches no output "accuracy" ' +
        "(it fetches loss f64[], grads.hidden.W f64[3,5], grads.hidden.b f64[5], grads.out.W f64[5,3])",
    ],
    [
      "an output that is not a scalar",
      () => checkGrads(classifier, { of: "grads.out.W" }),
      'checkGrads: output "grads.out.W" of entry "train" of program "classifier" is f64[5,3]; ' +
        "checkGrads needs a scalar f64 value",
    ],
    [
      "an integer leaf in wrt",
      () => checkGrads(classifier, { wrt: ["labels"] }),
      'checkGrads: wrt names "labels", an i32 input, which has no derivative; ' +
        "it is held at the values of { at } or at random valid ones",
    ],
    [
      "an unknown leaf in wrt",
      () => checkGrads(classifier, { wrt: ["W"] }),
      'checkGrads: wrt names "W", which is no input or param of "classifier" ' +
        "(x, labels, hidden.W, hidden.b, out.W)",
    ],
    [
      "labels of the wrong length in at",
      () => checkGrads(classifier, { at: { labels: [0, 1] } }),
      'checkGrads: at: "labels" (shape [4], i32) needs 4 values, got 2',
    ],
    [
      "fractional labels in at",
      () => checkGrads(classifier, { at: { labels: [0, 1, 2.5, 0] } }),
      'checkGrads: at: "labels" (shape [4], i32) takes whole numbers; element 2 is 2.5',
    ],
    [
      "an unknown name in at",
      () => checkGrads(classifier, { at: { y: 1 } }),
      'checkGrads: at names "y", which is no input or param of "classifier"',
    ],
    [
      "an order other than 1 or 2",
      () => checkGrads(classifier, { order: 3 as never }),
      "checkGrads: order must be 1 or 2, got 3",
    ],
    [
      "an empty range",
      () => checkGrads(classifier, { range: [1, 1] }),
      'checkGrads: range for "x" must be [lo, hi] with finite lo < hi, got 1,1',
    ],
    [
      "zero points",
      () => checkGrads(classifier, { points: 0 }),
      "checkGrads: points must be a positive integer, got 0",
    ],
    [
      "something that is not a program",
      () => checkGrads({} as never),
      "checkGrads: expected a program built with program(...)",
    ],
  ];

  it.each(cases)("names what is wrong: %s", async (_, call, message) => {
    await expect(call()).rejects.toThrow(new AdjointError(message));
  });
});
