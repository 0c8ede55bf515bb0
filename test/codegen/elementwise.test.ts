// Generated code for the elementwise and logic ops against the interpreter on seeded inputs (tensor
// loops, broadcast loops and scalar locals, f64 and f32), and both against hand-derived values at
// kinks, ties and extremes: where the central-difference checks of the op table cannot go.
import { describe, expect, it } from "vitest";
import {
  compile,
  interpret,
  program,
  type Node,
  type ProgramBuilder,
} from "../../compiler/index.ts";
import { checkEntry, randomLeaves, type Domains } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

const unaryOps = [
  "expm1",
  "log1p",
  "square",
  "reciprocal",
  "abs",
  "sign",
  "relu",
  "sigmoid",
  "softplus",
] as const;

/** Where each unary op is smooth (reciprocal on both sides of its pole: the domain is shifted). */
const unaryDomains: Domains = {
  x_log1p: [-0.9, 3],
  x_reciprocal: [0.25, 2],
  x_sigmoid: [-30, 30],
  x_softplus: [-30, 30],
};

/** Every unary op on a [2,3] tensor and on a scalar, with its vjp (tensor) and gradient (scalar). */
function unaryProgram(g: ProgramBuilder): void {
  const fetch: Record<string, Node> = {};
  for (const op of unaryOps) {
    const x = g.input(`x_${op}`, [2, 3]);
    const s = g.input(`s_${op}`);
    const xBar = g.input(`ybar_${op}`, [2, 3]);
    const y = g[op](x);
    const ys = g[op](s);
    const [x_bar] = g.vjp([y], [xBar], [x]);
    const s_bar = g.grad(ys, s);
    // second order on the scalar path: d²y/ds²
    const s_bar2 = g.grad(s_bar, s);
    Object.assign(fetch, {
      [`y_${op}`]: y,
      [`ys_${op}`]: ys,
      [`xbar_${op}`]: x_bar,
      [`sbar_${op}`]: s_bar,
      [`sbar2_${op}`]: s_bar2,
    });
  }
  g.entry("run", { fetch });
}

const unaryLeafDomains: Domains = Object.fromEntries(
  unaryOps.flatMap((op) => {
    const domain = unaryDomains[`x_${op}`];
    return domain === undefined ? [] : [[`x_${op}`, domain] as const, [`s_${op}`, domain] as const];
  }),
);

/** Binary, comparison, where, cast and stopGradient nodes over broadcast and scalar operands. */
function mixedProgram(g: ProgramBuilder): void {
  const a = g.input("a", [3, 1]);
  const b = g.input("b", [1, 4]);
  const base = g.input("base", [3, 1]);
  const s = g.input("s");
  const t = g.input("t");
  const cond = g.input("cond", [3, 1], { dtype: "bool" });
  const cotangent = g.input("cotangent", [3, 4]);
  const y = {
    power: g.power(base, b),
    maximum: g.maximum(a, b),
    minimum: g.minimum(a, b),
    lt: g.lt(a, b),
    ge: g.ge(a, b),
    eq: g.eq(g.cast(a, "i32"), g.cast(b, "i32")),
    where: g.where(cond, a, b),
    whereCompared: g.where(g.gt(a, b), g.mul(a, b), g.sin(b)),
    castBool: g.cast(a, "bool"),
    castInt: g.cast(g.mul(a, 3), "i32"),
    stopped: g.mul(g.stopGradient(a), b),
  };
  const fetch: Record<string, Node> = { ...y };
  for (const [name, node] of Object.entries(y)) {
    if (node.dtype !== "f64") continue;
    const [a_bar, b_bar] = g.vjp([node], [cotangent], [name === "power" ? base : a, b]);
    Object.assign(fetch, { [`abar_${name}`]: a_bar, [`bbar_${name}`]: b_bar });
  }
  // rank 0: every op as a scalar local
  const scalars = {
    power_s: g.power(g.abs(s), t),
    maximum_s: g.maximum(s, t),
    minimum_s: g.minimum(s, t),
    le_s: g.le(s, t),
    where_s: g.where(g.lt(s, t), g.exp(s), g.mul(t, t)),
  };
  Object.assign(fetch, scalars);
  for (const [name, node] of Object.entries(scalars)) {
    if (node.dtype !== "f64") continue;
    const [s_bar, t_bar] = g.grad(node, [s, t]);
    Object.assign(fetch, { [`sbar_${name}`]: s_bar, [`tbar_${name}`]: t_bar });
  }
  g.entry("run", { fetch });
}

