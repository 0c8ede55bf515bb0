// Passes on random graphs: values (and gradients) preserved exactly, a fixed point reached, and
// optimizing the optimized program changes nothing.
import { describe, expect, it } from "vitest";
import { program, type ProgramBuilder } from "../../compiler/program.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import type { Program } from "../../compiler/ir/program.ts";
import { programText } from "../../compiler/ir/text.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import { sizeOf } from "../../compiler/ir/shape.ts";
import { mulberry32, uniform, type Rng } from "../support/gradcheck.ts";

const constants = [0, 1, -1, 2, 0.5, 3];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

/**
 * A random graph over the elementwise ops, with domains kept safe (a denominator ≥ 1, a log or
 * sqrt argument ≥ 1, exp of a bounded value) and with the constants and shapes that rules match.
 * With `vectors`, scalar and [3] values mix through scalar broadcasting, broadcast, sum and dot.
 */
function buildRandom(g: ProgramBuilder, seed: number, size: number, vectors: boolean): Node[] {
  const rng = mulberry32(seed);
  const pool: Node[] = [g.input("a"), g.input("b"), g.param("c")];
  if (vectors) pool.push(g.input("v", [3]), g.param("w", [3]));
  const any = () => pick(rng, pool);
  const operand = (): Node => (rng() < 0.3 ? g.constant(pick(rng, constants)) : any());
  const vector = (x: Node) => (x.shape.length === 0 ? g.broadcastTo(x, [3]) : x);
  const makers: ((x: Node, y: Node) => Node)[] = [
    (x, y) => g.add(x, y),
    (x, y) => g.add(y, x),
    (x, y) => g.sub(x, y),
    (x, y) => g.sub(y, x),
    (x, y) => g.mul(x, y),
    (x, y) => g.mul(y, x),
    (x, y) => g.div(x, g.add(1, g.mul(y, y))),
    (x, y) => g.div(x, y.op === "const" ? y : g.add(2, g.tanh(y))),
    (x) => g.neg(x),
    (x) => g.neg(g.neg(x)),
    (x) => g.add(x, x),
    (x) => g.pow(x, pick(rng, [0, 1, 2, 3])),
    (x) => g.exp(g.tanh(x)),
    (x) => g.log(g.add(1, g.mul(x, x))),
    (x) => g.sqrt(g.add(g.mul(x, x), 1)),
    (x) => g.sin(x),
    (x) => g.cos(x),
    (x) => g.tanh(x),
  ];
  if (vectors) {
    makers.push(
      // stabilized as built (softplus, sigmoid), merged sums, a select with a masked gradient
      (x) => g.log(g.add(1, g.exp(g.tanh(x)))),
      (x) => g.div(1, g.add(1, g.exp(g.neg(x)))),
      (x) => g.add(g.mul(2, x), x),
      (x, y) => g.where(g.gt(x, y), g.sqrt(g.add(g.mul(x, x), 1)), y),
      (x, y) => g.mul(vector(x), g.broadcastTo(y.shape.length === 0 ? y : g.sum(y), [3])),
      (x, y) => g.sub(g.broadcastTo(x.shape.length === 0 ? x : g.sum(x), [3]), vector(y)),
      (x) => g.sum(x),
      (x, y) => g.tanh(g.dot(vector(x), vector(y))),
      (x) => g.reshape(g.reshape(vector(x), [3, 1]), [3]),
      (x) => g.sum(g.transpose(g.transpose(g.reshape(vector(x), [1, 3])))),
    );
  }
  for (let i = 0; i < size; i++) pool.push(pick(rng, makers)(any(), operand()));
  return [...pool.slice(-3), pick(rng, pool)];
}

function randomProgram(seed: number, size: number, vectors: boolean): Program {
  return program("random", (g) => {
    const [p, q, r, s] = buildRandom(g, seed, size, vectors);
    g.entry("last", { fetch: { p, q } });
    g.entry("other", { fetch: { r, s } });
  });
}

