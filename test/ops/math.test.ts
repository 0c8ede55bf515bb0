// The functions composed from ops (gelu, logaddexp, norm) against their formulas and at their
// edges (0, tails, ties), third derivatives of the new smooth ops against central differences of
// their (checked) second derivatives, and bad calls: clear errors naming the op and the line.
import { describe, expect, it } from "vitest";
import { interpret, program, type Node, type ProgramBuilder } from "../../compiler/index.ts";
import { errorsIn } from "../support/errors.ts";
import { checkGradient, checkHessianVector, checkJvpVjp } from "../support/gradcheck.ts";
import { erfTaylor } from "../support/special-reference.ts";

const expectError = errorsIn(import.meta.url);

/** The fetched values of `body`'s nodes, by the interpreter. */
function evaluate(
  body: (g: ProgramBuilder) => Record<string, Node>,
  leaves: Record<string, number[]> = {},
): Record<string, number[]> {
  let fetch: Record<string, Node> = {};
  program("p", (g) => {
    fetch = body(g);
    g.entry("run", { fetch });
  });
  const names = Object.keys(fetch);
  const results = interpret(
    names.map((name) => fetch[name]),
    leaves,
  );
  return Object.fromEntries(names.map((name, i) => [name, [...results[i]]]));
}

describe("gelu", () => {
  const xs = [-3, -0.7, 0, 0.4, 2.5];

  it("exact: x·Φ(x), and in the far left tail x·Φ(x) rather than 0", () => {
    const { y, tail } = evaluate(
      (g) => {
        const x = g.input("x", [5]);
        return { y: g.gelu(x), tail: g.gelu(g.constant(-10)) };
      },
      { x: xs },
    );
    xs.forEach((x, i) => expect(y[i]).toBeCloseTo(0.5 * x * (1 + erfTaylor(x / Math.SQRT2)), 14));
    // Φ(−10) = erfc(10/√2)/2 = 7.6198530241605269e-24 (mpmath, mp.ncdf(-10))
    expect(Math.abs(tail[0] / (-10 * 7.6198530241605269e-24) - 1)).toBeLessThan(1e-14);
  });

  it("tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))", () => {
    const { y } = evaluate((g) => ({ y: g.gelu(g.input("x", [5]), { approximate: "tanh" }) }), {
      x: xs,
    });
    const c = Math.sqrt(2 / Math.PI);
    xs.forEach((x, i) =>
      expect(y[i]).toBeCloseTo(0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x ** 3))), 14),
    );
  });

  it("both forms pass the derivative checks", () => {
    for (const approximate of ["none", "tanh"] as const) {
      const leaves = [{ name: "x", shape: [4], range: [-3, 3] as const }];
      const build = (g: ProgramBuilder, [x]: readonly Node[]) => g.gelu(x, { approximate });
      checkGradient(leaves, build);
      checkHessianVector(leaves, build);
      checkJvpVjp(leaves, build);
    }
  });
});

describe("logaddexp", () => {
  it("is log(eᵃ + eᵇ) without overflow, −∞ for two −∞, broadcasting", () => {
    const { y, big, negative } = evaluate(
      (g) => {
        const a = g.input("a", [3]);
        const b = g.input("b");
        return {
          y: g.logaddexp(a, b),
          big: g.logaddexp(g.constant(1000), g.constant(1000)),
          negative: g.logaddexp(g.constant(-Infinity), g.constant(-Infinity)),
        };
      },
      { a: [-1, 0.5, 3], b: [0.25] },
    );
    [-1, 0.5, 3].forEach((a, i) =>
      expect(y[i]).toBeCloseTo(Math.log(Math.exp(a) + Math.exp(0.25)), 14),
    );
    expect(big[0]).toBeCloseTo(1000 + Math.LN2, 12);
    expect(negative[0]).toBe(-Infinity);
  });

  it("passes the derivative checks, and splits the gradient evenly on a tie", () => {
    const leaves = [
      { name: "a", shape: [3] },
      { name: "b", shape: [3] },
    ];
    const build = (g: ProgramBuilder, [a, b]: readonly Node[]) => g.logaddexp(a, b);
    checkGradient(leaves, build);
    checkHessianVector(leaves, build);
    checkJvpVjp(leaves, build);
    const { da, db, d2 } = evaluate(
      (g) => {
        const a = g.input("a");
        const y = g.logaddexp(a, g.constant(2));
        const da = g.grad(y, a);
        return { da, db: g.grad(g.logaddexp(2, a), a), d2: g.grad(da, a) };
      },
      { a: [2] },
    );
    // ∂/∂a = eᵃ/(eᵃ + eᵇ) = ½, ∂²/∂a² = p(1 − p) = ¼ at a = b
    expect(da[0]).toBeCloseTo(0.5, 15);
    expect(db[0]).toBeCloseTo(0.5, 15);
    expect(d2[0]).toBeCloseTo(0.25, 15);
  });
});