describe("generated code matches the interpreter", () => {
  it("every unary op: tensor loops, scalar locals, vjps and second derivatives", async () => {
    const p = program("unary", unaryProgram);
    const compiled = await compile(p);
    const instance = compiled.create();
    for (const seed of [1, 2]) {
      const values = randomLeaves(p, seeded(seed), unaryLeafDomains);
      checkEntry(compiled, instance, p, "run", values, 1e-12);
    }
  });

  it("power, maximum, minimum, comparisons, where, cast and stopGradient, broadcast and scalar", async () => {
    const p = program("mixed", mixedProgram);
    const compiled = await compile(p);
    const instance = compiled.create();
    for (const seed of [3, 4]) {
      const values = randomLeaves(p, seeded(seed), { base: [0.5, 2], a: [-2, 2] });
      values.cond = [1, 0, 1];
      // integer-valued a and b in one run, so eq and ge meet ties
      if (seed === 4) {
        values.a = [-1, 0, 1];
        values.b = [1, 0, -1, 0];
      }
      checkEntry(compiled, instance, p, "run", values, 1e-12);
    }
  });

  it("f32: the same ops in a Float32Array arena, to float32 accuracy", async () => {
    const p = program(
      "mixed32",
      (g) => {
        const x = g.input("x", [2, 3]);
        const b = g.input("b", [3]);
        const mask = g.gt(x, b);
        const y = g.sum(
          g.add(
            g.mul(g.sigmoid(x), g.softplus(b)),
            g.where(
              mask,
              g.power(g.square(x), g.relu(b)),
              g.maximum(g.abs(x), g.log1p(g.square(b))),
            ),
          ),
        );
        const [x_bar, b_bar] = g.grad(y, [x, b]);
        g.entry("run", { fetch: { y, x_bar, b_bar, mask: g.cast(mask, "f32") } });
      },
      { dtype: "f32" },
    );
    const compiled = await compile(p);
    expect(compiled.source).not.toContain("Float64Array");
    const instance = compiled.create();
    expect(instance.arena).toBeInstanceOf(Float32Array);
    for (const seed of [5, 6]) {
      const values = randomLeaves(p, seeded(seed), { x: [0.5, 2], b: [-1, 1] }, Math.fround);
      checkEntry(compiled, instance, p, "run", values, 2e-5);
    }
  });
});

/** Runs `body`'s fetches through the interpreter and the generated code, on the same feeds. */
async function bothWays(
  body: (g: ProgramBuilder) => Record<string, Node>,
  feeds: Record<string, number | number[]>,
): Promise<{ interpreted: Record<string, number[]>; compiled: Record<string, number[]> }> {
  let fetch: Record<string, Node> = {};
  const p = program("hand", (g) => {
    fetch = body(g);
    g.entry("run", { fetch });
  });
  const names = Object.keys(fetch);
  const results = interpret(
    names.map((name) => fetch[name]),
    feeds,
  );
  const interpreted = Object.fromEntries(names.map((name, i) => [name, [...results[i]]]));
  const built = await compile(p);
  // written to the views, not fed: feeds must be finite, and some of these values are NaN
  const instance = built.create();
  for (const [name, value] of Object.entries(feeds)) instance.inputs[name].set([value].flat());
  const outputs = built.entry(instance, "run")();
  const compiled = Object.fromEntries(names.map((name) => [name, [...outputs[name]]]));
  return { interpreted, compiled };
}

