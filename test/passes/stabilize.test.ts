// Every stabilize rule, before and after: as a pass over a graph built without the builder's hook
// (the rule fires, the text is the one written here), and as the DSL builds (the stable form comes
// straight out of the builder, so gradients differentiate it). Values agree where the written
// formula is accurate, and stay finite and accurate at the extremes where it is not.
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.ts";
import { Ops } from "../../compiler/dsl/ops.ts";
import { program, type ProgramBuilder } from "../../compiler/program.ts";
import { Graph } from "../../compiler/ir/graph.ts";
import { ops } from "../../compiler/ops/registry.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node, NodeOf } from "../../compiler/ir/node.ts";
import type { Program } from "../../compiler/ir/program.ts";
import { programText } from "../../compiler/ir/text.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import { stabilizeRules } from "../../compiler/passes/stabilize.ts";
import { allClose } from "../support/gradcheck.ts";

/** A builder handed no build rules: it keeps the formula exactly as written. */
class RawOps extends Ops {
  readonly leaves: NodeOf<"input">[] = [];
  input(name: string, shape: number[] = []): Node {
    const leaf = this.node("input", [], { name, shape, dtype: "f64" });
    this.leaves.push(leaf);
    return leaf;
  }
}

type Build = (g: Ops & { input(name: string, shape?: number[]): Node }) => Node;

function rawProgram(build: Build): Program {
  const g = new RawOps(new Graph(ops, "f64"), []);
  const y = build(g);
  return {
    kind: "adjoint.program",
    name: "s",
    dtype: "f64",
    graph: g.graph,
    entries: [{ name: "e", fetch: [["y", y]], update: [] }],
    leaves: g.leaves,
    paramInit: new Map(),
  };
}

function dslProgram(build: Build): Program {
  return program("s", (g: ProgramBuilder) => g.entry("e", { fetch: { y: build(g) } }));
}

const fetchedOf = (p: Program) => p.entries[0].fetch.map(([, node]) => node);

interface StabilizeCase {
  readonly label: string;
  readonly build: Build;
  /** Rules the pass fires on the raw graph, with their counts. */
  readonly fired: Record<string, number>;
  readonly after: readonly string[];
  /** Leaf values at which the written formula is still accurate. */
  readonly at: Record<string, number | number[]>;
}

const x3 = '%0: f64[3] = input "x"';
const x0 = '%0: f64[] = input "x"';