describe("norm", () => {
  const x = [3, -4, 0, 12, 0, -5];

  it("ord 1, 2 and ∞ over all axes, one axis, and with keepDims", () => {
    const out = evaluate(
      (g) => {
        const v = g.input("x", [2, 3]);
        return {
          one: g.norm(v, { ord: 1 }),
          two: g.norm(v),
          inf: g.norm(v, { ord: Infinity }),
          rows: g.norm(v, { axes: 1 }),
          kept: g.norm(v, { axes: [0], keepDims: true }),
          huge: g.norm(g.constant([3e200, 4e200], [2])),
          tiny: g.norm(g.constant([3e-200, 4e-200], [2])),
        };
      },
      { x },
    );
    expect(out.one).toEqual([24]);
    expect(out.two[0]).toBeCloseTo(Math.sqrt(9 + 16 + 144 + 25), 13);
    expect(out.inf).toEqual([12]);
    expect(out.rows).toEqual([5, 13]);
    expect(out.kept.map((v) => Math.round(v * 1e12) / 1e12)).toEqual([
      Math.round(Math.hypot(3, 12) * 1e12) / 1e12,
      4,
      5,
    ]);
    // the squares would overflow or underflow: the norm is scaled by max|x|
    expect(out.huge[0] / 5e200).toBeCloseTo(1, 15);
    expect(out.tiny[0] / 5e-200).toBeCloseTo(1, 15);
  });

  it("has the zero subgradient at 0 for every ord, in first and second order", () => {
    for (const ord of [1, 2, Infinity]) {
      const { grad, hvp } = evaluate(
        (g) => {
          const v = g.input("x", [3]);
          const grad = g.grad(g.norm(v, { ord }), v);
          return { grad, hvp: g.grad(g.sum(g.mul(grad, g.constant([1, 2, 3], [3]))), v) };
        },
        { x: [0, 0, 0] },
      );
      expect(grad, `ord ${ord}`).toEqual([0, 0, 0]);
      expect(hvp, `ord ${ord}`).toEqual([0, 0, 0]);
    }
  });

  it("has gradient x/‖x‖ and Hessian (I − x̂x̂ᵀ)/‖x‖ away from 0 (ord 2), and passes the checks", () => {
    const leaves = [{ name: "x", shape: [2, 3], range: [0.3, 2] as const }];
    for (const ord of [1, 2, Infinity]) {
      const build = (g: ProgramBuilder, [v]: readonly Node[]) => g.norm(v, { ord, axes: 1 });
      checkGradient(leaves, build);
      checkJvpVjp(leaves, build);
      if (ord === 2) checkHessianVector(leaves, build);
    }
    const point = [1, 2, 2];
    const { hessian } = evaluate(
      (g) => {
        const v = g.input("x", [3]);
        return { hessian: g.hessian(g.norm(v), v) };
      },
      { x: point },
    );
    // ‖x‖ = 3: H = (I − xxᵀ/9)/3
    const expected = point.flatMap((a, i) =>
      point.map((b, j) => ((i === j ? 1 : 0) - (a * b) / 9) / 3),
    );
    hessian.forEach((h, k) => expect(h).toBeCloseTo(expected[k], 14));
  });
});

