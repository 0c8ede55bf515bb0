// NumPy broadcasting on every binary op: values and adjoints against formulas written here
// (the adjoint of a broadcast operand is the sum of its partials over the axes it was stretched
// along), adjoint shapes equal to the operands', central-difference checks, and the same values
// from compile()'d code. Comparisons have no adjoints: their values are checked, with ties.
import { describe, expect, it } from "vitest";
import {
  compile,
  interpret,
  program,
  type Node,
  type ProgramBuilder,
} from "../../compiler/index.ts";
import type { Shape } from "../../compiler/ir/shape.ts";
import { checkGradient, checkJvpVjp, type LeafSpec } from "../support/gradcheck.ts";
import { expectClose } from "../support/oracle.ts";
import { seeded, uniform } from "../support/random.ts";

interface BinaryRule {
  readonly op: "add" | "sub" | "mul" | "div" | "power" | "maximum" | "minimum";
  readonly value: (a: number, b: number) => number;
  /** ∂y/∂a and ∂y/∂b. */
  readonly da: (a: number, b: number) => number;
  readonly db: (a: number, b: number) => number;
  readonly aRange: readonly [number, number];
  readonly bRange: readonly [number, number];
}

const anywhere = [-2, 2] as const;
const positive = [0.5, 2] as const;

const rules: readonly BinaryRule[] = [
  {
    op: "add",
    value: (a, b) => a + b,
    da: () => 1,
    db: () => 1,
    aRange: anywhere,
    bRange: anywhere,
  },
  {
    op: "sub",
    value: (a, b) => a - b,
    da: () => 1,
    db: () => -1,
    aRange: anywhere,
    bRange: anywhere,
  },
  {
    op: "mul",
    value: (a, b) => a * b,
    da: (_, b) => b,
    db: (a) => a,
    aRange: anywhere,
    bRange: anywhere,
  },
  {
    op: "div",
    value: (a, b) => a / b,
    da: (_, b) => 1 / b,
    db: (a, b) => -a / (b * b),
    aRange: anywhere,
    bRange: positive,
  },
  {
    op: "power",
    value: (a, b) => Math.exp(b * Math.log(a)),
    da: (a, b) => b * Math.exp((b - 1) * Math.log(a)),
    db: (a, b) => Math.exp(b * Math.log(a)) * Math.log(a),
    aRange: positive,
    bRange: anywhere,
  },
  {
    op: "maximum",
    value: (a, b) => (a > b ? a : b),
    da: (a, b) => (a > b ? 1 : 0),
    db: (a, b) => (a > b ? 0 : 1),
    aRange: anywhere,
    bRange: anywhere,
  },
  {
    op: "minimum",
    value: (a, b) => (a < b ? a : b),
    da: (a, b) => (a < b ? 1 : 0),
    db: (a, b) => (a < b ? 0 : 1),
    aRange: anywhere,
    bRange: anywhere,
  },
];

const comparisons = {
  lt: (a: number, b: number) => a < b,
  le: (a: number, b: number) => a <= b,
  gt: (a: number, b: number) => a > b,
  ge: (a: number, b: number) => a >= b,
  eq: (a: number, b: number) => a === b,
} as const;

/** Operand shape pairs and the output shape NumPy gives them. */
const pairs: readonly { a: Shape; b: Shape; out: Shape }[] = [
  { a: [3, 1], b: [1, 4], out: [3, 4] },
  { a: [5], b: [2, 5], out: [2, 5] },
  { a: [2, 1, 3], b: [4, 1], out: [2, 4, 3] },
  { a: [], b: [2, 3], out: [2, 3] },
];

const size = (shape: Shape) => shape.reduce((n, d) => n * d, 1);

/** Row-major multi-index of flat position `k` in `shape`. */
function unflatten(k: number, shape: Shape): number[] {
  const index: number[] = [];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index.unshift(k % shape[axis]);
    k = Math.floor(k / shape[axis]);
  }
  return index;
}

/** The flat position in an operand of `shape` that output multi-index `index` reads (NumPy rules). */
function source(index: readonly number[], shape: Shape): number {
  const skip = index.length - shape.length;
  return shape.reduce((flat, dim, axis) => flat * dim + (dim === 1 ? 0 : index[axis + skip]), 0);
}

