// Custom derivative rules (g.customVjp): the rule replaces the derivative of the forward ops, gives a
// stable gradient where the ops overflow, differentiates again, survives rebuilding, and vanishes
// from the optimized program.
import { describe, expect, it } from "vitest";
import { compile, program, type Node, type ProgramBuilder } from "adjoint";
import { programText } from "../../compiler/ir/text.ts";
import { ops } from "../../compiler/ops/registry.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import { rebuild } from "../../compiler/passes/rebuild.ts";
import { build, thrown, values } from "../support/build.ts";
import { expectClose } from "../support/oracle.ts";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * log(1 + eˣ) computed naively as log(2 + 2eˣ) − log 2 (a form the stabilize rules leave alone),
 * whose derivative by the chain rule is 2eˣ/(2 + 2eˣ) = ∞/∞ for large x.
 */
const naiveSoftplus = (g: ProgramBuilder, x: Node) =>
  g.sub(g.log(g.add(2, g.mul(2, g.exp(x)))), Math.LN2);

/** The same forward value with the stable rule x̄ = ȳ/(1 + e⁻ˣ). */
function stableSoftplus(g: ProgramBuilder, x: Node): Node {
  return g.customVjp(
    [x],
    (v) => naiveSoftplus(g, v),
    ({ g: ops, inputs: [v], output_bar }) => [ops.div(output_bar, ops.add(1, ops.exp(ops.neg(v))))],
  );
}

describe("a custom rule", () => {
  it("is what the gradient uses, not the derivative of the forward ops", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      // forward x², rule x̄ = 3ȳ: deliberately not the derivative 2x
      const y = g.customVjp(
        [x],
        (v) => g.mul(v, v),
        ({ g: ops, output_bar }) => [ops.mul(3, output_bar)],
      );
      return { y, dy: g.grad(y, x), dsin: g.grad(g.sin(y), x) };
    });
    expect(values(nodes.y, { x: 1.5 })).toEqual([2.25]);
    expect(values(nodes.dy, { x: 1.5 })).toEqual([3]);
    expect(values(nodes.dy, { x: -7 })).toEqual([3]);
    // the chain rule around the custom node still applies: d sin(y) = cos(y)·3
    expect(values(nodes.dsin, { x: 1.5 })).toEqual([Math.cos(2.25) * 3]);
  });

  it("gives a finite gradient where the naive one is NaN: log(1 + eˣ) at x = ±800", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [4]);
      return {
        stable: g.grad(g.sum(stableSoftplus(g, x)), x),
        naive: g.grad(g.sum(naiveSoftplus(g, x)), x),
      };
    });
    const x = [800, -800, 0, 2];
    const stable = values(nodes.stable, { x });
    expect(stable).toEqual([1, 0, 0.5, sigmoid(2)]);
    expect(Number.isNaN(values(nodes.naive, { x })[0])).toBe(true);
  });

  it("compiles to the rule's gradient, with no custom node left in the optimized program", async () => {
    const p = program("softplus", (g) => {
      const x = g.input("x", [3]);
      const y = g.sum(stableSoftplus(g, x));
      g.entry("grad", { fetch: { y, dy: g.grad(y, x) } });
    });
    const optimized = optimize(p);
    expect(optimized.fired.get("custom(y, ...) -> y")).toBe(1);
    expect(optimized.program.graph.nodes.some((node) => node.op === "custom")).toBe(false);
    const compiled = await compile(p);
    const x = [800, -1.5, 0.25];
    const { y, dy } = compiled.entry(compiled.create(), "grad")({ x });
    expect(y[0]).toBe(Infinity);
    expectClose(dy, x.map(sigmoid), 1e-15, "compiled stable gradient");
  });

  it("differentiates again when built from differentiable ops: σ'(x) = σ(x)(1 − σ(x))", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [4]);
      const dy = g.grad(g.sum(stableSoftplus(g, x)), x);
      return {
        reverse: g.grad(g.sum(dy), x),
        forward: g.hvp(g.sum(stableSoftplus(g, x)), x, g.constant(1, [4])),
      };
    });
    const x = [-2, 0, 0.5, 800];
    const expected = x.map((v) => sigmoid(v) * (1 - sigmoid(v)));
    expectClose(values(nodes.reverse, { x }), expected, 1e-15, "reverse over reverse");
    expectClose(values(nodes.forward, { x }), expected, 1e-15, "forward over reverse");
  });

  it("is applied again to its output in reverse mode, while forward mode follows the forward ops", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      // forward eˣ, rule x̄ = 3ȳ·y: the reverse derivative of the output is 3y, not y
      const y = g.customVjp(
        [x],
        (v) => g.exp(v),
        ({ g: ops, output, output_bar }) => [ops.mul(3, ops.mul(output_bar, output))],
      );
      const dy = g.grad(y, x);
      return { dy, reverse: g.grad(dy, x), forward: g.hvp(y, x, g.constant(1)) };
    });
    const e = Math.exp(0.5);
    expect(values(nodes.dy, { x: 0.5 })).toEqual([3 * e]);
    // d(3y)/dx with dy/dx = 3y by the rule again
    expect(values(nodes.reverse, { x: 0.5 })[0]).toBeCloseTo(9 * e, 14);
    // the tangent of y comes from exp itself: d(3y)/dx = 3y
    expect(values(nodes.forward, { x: 0.5 })[0]).toBeCloseTo(3 * e, 14);
  });

  it("passes no gradient to an input whose adjoint it gives as null, nor into the forward ops", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [3]);
      const indices = g.input("indices", [2], { dtype: "i32" });
      const picked = g.customVjp(
        [x, indices],
        (v, k) => g.gather(v, k),
        ({ g: ops, inputs: [v, k], output_bar }) => [
          ops.scatterAdd(ops.mul(2, output_bar), k, 0, v.shape),
          null,
        ],
      );
      return { picked, dx: g.grad(g.sum(picked), x) };
    });
    const leaves = { x: [10, 20, 30], indices: [2, 2] };
    expect(values(nodes.picked, leaves)).toEqual([30, 30]);
    // the rule doubles the scattered adjoint: both picks land on x[2]
    expect(values(nodes.dx, leaves)).toEqual([0, 0, 4]);
  });

  it("gives a structural zero for an input the rule's output does not reach", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const other = g.input("other");
      const y = g.customVjp(
        [x],
        (v) => g.sin(v),
        ({ g: ops, inputs: [v], output_bar }) => [ops.mul(output_bar, ops.cos(v))],
      );
      return { d: g.grad(y, other) };
    });
    expect(nodes.d.op).toBe("const");
    expect(values(nodes.d, {})).toEqual([0]);
  });
});