describe("closed forms of the trigonometric and hyperbolic ops, to 1e-14", () => {
  it("match exact values (π/4, π/6, ln 2, ...), through the ops", () => {
    const ln2 = Math.LN2;
    // sinh(ln 2) = 3/4, cosh(ln 2) = 5/4, tanh⁻¹(3/5) = ln 2, and their inverses
    const { y } = evaluate((g) => ({
      y: g.concat([
        g.reshape(g.atan(g.constant(1)), [1]),
        g.reshape(g.asin(g.constant(0.5)), [1]),
        g.reshape(g.acos(g.constant(0.5)), [1]),
        g.reshape(g.sinh(g.constant(ln2)), [1]),
        g.reshape(g.cosh(g.constant(ln2)), [1]),
        g.reshape(g.asinh(g.constant(0.75)), [1]),
        g.reshape(g.acosh(g.constant(1.25)), [1]),
        g.reshape(g.atanh(g.constant(0.6)), [1]),
        g.reshape(g.atan2(g.constant(1), g.constant(-1)), [1]),
        g.reshape(g.tan(g.constant(Math.PI / 3)), [1]),
      ]),
    }));
    const want = [
      Math.PI / 4,
      Math.PI / 6,
      Math.PI / 3,
      0.75,
      1.25,
      ln2,
      ln2,
      ln2,
      (3 * Math.PI) / 4,
      Math.sqrt(3),
    ];
    want.forEach((w, i) => expect(Math.abs(y[i] - w) / w, `value ${i}`).toBeLessThan(1e-14));
  });

  it("atan2 has gradient 0 at the origin; xlogy's gradient in y is 0 where x = 0", () => {
    const { atanGrad, dy, dyAtZero, mixed } = evaluate(
      (g) => {
        const a = g.input("a");
        const b = g.input("b");
        const x = g.input("x");
        const y = g.input("y");
        const yZero = g.input("yZero");
        const dy = g.grad(g.xlogy(x, y), y);
        return {
          atanGrad: g.concat(g.grad(g.atan2(a, b), [a, b]).map((d) => g.reshape(d, [1]))),
          dy,
          dyAtZero: g.grad(g.xlogy(x, yZero), yZero),
          // ∂²(x·log y)/∂x∂y = 1/y, also at x = 0
          mixed: g.grad(dy, x),
        };
      },
      { a: [0], b: [0], x: [0], y: [2], yZero: [0] },
    );
    expect(atanGrad.map((v) => v + 0)).toEqual([0, 0]);
    expect(dy).toEqual([0]);
    expect(dyAtZero).toEqual([0]);
    expect(mixed).toEqual([0.5]);
  });
});

describe("cumprod", () => {
  it("is the running product, either way, and its gradient is exact with zeros", () => {
    const x = [2, 0, 3, -1];
    const { forward, backward, grad } = evaluate(
      (g) => {
        const v = g.input("x", [4]);
        const forward = g.cumprod(v);
        const weights = g.constant([1, 2, 3, 4], [4]);
        return {
          forward,
          backward: g.cumprod(v, 0, true),
          grad: g.grad(g.sum(g.mul(forward, weights)), v),
        };
      },
      { x },
    );
    // (+ 0 folds the signed zeros of products like 0·3·(−1) into +0)
    expect(forward.map((v) => v + 0)).toEqual([2, 0, 0, 0]);
    expect(backward.map((v) => v + 0)).toEqual([0, 0, -3, -1]);
    // ∂/∂x_i Σ_j w_j Π_{k≤j} x_k = Σ_{j≥i} w_j Π_{k≤j, k≠i} x_k, by hand at x = [2, 0, 3, −1]:
    // i = 0: 1 + 0 + 0 + 0; i = 1: 2·2 + 3·2·3 + 4·2·3·(−1) = 4 + 18 − 24; i = 2, 3: 0
    expect(grad).toEqual([1, -2, 0, 0]);
  });

  it("passes the derivative checks along either axis, with a zero among the entries", () => {
    const leaves = [{ name: "x", shape: [2, 3], values: [0.5, 0, -1.3, 2, 0.7, 1.1] }];
    for (const [axis, reverse] of [
      [1, false],
      [0, true],
    ] as const) {
      const build = (g: ProgramBuilder, [v]: readonly Node[]) => g.cumprod(v, axis, reverse);
      checkGradient(leaves, build);
      checkHessianVector(leaves, build);
      checkJvpVjp(leaves, build);
    }
  });
});