/** y, ā and b̄ for cotangent c, element by element from the rule's scalar formulas. */
function reference(
  rule: BinaryRule,
  pair: (typeof pairs)[number],
  a: number[],
  b: number[],
  c: number[],
) {
  const y: number[] = [];
  const aBar = new Array<number>(a.length).fill(0);
  const bBar = new Array<number>(b.length).fill(0);
  for (let k = 0; k < size(pair.out); k++) {
    const index = unflatten(k, pair.out);
    const [i, j] = [source(index, pair.a), source(index, pair.b)];
    y.push(rule.value(a[i], b[j]));
    aBar[i] += c[k] * rule.da(a[i], b[j]);
    bBar[j] += c[k] * rule.db(a[i], b[j]);
  }
  return { y, aBar, bBar };
}

function comparisonReference(
  holds: (a: number, b: number) => boolean,
  pair: (typeof pairs)[number],
  p: number[],
  q: number[],
) {
  return Array.from({ length: size(pair.out) }, (_, k) => {
    const index = unflatten(k, pair.out);
    return holds(p[source(index, pair.a)], q[source(index, pair.b)]) ? 1 : 0;
  });
}

/** Per op: y, and ā, b̄ for the fed cotangent; per comparison its value. One program for them all. */
function allOps(g: ProgramBuilder, pair: (typeof pairs)[number]): Record<string, Node> {
  const fetch: Record<string, Node> = {};
  const c = g.input("c", pair.out);
  for (const rule of rules) {
    const a = g.input(`a_${rule.op}`, pair.a);
    const b = g.input(`b_${rule.op}`, pair.b);
    const y = g[rule.op](a, b);
    const [aBar, bBar] = g.vjp([y], [c], [a, b]);
    Object.assign(fetch, {
      [`y_${rule.op}`]: y,
      [`aBar_${rule.op}`]: aBar,
      [`bBar_${rule.op}`]: bBar,
    });
  }
  const p = g.input("p", pair.a);
  const q = g.input("q", pair.b);
  for (const op of Object.keys(comparisons) as (keyof typeof comparisons)[])
    fetch[op] = g[op](p, q);
  return fetch;
}

/** Random feeds for every op of `allOps` (small integers for the comparisons, so ties occur). */
function feedsFor(pair: (typeof pairs)[number], seed: number) {
  const random = seeded(seed);
  const integers = (shape: Shape) => uniform(random, size(shape), -1, 2).map(Math.floor);
  const feeds: Record<string, number[]> = {
    c: uniform(random, size(pair.out)),
    p: integers(pair.a),
    q: integers(pair.b),
  };
  const expected: Record<string, number[]> = {};
  for (const rule of rules) {
    const a = uniform(random, size(pair.a), ...rule.aRange);
    const b = uniform(random, size(pair.b), ...rule.bRange);
    const { y, aBar, bBar } = reference(rule, pair, a, b, feeds.c);
    Object.assign(feeds, { [`a_${rule.op}`]: a, [`b_${rule.op}`]: b });
    Object.assign(expected, {
      [`y_${rule.op}`]: y,
      [`aBar_${rule.op}`]: aBar,
      [`bBar_${rule.op}`]: bBar,
    });
  }
  for (const [op, holds] of Object.entries(comparisons)) {
    expected[op] = comparisonReference(holds, pair, feeds.p, feeds.q);
  }
  return { feeds, expected };
}

const label = (pair: (typeof pairs)[number]) => `[${pair.a}] ∘ [${pair.b}] -> [${pair.out}]`;

