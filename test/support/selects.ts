// Running a small program for the strong-zero tests: the interpreter as built and optimized and the
// generated code (fused and not) must agree exactly, and float32 code must have the same zeros and
// non-finite values; the values come back by fetch name.
import { expect } from "vitest";
import { compile } from "../../compiler/index.ts";
import { program, type ProgramBuilder } from "../../compiler/program.ts";
import { interpret, type LeafValues } from "../../compiler/ops/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";

type Fetches = Record<string, Node>;
export type Values = Record<string, number[]>;

/** The fetched values, after checking that the optimized graph and the generated code agree. */
export async function run(
  body: (g: ProgramBuilder) => Fetches,
  feeds: LeafValues,
): Promise<Values> {
  const p = program("strong", (g) => g.entry("e", { fetch: body(g) }));
  const fetch = p.entries[0].fetch;
  const asBuilt = interpret(
    fetch.map(([, node]) => node),
    feeds,
  );
  const optimized = optimize(p, { verifyEachPass: true }).program.entries[0].fetch;
  const result: Values = {};
  fetch.forEach(([name], i) => {
    result[name] = [...asBuilt[i]];
    expect([...interpret([optimized[i][1]], feeds)[0]], name).toEqual(result[name]);
  });
  for (const options of [{}, { fusion: false }]) {
    const c = await compile(p, options);
    const outputs = c.entry(c.create(), "e")(feeds as never) as Record<string, Float64Array>;
    for (const [name] of fetch) expect([...outputs[name]], name).toEqual(result[name]);
  }
  // in float32 the values round differently, but the exact zeros and the finite values stay so
  const c = await compile(p, { dtype: "f32" });
  const outputs = c.entry(c.create(), "e")(feeds as never) as Record<string, Float32Array>;
  for (const [name] of fetch) {
    const kind = (v: number) => (v === 0 ? "zero" : Number.isFinite(v) ? "finite" : String(v));
    expect([...outputs[name]].map(kind), name).toEqual(result[name].map(kind));
  }
  return result;
}

/** Central difference of a scalar function of one coordinate of `x`. */
export function centralDifference(
  f: (x: number[]) => number,
  x: number[],
  i: number,
  h = 1e-5,
): number {
  const at = (delta: number) => f(x.map((v, j) => (j === i ? v + delta : v)));
  return (at(h) - at(-h)) / (2 * h);
}