function randomLeaves(p: Program, rng: Rng): Record<string, number[]> {
  return Object.fromEntries(
    p.leaves.map((leaf) => [
      leaf.attrs.name,
      Array.from({ length: sizeOf(leaf.shape) }, () => uniform(rng, -2, 2)),
    ]),
  );
}

function fetched(p: Program): Node[] {
  return p.entries.flatMap((entry) => entry.fetch.map(([, node]) => node));
}

/** Exactly equal, NaN to NaN (and 0 to -0, as ===). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!(a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) return false;
  }
  return true;
}

function expectSameOutputs(before: Program, after: Program, seed: number): void {
  const rng = mulberry32(seed);
  for (let trial = 0; trial < 3; trial++) {
    const leaves = randomLeaves(before, rng);
    const was = interpret(fetched(before), leaves);
    const now = interpret(fetched(after), leaves);
    was.forEach((value, i) =>
      expect(sameValues(now[i], value), `output ${i}: [${[...now[i]]}] vs [${[...value]}]`).toBe(
        true,
      ),
    );
  }
}

const seeds = Array.from({ length: 30 }, (_, i) => 100 + i);

describe.each([
  { kind: "scalar", vectors: false },
  { kind: "mixed scalar and vector", vectors: true },
])("random $kind graphs", ({ vectors }) => {
  it("keep their values through optimize, verified after every pass", () => {
    const fired = new Set<string>();
    for (const seed of seeds) {
      const before = randomProgram(seed, 30, vectors);
      const result = optimize(before, { verifyEachPass: true });
      for (const name of result.fired.keys()) fired.add(name);
      expectSameOutputs(before, result.program, seed);
    }
    // the generator reaches the rules, so the comparison above is not vacuous
    expect(fired.size).toBeGreaterThanOrEqual(10);
  });

  it("reach a fixed point: optimizing again fires nothing and changes nothing", () => {
    for (const seed of seeds) {
      const once = optimize(randomProgram(seed, 30, vectors)).program;
      const twice = optimize(once, { verifyEachPass: true });
      expect(twice.fired.size, `seed ${seed}`).toBe(0);
      expect(programText(twice.program)).toBe(programText(once));
    }
  });

  it("end with a round that changed nothing", () => {
    for (const seed of seeds.slice(0, 10)) {
      const before = randomProgram(seed, 30, vectors);
      const { stats, program: after } = optimize(before);
      expect(stats[0]).toEqual({
        pass: "input",
        nodes: before.graph.nodes.length,
        program: before,
      });
      expect(stats.at(-1)).toEqual({
        pass: "prune",
        nodes: after.graph.nodes.length,
        program: after,
      });
      // the last round's simplify found nothing to prune afterwards
      expect(stats.at(-2)!.nodes).toBe(stats.at(-1)!.nodes);
      // prune and stabilize once, then rounds of simplify and prune
      expect(stats.map((stat) => stat.pass).slice(1, 3)).toEqual(["prune", "stabilize"]);
      expect(stats.map((stat) => stat.pass).slice(3)).toEqual(
        stats.slice(3).map((_, i) => (i % 2 === 0 ? "simplify" : "prune")),
      );
    }
  });

  it("keep their gradients through optimize", () => {
    for (const seed of seeds.slice(0, 20)) {
      const withGrad = program("graded", (g) => {
        const [p, q] = buildRandom(g, seed, 20, vectors);
        const loss = g.add(g.sum(p), g.sum(q));
        const leaves = g.graph.nodes.filter((node) => node.op === "input" || node.op === "param");
        const grads = g.grad(loss, leaves);
        g.entry("grad", {
          fetch: Object.fromEntries(grads.map((grad, i) => [`d${i}`, grad] as const)),
        });
      });
      const result = optimize(withGrad, { verifyEachPass: true });
      expect(result.program.graph.nodes.length).toBeLessThanOrEqual(withGrad.graph.nodes.length);
      expectSameOutputs(withGrad, result.program, seed);
    }
  });
});