const cases: Record<string, readonly StabilizeCase[]> = {
  "log(sum(exp(x))) -> logsumexp(x)": [
    {
      label: "over every axis",
      build: (g) => g.log(g.sum(g.exp(g.input("x", [3])))),
      fired: { "log(sum(exp(x))) -> logsumexp(x)": 1 },
      after: [x3, "%1: f64[] = logsumexp %0 {axes=[0], keepDims=false}", "entry e: y=%1"],
      at: { x: [0.5, -1, 2] },
    },
    {
      label: "over one axis, keeping it",
      build: (g) => g.log(g.sum(g.exp(g.input("x", [2, 3])), [1], true)),
      fired: { "log(sum(exp(x))) -> logsumexp(x)": 1 },
      after: [
        '%0: f64[2,3] = input "x"',
        "%1: f64[2,1] = logsumexp %0 {axes=[1], keepDims=true}",
        "entry e: y=%1",
      ],
      at: { x: [0.5, -1, 2, 3, 0, -2] },
    },
  ],
  "log(exp(x)) -> x": [
    {
      label: "log(exp(x))",
      build: (g) => g.log(g.exp(g.input("x", [3]))),
      fired: { "log(exp(x)) -> x": 1 },
      after: [x3, "entry e: y=%0"],
      at: { x: [0.5, -1, 2] },
    },
    {
      label: "log(softmax(x)) is logSoftmax(x)",
      build: (g) => g.log(g.softmax(g.input("x", [3]))),
      fired: { "log(exp(x)) -> x": 1 },
      after: [
        x3,
        "%1: f64[1] = logsumexp %0 {axes=[0], keepDims=true}",
        "%2: f64[3] = sub %0 %1",
        "entry e: y=%2",
      ],
      at: { x: [0.5, -1, 2] },
    },
  ],
  "log1p(exp(x)) -> softplus(x)": [
    {
      label: "log1p(exp(x))",
      build: (g) => g.log1p(g.exp(g.input("x"))),
      fired: { "log1p(exp(x)) -> softplus(x)": 1 },
      after: [x0, "%1: f64[] = softplus %0", "entry e: y=%1"],
      at: { x: 0.7 },
    },
    {
      // the pass counts the first step; the builder finishes log1p(eˣ) as the rule builds it
      label: "log(1 + exp(x)) through log1p",
      build: (g) => g.log(g.add(1, g.exp(g.input("x")))),
      fired: { "log(1+x) -> log1p(x)": 1 },
      after: [x0, "%1: f64[] = softplus %0", "entry e: y=%1"],
      at: { x: -1.3 },
    },
  ],
  "log(1+x) -> log1p(x)": [
    {
      label: "log(1 + x)",
      build: (g) => g.log(g.add(1, g.input("x", [3]))),
      fired: { "log(1+x) -> log1p(x)": 1 },
      after: [x3, "%1: f64[3] = log1p %0", "entry e: y=%1"],
      at: { x: [0.5, 0.25, 2] },
    },
    {
      label: "log(x + 1) with a scalar x under a tensor of ones keeps the shape",
      build: (g) => g.log(g.add(g.input("x"), g.constant(1, [2]))),
      fired: { "log(1+x) -> log1p(x)": 1 },
      after: [x0, "%1: f64[2] = broadcastTo %0", "%2: f64[2] = log1p %1", "entry e: y=%2"],
      at: { x: 0.5 },
    },
  ],
  "exp(x)-1 -> expm1(x)": [
    {
      label: "exp(x) − 1",
      build: (g) => g.sub(g.exp(g.input("x", [3])), 1),
      fired: { "exp(x)-1 -> expm1(x)": 1 },
      after: [x3, "%1: f64[3] = expm1 %0", "entry e: y=%1"],
      at: { x: [0.5, -1, 2] },
    },
  ],
  "1/(1+exp(-x)) -> sigmoid(x)": [
    {
      label: "1/(1 + exp(−x))",
      build: (g) => g.div(1, g.add(1, g.exp(g.neg(g.input("x", [3]))))),
      fired: { "1/(1+exp(-x)) -> sigmoid(x)": 1 },
      after: [x3, "%1: f64[3] = sigmoid %0", "entry e: y=%1"],
      at: { x: [0.5, -1, 2] },
    },
    {
      label: "1/(exp((−1)·x) + 1)",
      build: (g) => g.div(1, g.add(g.exp(g.mul(-1, g.input("x"))), 1)),
      fired: { "1/(1+exp(-x)) -> sigmoid(x)": 1 },
      after: [x0, "%1: f64[] = sigmoid %0", "entry e: y=%1"],
      at: { x: 0.3 },
    },
  ],
  "reciprocal(1+exp(-x)) -> sigmoid(x)": [
    {
      label: "reciprocal(1 + exp(−x))",
      build: (g) => g.reciprocal(g.add(1, g.exp(g.neg(g.input("x", [3]))))),
      fired: { "reciprocal(1+exp(-x)) -> sigmoid(x)": 1 },
      after: [x3, "%1: f64[3] = sigmoid %0", "entry e: y=%1"],
      at: { x: [0.5, -1, 2] },
    },
  ],
};

describe("the stabilize rule table", () => {
  it("has a case for every stabilize rule", () => {
    expect(Object.keys(cases).sort()).toEqual(stabilizeRules.map((r) => r.name).sort());
  });
});

for (const [name, list] of Object.entries(cases)) {
  describe(name, () => {
    for (const { label, build, fired, after, at } of list) {
      const expected = ["program s (f64)", ...after].join("\n");
      it(`${label}: the pass rewrites the written graph`, () => {
        const before = rawProgram(build);
        const result = optimize(before, { verifyEachPass: true });
        expect(Object.fromEntries(result.fired)).toEqual(fired);
        expect(programText(result.program)).toBe(expected);
        const [was] = interpret(fetchedOf(before), at);
        const [now] = interpret(fetchedOf(result.program), at);
        expect(allClose(now, was, 1e-14, 1e-15)).toBe(true);
      });
      it(`${label}: the DSL builds the stable form directly`, () => {
        const result = optimize(dslProgram(build), { verifyEachPass: true });
        expect(result.fired.size).toBe(0);
        expect(programText(result.program)).toBe(expected);
      });
    }
  });
}