/** Both ways agree with `want` element by element, to `rtol` (0: exactly, signed zeros aside). */
function expectBoth(
  results: { interpreted: Record<string, number[]>; compiled: Record<string, number[]> },
  want: Record<string, readonly number[]>,
  rtol = 0,
): void {
  for (const [name, expected] of Object.entries(want)) {
    for (const [way, actual] of [
      ["interpreted", results.interpreted[name]],
      ["compiled", results.compiled[name]],
    ] as const) {
      expect(actual.length, `${way} ${name}`).toBe(expected.length);
      expected.forEach((value, i) => {
        const message = `${way} ${name}[${i}] = ${actual[i]}, want ${value}`;
        if (rtol === 0 || !Number.isFinite(value))
          expect(
            actual[i] === value || (Number.isNaN(actual[i]) && Number.isNaN(value)),
            message,
          ).toBe(true);
        else expect(Math.abs(actual[i] - value) <= rtol * Math.abs(value), message).toBe(true);
      });
    }
  }
}

describe("hand-derived values at kinks, ties and extremes (interpreter and generated code)", () => {
  it("sigmoid and softplus neither overflow nor lose the tails for |x| up to 800", async () => {
    const x = [-800, -40, 0, 40, 800];
    const results = await bothWays(
      (g) => {
        const v = g.input("x", [5]);
        const sigmoid = g.sigmoid(v);
        const softplus = g.softplus(v);
        const [dSigmoid] = g.vjp([sigmoid], [g.constant(1, [5])], [v]);
        const [dSoftplus] = g.vjp([softplus], [g.constant(1, [5])], [v]);
        return { sigmoid, softplus, dSigmoid, dSoftplus };
      },
      { x },
    );
    const e40 = Math.exp(-40); // 4.25e-18: 1 + e40 rounds to 1
    expectBoth(
      results,
      {
        // σ(−800) underflows to 0 (no Infinity/Infinity); σ(−40) keeps its relative accuracy;
        // 1 − σ(40) rounds to 0, so the slope y·(1 − y) there is 0 (an absolute error of 4e-18)
        sigmoid: [0, e40, 0.5, 1, 1],
        // log(1 + e^800) would be Infinity; log(1 + e^−40) = e^−40 to full precision
        softplus: [0, e40, Math.LN2, 40, 800],
        dSigmoid: [0, e40, 0.25, 0, 0],
        dSoftplus: [0, e40, 0.5, 1, 1],
      },
      1e-15,
    );
  });

  it("expm1 and log1p keep their digits near 0, and expm1's slope keeps them far below it", async () => {
    const results = await bothWays(
      (g) => {
        const x = g.input("x", [2]);
        const z = g.input("z", [2]);
        const expm1 = g.expm1(x);
        const [slope] = g.vjp([expm1], [g.constant(1, [2])], [x]);
        return { expm1, log1p: g.log1p(z), slope };
      },
      { x: [1e-10, -40], z: [1e-10, -0.5] },
    );
    expectBoth(
      results,
      {
        // e^x − 1 = x + x²/2 + ... ; log(1 + x) = x − x²/2 + ...
        expm1: [1e-10 + 5e-21, Math.exp(-40) - 1],
        log1p: [1e-10 - 5e-21, -Math.LN2],
        // d/dx (eˣ − 1) = eˣ: 4.25e-18 at −40, where y + 1 would round to 0
        slope: [1 + 1e-10, Math.exp(-40)],
      },
      1e-15,
    );
  });

  it("abs, sign and relu at their kinks: the slope taken there is 0", async () => {
    const results = await bothWays(
      (g) => {
        const x = g.input("x", [4]);
        const ones = g.constant(1, [4]);
        const slope = (y: Node) => g.vjp([y], [ones], [x])[0];
        const [abs, sign, relu] = [g.abs(x), g.sign(x), g.relu(x)];
        return { abs, sign, relu, dAbs: slope(abs), dSign: slope(sign), dRelu: slope(relu) };
      },
      { x: [-2, 0, -0, 3] },
    );
    expectBoth(results, {
      abs: [2, 0, 0, 3],
      sign: [-1, 0, 0, 1],
      relu: [0, 0, 0, 3],
      dAbs: [-1, 0, 0, 1],
      dSign: [0, 0, 0, 0],
      dRelu: [0, 0, 0, 1],
    });
  });

  it("maximum and minimum split a tie half and half, to second order", async () => {
    const results = await bothWays(
      (g) => {
        const a = g.input("a", [3]);
        const b = g.input("b", [3]);
        const max = g.sum(g.maximum(a, b));
        const min = g.sum(g.minimum(a, b));
        const [maxA, maxB] = g.grad(max, [a, b]);
        const [minA, minB] = g.grad(min, [a, b]);
        // the shares are piecewise constant: their derivatives vanish
        const [maxAA, maxAB] = g.grad(g.sum(maxA), [a, b]);
        const self = g.grad(g.sum(g.maximum(a, a)), a);
        return { maxA, maxB, minA, minB, maxAA, maxAB, self };
      },
      // a > b, a = b, a < b
      { a: [2, 1, -1], b: [1, 1, 0] },
    );
    expectBoth(results, {
      maxA: [1, 0.5, 0],
      maxB: [0, 0.5, 1],
      minA: [0, 0.5, 1],
      minB: [1, 0.5, 0],
      maxAA: [0, 0, 0],
      maxAB: [0, 0, 0],
      // max(a, a) = a: the two halves add up to slope 1
      self: [1, 1, 1],
    });
  });

  it("power at a zero base, a zero exponent and a negative base", async () => {
    const results = await bothWays(
      (g) => {
        const a = g.input("a", [5]);
        const b = g.input("b", [5]);
        const y = g.power(a, b);
        const [dA, dB] = g.vjp([y], [g.constant(1, [5])], [a, b]);
        return { y, dA, dB };
      },
      { a: [0, 0, 0, 3, -2], b: [2, 0.5, 0, 0, 3] },
    );
    expectBoth(results, {
      // 0², 0^½, 0⁰, 3⁰, (−2)³
      y: [0, 0, 1, 1, -8],
      // 2·0, ½·0^(−½) = ∞, and 0 where b = 0 (a^0 is constant, even at a = 0); 3·(−2)² = 12
      dA: [0, Infinity, 0, 0, 12],
      // 0 where a = 0 (0^b is flat for b > 0), 1·log 3 = log 3, NaN for a negative base
      dB: [0, 0, 0, Math.log(3), NaN],
    });
  });

  it("comparisons, where and cast on ties, signed zeros and NaN", async () => {
    const results = await bothWays(
      (g) => {
        const a = g.input("a", [4]);
        const b = g.input("b", [4]);
        return {
          lt: g.lt(a, b),
          le: g.le(a, b),
          gt: g.gt(a, b),
          ge: g.ge(a, b),
          eq: g.eq(a, b),
          where: g.where(g.ge(a, b), a, b),
          castBool: g.cast(a, "bool"),
          castInt: g.cast(g.mul(a, 2.5), "i32"),
        };
      },
      { a: [1, -0, NaN, -1.5], b: [1, 0, 1, 2] },
    );
    expectBoth(results, {
      lt: [0, 0, 0, 1],
      le: [1, 1, 0, 1],
      gt: [0, 0, 0, 0],
      ge: [1, 1, 0, 0],
      eq: [1, 1, 0, 0],
      where: [1, -0, 1, 2],
      // NaN !== 0, so NaN casts to true
      castBool: [1, 0, 1, 1],
      castInt: [2, 0, NaN, -3],
    });
  });
});