describe("the custom node", () => {
  it("reads its forward output and its inputs, and names its rule", () => {
    const { program: built } = build((g) => {
      const x = g.input("x");
      const first = g.customVjp(
        [x],
        (v) => g.neg(v),
        ({ output_bar }) => [output_bar],
      );
      const second = g.customVjp(
        [x],
        (v) => g.neg(v),
        ({ output_bar }) => [output_bar],
      );
      return { first, second };
    });
    expect(programText(built).split("\n").slice(1, -1)).toEqual([
      '%0: f64[] = input "x"',
      "%1: f64[] = neg %0",
      "%2: f64[] = custom %1 %0 {rule=0}",
      "%3: f64[] = custom %1 %0 {rule=1}",
    ]);
  });

  it("would compile to a copy of its forward output, were it ever left for codegen", () => {
    const emit = ops.custom.emit;
    if (emit.kind !== "kernel") throw new Error("custom emits a kernel");
    const io = {
      args: ["v", "x"],
      inShapes: [[2], [3]],
      attrs: { rule: 0 },
      checkIndex: (index: string) => index,
    };
    expect(emit.code({ ...io, out: "y", outShape: [2] })).toEqual(["y.set(v);"]);
    expect(emit.code({ ...io, out: "s", outShape: [], inShapes: [[], [3]] })).toEqual([
      "let s = v;",
    ]);
  });

  it("keeps its rule when the program is rebuilt", () => {
    const built = program("p", (g) => {
      const x = g.input("x");
      const y = g.customVjp(
        [x],
        (v) => g.mul(v, v),
        ({ g: ops }) => [ops.constant(5)],
      );
      g.entry("e", { fetch: { y } });
    });
    const rebuilt = rebuild(built);
    expect(rebuilt.graph).not.toBe(built.graph);
    expect(rebuilt.graph.customRules).toEqual(built.graph.customRules);
    expect(rebuilt.graph.rule(0)).toBe(built.graph.rule(0));
  });

  it("rejects a rule with the wrong number of adjoints, a wrong shape, or a non-node", () => {
    const failing = (rule: (g: ProgramBuilder, v: Node) => readonly (Node | null)[]) =>
      thrown(() =>
        program("p", (g) => {
          const x = g.input("x", [2]);
          const y = g.customVjp(
            [x],
            (v) => g.exp(v),
            ({ inputs: [v] }) => rule(g, v),
          );
          g.grad(g.sum(y), x);
        }),
      ).message.split("\n")[0];
    expect(failing((g, v) => [v, v])).toBe("customVjp: the rule returned 2 adjoints for 1 inputs");
    expect(failing((g) => [g.constant(1, [3])])).toBe(
      "customVjp: adjoint 1 from the rule has shape [3], its input has [2]",
    );
    expect(failing(() => [2 as never])).toBe(
      "customVjp: adjoint 1 from the rule is not a node of this program",
    );
  });

  it("rejects a forward function that returns no node", () => {
    const error = thrown(() =>
      program("p", (g) => {
        const x = g.input("x");
        g.customVjp(
          [x],
          () => 1 as never,
          () => [null],
        );
      }),
    );
    expect(error.message).toContain(
      "customVjp forward result: argument 1 is not a node of this program",
    );
  });
});
