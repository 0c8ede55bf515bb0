// Every example program: each scalar it fetches (values and gradients alike) is differentiated
// once more and checked against central differences, and optimize keeps every fetched value.
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { vjp } from "../../compiler/autodiff/reverse.ts";
import { Ops } from "../../compiler/dsl/ops.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { isProgram, type Program } from "../../compiler/ir/program.ts";
import { sizeOf } from "../../compiler/ir/shape.ts";
import { reachable } from "../../compiler/ir/text.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import { stabilizeRules } from "../../compiler/passes/stabilize.ts";
import {
  directionalCheck,
  expectDirectional,
  mulberry32,
  uniform,
  type Rng,
} from "../support/gradcheck.ts";

const examplesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../examples");
const files = readdirSync(examplesDir).filter((file) => file.endsWith(".graph.ts"));

async function load(file: string): Promise<Program> {
  const module = (await import(path.join(examplesDir, file))) as { default: unknown };
  expect(isProgram(module.default)).toBe(true);
  return module.default as Program;
}

/**
 * Leaf values in [0.5, 2]: inside every example's domain (the trace example takes a log).
 * Integer leaves (labels) get 0 or 1, a valid class in every example.
 */
function sample(p: Program, rng: Rng): Float64Array[] {
  return p.leaves.map((leaf) =>
    Float64Array.from({ length: sizeOf(leaf.shape) }, () =>
      isReal(leaf) ? uniform(rng, 0.5, 2) : Math.floor(uniform(rng, 0, 2)),
    ),
  );
}

function isReal(leaf: Node): boolean {
  return leaf.dtype === "f64" || leaf.dtype === "f32";
}

/** A stopped gradient is deliberately not the derivative: values behind one are not checked. */
function behindStopGradient(p: Program, node: Node): boolean {
  return [...reachable([node])].some((id) => p.graph.nodes[id].op === "stopGradient");
}

function feeds(p: Program, values: readonly ArrayLike<number>[]) {
  return Object.fromEntries(p.leaves.map((leaf, i) => [leaf.attrs.name, values[i]]));
}

/**
 * Central-difference steps other than the default: mnist's loss sums 784·128 products per hidden unit,
 * whose rounding at a 1e-6 step outweighs the tolerance; at 1e-3 it agrees to 1e-9. The same holds
 * for the LSTM's mean over 1,024 steps.
 */
const steps: Readonly<Record<string, number>> = { "mnist.graph.ts": 1e-3, "lstm.graph.ts": 1e-3 };

/**
 * Fetches checked where not every one is: the LSTM's weight gradients would be differentiated again
 * through its 1,024 steps (minutes in the interpreter); scans to third order are checked on small
 * loops in test/loops, and its loss's gradient here.
 */
const checkedFetches: Readonly<Record<string, readonly string[]>> = { "lstm.graph.ts": ["loss"] };

describe.each(files)("examples/%s", (file) => {
  it("has fetched values whose gradients match central differences", async () => {
    const p = await load(file);
    const fetched = new Map<number, Node>();
    for (const entry of p.entries) {
      for (const [name, node] of entry.fetch) {
        if (checkedFetches[file] !== undefined && !checkedFetches[file].includes(name)) continue;
        if (isReal(node) && !behindStopGradient(p, node)) fetched.set(node.id, node);
      }
    }
    expect(fetched.size).toBeGreaterThan(0);
    // the example's graph is extended in place here; this file's module instance is its own
    const g = new Ops(p.graph, stabilizeRules);
    const rng = mulberry32(file.length);
    const wrt = p.leaves.filter(isReal);
    for (const y of fetched.values()) {
      // a tensor is reduced to ⟨y, W⟩ with fixed random weights
      const weights = Array.from({ length: sizeOf(y.shape) }, () => uniform(rng, -1, 1));
      const f = y.shape.length === 0 ? y : g.sum(g.mul(y, g.constant(weights, y.shape)));
      const grads = vjp(g, [f], [g.constant(1)], wrt);
      const theta = sample(p, rng);
      const realGradients = interpret(grads, feeds(p, theta));
      let next = 0;
      const gradient = p.leaves.map((leaf, i) =>
        isReal(leaf) ? realGradients[next++] : new Float64Array(theta[i].length),
      );
      const zeroIntegers = (delta: Float64Array[]) =>
        delta.map((part, i) => (isReal(p.leaves[i]) ? part : new Float64Array(part.length)));
      const value = (t: readonly Float64Array[]) => interpret([f], feeds(p, t))[0][0];
      expectDirectional(directionalCheck(value, gradient, theta, rng, steps[file], zeroIntegers));
    }
  }, 120_000);

  it("keeps every fetched value and update through optimize", async () => {
    const p = await load(file);
    const optimized = optimize(p, { verifyEachPass: true }).program;
    const roots = (q: Program) =>
      q.entries.flatMap((entry) => [
        ...entry.fetch.map(([, node]) => node),
        ...entry.update.map(([, value]) => value),
      ]);
    const rng = mulberry32(7);
    for (let trial = 0; trial < 3; trial++) {
      const values = sample(p, rng);
      const before = interpret(roots(p), feeds(p, values));
      const after = interpret(roots(optimized), feeds(optimized, values));
      expect(after.map((a) => [...a])).toEqual(before.map((b) => [...b]));
    }
  });
});