describe("third derivatives of the smooth new ops", () => {
  // f''' by the program, against central differences of f'' (itself checked in the op table)
  const cases: [string, (g: ProgramBuilder, x: Node) => Node, number[]][] = [
    ["tan", (g, x) => g.tan(x), [-1, 0.3, 1.1]],
    ["atan", (g, x) => g.atan(x), [-2, 0.1, 1.5]],
    ["asin", (g, x) => g.asin(x), [-0.7, 0.2, 0.8]],
    ["acos", (g, x) => g.acos(x), [-0.7, 0.2, 0.8]],
    ["sinh", (g, x) => g.sinh(x), [-1.5, 0.2, 2]],
    ["cosh", (g, x) => g.cosh(x), [-1.5, 0.2, 2]],
    ["asinh", (g, x) => g.asinh(x), [-2, 0.3, 3]],
    ["acosh", (g, x) => g.acosh(x), [1.3, 2, 4]],
    ["atanh", (g, x) => g.atanh(x), [-0.6, 0.1, 0.7]],
    ["atan2", (g, x) => g.atan2(x, g.mul(x, x)), [0.5, 1.3, 2]],
    ["erf", (g, x) => g.erf(x), [-1.5, 0.2, 2.5]],
    ["erfc", (g, x) => g.erfc(x), [-1, 0.5, 4]],
    ["lgamma", (g, x) => g.lgamma(x), [0.4, 1.7, 6]],
    ["digamma", (g, x) => g.digamma(x), [0.4, 1.7, 6]],
    ["xlogy", (g, x) => g.xlogy(g.sin(x), x), [0.5, 1.3, 2]],
  ];
  for (const [name, f, points] of cases) {
    it(name, () => {
      let second: Node | undefined;
      let third: Node | undefined;
      program("third", (g) => {
        const x = g.input("x");
        second = g.grad(g.grad(f(g, x), x), x);
        third = g.grad(second, x);
        g.entry("all", { fetch: { second, third } });
      });
      for (const x of points) {
        const h = 1e-5;
        const at = (v: number) => interpret([second!], { x: [v] })[0][0];
        const difference = (at(x + h) - at(x - h)) / (2 * h);
        const actual = interpret([third!], { x: [x] })[0][0];
        expect(Math.abs(actual - difference), `${name}''' at ${x}`).toBeLessThanOrEqual(
          1e-6 * Math.max(1, Math.abs(difference)),
        );
      }
    });
  }
});

describe("bad input", () => {
  it("a wrong dtype, a bad option or a bad order names the op and the line", () => {
    expectError(
      (g) => {
        g.erf(g.input("labels", [3], { dtype: "i32" })); // @erfDtype
      },
      ["erf", "i32", "expected f64"],
      "erfDtype",
    );
    expectError(
      (g) => {
        g.isNaN(g.input("mask", [2], { dtype: "bool" })); // @isNaNDtype
      },
      ["isNaN", "bool", "expected f64"],
      "isNaNDtype",
    );
    expectError(
      (g) => {
        g.mod(g.input("a", [2]), g.input("b", [3])); // @modShapes
      },
      ["mod", "[2] and [3] do not broadcast"],
      "modShapes",
    );
    expectError(
      (g) => {
        g.norm(g.input("x", [3]), { ord: 3 }); // @normOrd
      },
      ["norm: ord must be 1, 2 or Infinity, got 3"],
      "normOrd",
    );
    expectError(
      (g) => {
        g.norm(g.input("x", [3]), { axes: 1 }); // @normAxes
      },
      ["norm: axis 1 is out of range for rank 1"],
      "normAxes",
    );
    expectError(
      (g) => {
        g.gelu(g.input("x", [3]), { approximate: "erf" as "tanh" }); // @geluOption
      },
      ['gelu: approximate must be "none" or "tanh", got the string "erf"'],
      "geluOption",
    );
    expectError(
      (g) => {
        g.polygamma(1.5, g.input("x", [3])); // @polygammaOrder
      },
      ["polygamma: the order must be an integer from 0 to 20, got 1.5"],
      "polygammaOrder",
    );
    expectError(
      (g) => {
        g.argmax(g.input("x", [2, 3]), 2); // @argmaxAxis
      },
      ["argmax: axis 2 is out of range for rank 2"],
      "argmaxAxis",
    );
    expectError(
      (g) => {
        g.cumsum(g.input("i", [3], { dtype: "i32" })); // @cumsumDtype
      },
      ["cumsum", "i32", "expected f64"],
      "cumsumDtype",
    );
    expectError(
      (g) => {
        g.logaddexp(g.input("a", [2]), g.input("b", [3])); // @logaddexpShapes
      },
      ["logaddexp: shapes [2] and [3] do not broadcast"],
      "logaddexpShapes",
    );
  });
});
