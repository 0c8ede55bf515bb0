// Every whileLoop form against its host-unrolled twin through the interpreter (value, gradient,
// jvp, hvp and a third derivative to 1e-12 relative), against central differences, and compiled
// under every lowering option against the interpreter.
import { describe, expect, it } from "vitest";
import { compile, interpret, program, type GenerateOptions } from "../../compiler/index.ts";
import { nodeRegions, type Node } from "../../compiler/ir/node.ts";
import { checkEntry, relativeError } from "../support/oracle.ts";
import { declareLeaves, derivatives } from "./forms.ts";
import { looped, unrolled, whileForms } from "./while-forms.ts";

/** Whether `node` is a while loop or holds one in a region. */
const hasWhile = (node: Node): boolean =>
  node.op === "while" || nodeRegions(node).some(([, region]) => region.graph.nodes.some(hasWhile));

const lowerings: readonly (readonly [string, GenerateOptions, number])[] = [
  ["default", {}, 1e-12],
  ["fusion off", { fusion: false }, 1e-12],
  ["small functions", { maxFunctionLines: 12 }, 1e-12],
  // f32 arena against the f64 interpreter: a float32 rounding per stored value
  ["f32", { dtype: "f32" }, 1e-4],
];

describe.each(whileForms)("$name", (form) => {
  it("equals its unrolled twin in value, gradient, jvp, hvp and third order", () => {
    const loop = derivatives(form, looped);
    const twin = derivatives(form, unrolled);
    expect(loop.program.graph.nodes.some(hasWhile)).toBe(true);
    expect(twin.program.graph.nodes.some(hasWhile)).toBe(false);
    const keys = Object.keys(loop.nodes);
    const got = interpret(
      keys.map((k) => loop.nodes[k]),
      form.leaves,
    );
    const want = interpret(
      keys.map((k) => twin.nodes[k]),
      form.leaves,
    );
    keys.forEach((key, i) => {
      expect(got[i].length, key).toBe(want[i].length);
      expect(
        relativeError(got[i], want[i]),
        `${key}: ${[...got[i]]} vs ${[...want[i]]}`,
      ).toBeLessThanOrEqual(1e-12);
    });
  });

  it("has the gradient of central differences", () => {
    const built = program("fd", (g) => {
      const leaf = declareLeaves(g, form);
      const names = Object.keys(form.leaves);
      const f = form.build(g, looped, leaf);
      g.entry("run", {
        fetch: { f, ...Object.fromEntries(names.map((n) => [n, g.grad(f, leaf(n))])) },
      });
    });
    const roots = built.entries[0].fetch.map(([, node]) => node);
    const at = (leaves: Record<string, readonly number[]>) => interpret(roots, leaves);
    const [, ...grads] = at(form.leaves);
    const h = 1e-6;
    Object.keys(form.leaves).forEach((name, k) => {
      form.leaves[name].forEach((value, i) => {
        const moved = (step: number) => ({
          ...form.leaves,
          [name]: form.leaves[name].map((v, j) => (j === i ? value + step : v)),
        });
        const slope = (at(moved(h))[0][0] - at(moved(-h))[0][0]) / (2 * h);
        expect(grads[k][i], `${name}[${i}]`).toBeCloseTo(slope, 5);
      });
    });
  });

  it.each(lowerings)("runs as the interpreter says, %s", async (_, options, tolerance) => {
    const { program: built } = derivatives(form, looped);
    const compiled = await compile(built, options);
    const round = options.dtype === "f32" ? Math.fround : (x: number) => x;
    const fed = Object.fromEntries(
      Object.entries(form.leaves).map(([name, values]) => [name, values.map(round)]),
    );
    checkEntry(compiled, compiled.create(), built, "all", fed, tolerance);
  });
});