describe.each(pairs.map((pair) => [label(pair), pair] as const))("%s", (_, pair) => {
  const built = () => {
    let fetch: Record<string, Node> = {};
    const p = program("broadcast", (g) => {
      fetch = allOps(g, pair);
      g.entry("run", { fetch });
    });
    return { p, fetch };
  };

  it("interpreter: values and adjoints match the formulas, adjoints have the operands' shapes", () => {
    const { fetch } = built();
    const { feeds, expected } = feedsFor(pair, 40);
    for (const rule of rules) {
      expect(fetch[`y_${rule.op}`].shape).toEqual(pair.out);
      expect(fetch[`aBar_${rule.op}`].shape).toEqual(pair.a);
      expect(fetch[`bBar_${rule.op}`].shape).toEqual(pair.b);
    }
    const names = Object.keys(expected);
    const results = interpret(
      names.map((name) => fetch[name]),
      feeds,
    );
    names.forEach((name, i) =>
      expectClose(results[i], expected[name], 1e-12, `${label(pair)} ${name}`),
    );
  });

  it("compile(): generated code gives the same values and adjoints", async () => {
    const { p } = built();
    const compiled = await compile(p);
    const { feeds, expected } = feedsFor(pair, 41);
    const outputs = compiled.entry(compiled.create(), "run")(feeds);
    for (const [name, want] of Object.entries(expected)) {
      expectClose(outputs[name], want, 1e-12, `compiled ${label(pair)} ${name}`);
    }
  });

  it.each(rules.map((rule) => [rule.op, rule] as const))(
    "%s: gradient and jvp/vjp checks",
    (_op, rule) => {
      const leaves: LeafSpec[] = [
        { name: "a", shape: pair.a, range: rule.aRange },
        { name: "b", shape: pair.b, range: rule.bRange },
      ];
      const f = (g: ProgramBuilder, [a, b]: readonly Node[]) => g[rule.op](a, b);
      checkGradient(leaves, f, { seed: 7 });
      checkJvpVjp(leaves, f, { seed: 8 });
    },
  );
});

describe("where broadcasts all three operands", () => {
  const cond = { shape: [2, 1, 1], values: [1, 0] };
  const aShape = [3, 1];
  const bShape = [4];
  const out = [2, 3, 4];

  function reference(a: number[], b: number[], c: number[]) {
    const y: number[] = [];
    const aBar = new Array<number>(3).fill(0);
    const bBar = new Array<number>(4).fill(0);
    for (let k = 0; k < 24; k++) {
      const [i, j, l] = unflatten(k, out);
      if (cond.values[i] !== 0) {
        y.push(a[j]);
        aBar[j] += c[k];
      } else {
        y.push(b[l]);
        bBar[l] += c[k];
      }
    }
    return { y, aBar, bBar };
  }

  it("in the interpreter and in generated code, adjoints summed back to [3,1] and [4]", async () => {
    let nodes: Record<string, Node> = {};
    const p = program("where3", (g) => {
      const c = g.input("cond", cond.shape, { dtype: "bool" });
      const a = g.input("a", aShape);
      const b = g.input("b", bShape);
      const cotangent = g.input("cotangent", out);
      const y = g.where(c, a, b);
      const [aBar, bBar] = g.vjp([y], [cotangent], [a, b]);
      nodes = { y, aBar, bBar };
      g.entry("run", { fetch: nodes });
    });
    expect(nodes.y.shape).toEqual(out);
    expect(nodes.aBar.shape).toEqual(aShape);
    expect(nodes.bBar.shape).toEqual(bShape);
    const random = seeded(9);
    const feeds = {
      cond: cond.values,
      a: uniform(random, 3),
      b: uniform(random, 4),
      cotangent: uniform(random, 24),
    };
    const expected = reference(feeds.a, feeds.b, feeds.cotangent);
    const [y, aBar, bBar] = interpret([nodes.y, nodes.aBar, nodes.bBar], feeds);
    expectClose(y, expected.y, 1e-12, "interpreted y");
    expectClose(aBar, expected.aBar, 1e-12, "interpreted ā");
    expectClose(bBar, expected.bBar, 1e-12, "interpreted b̄");
    const compiled = await compile(p);
    const outputs = compiled.entry(compiled.create(), "run")(feeds);
    expectClose(outputs.y, expected.y, 1e-12, "compiled y");
    expectClose(outputs.aBar, expected.aBar, 1e-12, "compiled ā");
    expectClose(outputs.bBar, expected.bBar, 1e-12, "compiled b̄");
  });
});
