// The visible result for examples/product.graph.ts: the optimized gradient of ∏ θᵢ for n = 1000 has
// O(n) operations (naive symbolic differentiation multiplies n − 2 factors for each of n partials,
// about n² = 10⁶), and it is exact where some θᵢ are zero.
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { sizeOf } from "../../compiler/ir/shape.ts";
import { reachable } from "../../compiler/ir/text.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import { entryRoots } from "../../compiler/passes/rebuild.ts";
import product, { n } from "../../examples/product.graph.ts";
import { mulberry32 } from "../support/gradcheck.ts";

/** Element operations of a node: at least one per output element and one per input element read. */
function elementOperations(node: Node): number {
  const read = node.inputs.reduce((total, input) => total + sizeOf(input.shape), 0);
  return Math.max(sizeOf(node.shape), read);
}

describe(`the gradient of the product of n = ${n} numbers`, () => {
  const optimized = optimize(product, { verifyEachPass: true }).program;
  const entry = optimized.entries.find((e) => e.name === "grad")!;
  const keep = reachable(entryRoots(entry));
  const computed = optimized.graph.nodes.filter(
    (node) => keep.has(node.id) && node.inputs.length > 0,
  );

  it("has O(n) operations: a handful of nodes, under 10·n element operations, far below n²", () => {
    expect(computed.map((node) => node.op).sort()).toEqual(["prod", "prodExcept"]);
    const operations = computed.reduce((total, node) => total + elementOperations(node), 0);
    // prod reads n elements, prodExcept writes n (its kernel: a prefix and a suffix sweep)
    expect(operations).toBe(2 * n);
    expect(operations).toBeLessThan(10 * n);
    expect(operations * 100).toBeLessThan(n * n);
  });

  it("is exact where some θᵢ are zero", async () => {
    const compiled = await compile(product);
    const run = compiled.entry(compiled.create(), "grad");
    const rng = mulberry32(7);
    // powers of two keep every partial product exact, so the expected values are exact too
    const factors = [1, -1, 2, 0.5, -2, -0.5];
    const theta = Array.from({ length: n }, () => factors[Math.floor(rng() * factors.length)]);
    const productOf = (skip: number) =>
      theta.reduce((total, value, i) => (i === skip ? total : total * value), 1);
    const oneZero = theta.map((value, i) => (i === 17 ? 0 : value));
    const outputs = run({ theta: oneZero } as never) as Record<string, Float64Array>;
    theta[17] = 0;
    expect(Math.abs(outputs.f[0])).toBe(0);
    const expected = theta.map((_, i) => productOf(i));
    expect(expected[17]).not.toBe(0);
    expect([...outputs.df_dtheta]).toEqual(expected);
    theta[400] = 0;
    const twoZeros = run({ theta } as never) as Record<string, Float64Array>;
    expect([...twoZeros.df_dtheta].every((value) => value === 0)).toBe(true);
  });
});