describe("at the extremes, values and gradients are finite and accurate", () => {
  /** Fetches y and dy/dx, optimized, through the interpreter and through compiled code. */
  async function valueAndGradient(
    build: (g: ProgramBuilder, x: Node) => Node,
    x: number[],
  ): Promise<{ value: number[]; gradient: number[] }> {
    const p = program("extreme", (g) => {
      const input = g.input("x", [x.length]);
      const y = g.sum(build(g, input));
      g.entry("e", { fetch: { y, dx: g.grad(y, input) } });
    });
    const optimized = optimize(p, { verifyEachPass: true }).program;
    const [value, gradient] = interpret(fetchedOf(optimized), { x });
    const compiled = await compile(p);
    const outputs = compiled.entry(compiled.create(), "e")({ x } as never) as Record<
      string,
      Float64Array
    >;
    expect([...outputs.y]).toEqual([...value]);
    expect([...outputs.dx]).toEqual([...gradient]);
    return { value: [...value], gradient: [...gradient] };
  }

  it("log Σ exp of ±1000 is 1000 + log(1 + e⁻¹), its gradient the softmax", async () => {
    const { value, gradient } = await valueAndGradient(
      (g, x) => g.log(g.sum(g.exp(x))),
      [1000, -1000, 999],
    );
    expect(value[0]).toBeCloseTo(1000 + Math.log1p(Math.exp(-1)), 12);
    const total = 1 + Math.exp(-1);
    // x − logsumexp(x) near 1000 keeps about 13 digits of the small difference
    expect(allClose(gradient, [1 / total, 0, Math.exp(-1) / total], 1e-12, 0)).toBe(true);
    expect(gradient[1]).toBe(0);
  });

  it("log(1 + exp(x)) at 1000 and −1000 is softplus: 1000 and e⁻¹⁰⁰⁰ = 0, slopes 1 and 0", async () => {
    const { value, gradient } = await valueAndGradient(
      (g, x) => g.log(g.add(1, g.exp(x))),
      [1000, -1000, 0],
    );
    expect(value[0]).toBeCloseTo(1000 + Math.LN2, 10);
    expect(gradient).toEqual([1, 0, 0.5]);
  });

  it("1/(1 + exp(−x)) at −1000 and 1000 is sigmoid: 0 and 1, slopes 0", async () => {
    const { value, gradient } = await valueAndGradient(
      (g, x) => g.div(1, g.add(1, g.exp(g.neg(x)))),
      [-1000, 1000, 0],
    );
    expect(value).toEqual([1.5]);
    expect(gradient).toEqual([0, 0, 0.25]);
  });

  it("log(1 + x) at 1e-20 is 1e-20 (the written form rounds to 0), slope 1", async () => {
    const { value, gradient } = await valueAndGradient((g, x) => g.log(g.add(1, x)), [1e-20]);
    expect(value).toEqual([1e-20]);
    expect(gradient).toEqual([1]);
  });

  it("exp(x) − 1 at 1e-20 is 1e-20 (the written form gives 0)", async () => {
    const { value, gradient } = await valueAndGradient((g, x) => g.sub(g.exp(x), 1), [1e-20]);
    expect(value).toEqual([1e-20]);
    expect(gradient).toEqual([1]);
  });

  it("log(softmax(x)) of ±1000 is logSoftmax: −2000 and 0, not −Infinity", async () => {
    const { value, gradient } = await valueAndGradient(
      (g, x) => g.mul(g.constant([1, 0]), g.log(g.softmax(x))),
      [1000, -1000],
    );
    expect(value).toEqual([0]);
    // ∂/∂x of logSoftmax(x)₀ = onehot₀ − softmax(x) = [0, 0] here, exactly
    expect(gradient).toEqual([0, 0]);
    const [logits] = interpret(
      [dslProgram((g) => g.log(g.softmax(g.input("x", [2])))).entries[0].fetch[0][1]],
      { x: [1000, -1000] },
    );
    expect([...logits]).toEqual([0, -2000]);
  });

  it("softmax cross-entropy on logits ±1000: loss 2000, gradient softmax − onehot", async () => {
    const p = program("ce", (g) => {
      const logits = g.input("logits", [1, 3]);
      const labels = g.input("labels", [1], { dtype: "i32" });
      const loss = g.sum(g.softmaxCrossEntropy(logits, labels));
      g.entry("e", { fetch: { loss, dlogits: g.grad(loss, logits) } });
    });
    const optimized = optimize(p, { verifyEachPass: true }).program;
    const feeds = { logits: [1000, -1000, 0], labels: [1] };
    const [loss, dlogits] = interpret(fetchedOf(optimized), feeds);
    expect([...loss]).toEqual([2000]);
    // softmax = [1, e⁻²⁰⁰⁰, e⁻¹⁰⁰⁰] = [1, 0, 0]; minus onehot(1)
    expect([...dlogits]).toEqual([1, -1, 0]);
    const compiled = await compile(p);
    const outputs = compiled.entry(compiled.create(), "e")(feeds as never) as Record<
      string,
      Float64Array
    >;
    expect([...outputs.loss]).toEqual([2000]);
    expect([...outputs.dlogits]).toEqual([1, -1, 0]);
  });
});
