// The special functions against known values to 1e-14 relative: closed forms where there are
// (log Γ(½) = log √π, ψ(1) = −γ, ψ'(1) = π²/6, ...), elsewhere values of mpmath 1.3.0 at 40
// significant digits (mp.erf, mp.erfc, mp.loggamma, mp.psi), printed to 20 and pasted here. The
// same functions run in the interpreter and in generated code (runtime/special.ts), checked here
// through the DSL and against the interpreter in test/codegen/special.test.ts.
import { describe, expect, it } from "vitest";
import { erf, erfc, floorMod, lgamma, polygamma, roundHalfEven } from "../../runtime/special.ts";

const eulerGamma = 0.57721566490153286061; // γ, OEIS A001620
const apery = 1.2020569031595942854; // ζ(3), OEIS A002117
const sqrtPi = Math.sqrt(Math.PI);

function expectRelative(actual: number, expected: number, rtol: number, label: string): void {
  const error = Math.abs(actual - expected) / Math.abs(expected);
  expect(error, `${label}: got ${actual}, want ${expected}`).toBeLessThanOrEqual(rtol);
}

/** log((n − 1)!) summed from logs, each rounded once: good to a few units in 1e-16 per term. */
function logFactorial(n: number): number {
  let sum = 0;
  for (let k = 2; k <= n; k++) sum += Math.log(k);
  return sum;
}

describe("erf and erfc", () => {
  // mpmath: mp.erf(x), mp.erfc(x) at mp.dps = 40
  const erfTable: [number, number][] = [
    [0.1, 0.1124629160182848922],
    [0.5, 0.52049987781304653768],
    [1, 0.84270079294971486934],
    [1.5, 0.96610514647531072707],
    [2, 0.99532226501895273416],
    [2.5, 0.99959304798255504106],
    [3, 0.99997790950300141456],
    [4, 0.99999998458274209972],
  ];
  const erfcTable: [number, number][] = [
    [-3.5, 1.9999992569016276586],
    [-1.5, 1.9661051464753107271],
    [0.5, 0.47950012218695346232],
    [1, 0.15729920705028513066],
    [2, 0.0046777349810472658379],
    [3, 0.000022090496998585441373],
    [5, 1.5374597944280348502e-12],
    [10, 2.088487583762544757e-45],
    [15, 7.2129941724512066666e-100],
    [20, 5.3958656116079009289e-176],
    [26, 5.6631924088561428465e-296],
  ];

  it("erf matches mpmath to 1e-14, and is odd", () => {
    for (const [x, value] of erfTable) {
      expectRelative(erf(x), value, 1e-14, `erf(${x})`);
      expect(erf(-x)).toBe(-erf(x));
    }
    expect(erf(0)).toBe(0);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });

  it("erfc matches mpmath to 1e-14 through the right tail, down to 1e-296", () => {
    for (const [x, value] of erfcTable) expectRelative(erfc(x), value, 1e-14, `erfc(${x})`);
    expect(erfc(30)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
  });

  it("erfc agrees with its asymptotic series where x² is exact, 6 ≤ x ≤ 26", () => {
    // erfc x = e^(−x²)/(x√π)·Σ (−1)ⁿ(2n−1)!!/(2x²)ⁿ, truncated at its smallest term (error ~e^(−x²))
    for (let x = 6; x <= 26; x += 0.25) {
      let term = 1;
      let sum = 1;
      for (let n = 1; n < x * x; n++) {
        const next = (-term * (2 * n - 1)) / (2 * x * x);
        if (Math.abs(next) > Math.abs(term)) break;
        term = next;
        sum += term;
      }
      const expected = (Math.exp(-x * x) / (x * sqrtPi)) * sum;
      expectRelative(erfc(x), expected, 1e-14, `erfc(${x})`);
    }
  });
});

describe("lgamma", () => {
  it("matches closed forms: log Γ(n) = log (n − 1)!, log Γ(n + ½) = log((2n)!√π/(4ⁿn!))", () => {
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
    expectRelative(lgamma(0.5), Math.log(sqrtPi), 1e-14, "lgamma(1/2)");
    expectRelative(lgamma(1.5), Math.log(sqrtPi / 2), 1e-14, "lgamma(3/2)");
    expectRelative(lgamma(2.5), Math.log((3 * sqrtPi) / 4), 1e-14, "lgamma(5/2)");
    expectRelative(lgamma(3), Math.LN2, 1e-14, "lgamma(3)");
    for (const n of [4, 7, 11, 20, 50, 171]) {
      expectRelative(lgamma(n), logFactorial(n - 1), 1e-14, `lgamma(${n})`);
    }
    // Γ(−½) = −2√π, Γ(−3/2) = 4√π/3, Γ(−5/2) = −8√π/15
    expectRelative(lgamma(-0.5), Math.log(2 * sqrtPi), 1e-14, "lgamma(-1/2)");
    expectRelative(lgamma(-1.5), Math.log((4 * sqrtPi) / 3), 1e-14, "lgamma(-3/2)");
  });

  it("matches mpmath (mp.loggamma) elsewhere, and is +∞ at the poles", () => {
    const table: [number, number][] = [
      [0.001, 6.9071788853838536825],
      [3.7, 1.4280723266653879219],
      [100.5, 361.43554046777762156],
      [100000, 1051287.7089736568949],
      [-2.5, -0.056243716497674050673],
    ];
    for (const [x, value] of table) expectRelative(lgamma(x), value, 1e-14, `lgamma(${x})`);
    for (const pole of [0, -1, -7]) expect(lgamma(pole)).toBe(Infinity);
  });
});

describe("polygamma", () => {
  it("digamma matches ψ(1) = −γ, ψ(½) = −γ − 2 log 2, ψ(n) = −γ + H(n − 1)", () => {
    expectRelative(polygamma(0, 1), -eulerGamma, 1e-14, "ψ(1)");
    expectRelative(polygamma(0, 0.5), -eulerGamma - 2 * Math.LN2, 1e-14, "ψ(1/2)");
    let harmonic = 0;
    for (let n = 2; n <= 30; n++) {
      harmonic += 1 / (n - 1);
      expectRelative(polygamma(0, n), -eulerGamma + harmonic, 1e-14, `ψ(${n})`);
    }
    // reflection ψ(1 − x) − ψ(x) = π·cot πx, 0 at x = −3/2: ψ(−3/2) = ψ(5/2) = −γ − 2 log 2 + 2 + 2/3
    const psiFiveHalves = -eulerGamma - 2 * Math.LN2 + 2 + 2 / 3;
    expectRelative(polygamma(0, -1.5), psiFiveHalves, 1e-14, "ψ(-3/2)");
  });

  it("trigamma and beyond: ψ'(1) = π²/6, ψ'(½) = π²/2, ψ''(1) = −2ζ(3), ψ'''(1) = π⁴/15", () => {
    expectRelative(polygamma(1, 1), Math.PI ** 2 / 6, 1e-14, "ψ'(1)");
    expectRelative(polygamma(1, 0.5), Math.PI ** 2 / 2, 1e-14, "ψ'(1/2)");
    expectRelative(polygamma(2, 1), -2 * apery, 1e-14, "ψ''(1)");
    expectRelative(polygamma(3, 1), Math.PI ** 4 / 15, 1e-14, "ψ'''(1)");
  });

  it("matches mpmath (mp.psi) elsewhere; poles are +∞ for odd orders, NaN for even", () => {
    const table: [number, number, number][] = [
      [3.7, 1.1671535393615113859, 0.3100378576700383191],
      [0.25, -4.2274535333762654081, 17.197329154507110739],
      [100, 4.6001618527380874002, 0.010050166663333571395],
    ];
    for (const [x, psi, trigamma] of table) {
      expectRelative(polygamma(0, x), psi, 1e-14, `ψ(${x})`);
      expectRelative(polygamma(1, x), trigamma, 1e-14, `ψ'(${x})`);
    }
    expect(polygamma(1, -2)).toBe(Infinity);
    expect(polygamma(0, 0)).toBeNaN();
  });
});

describe("rounding helpers", () => {
  it("round half to even, keeping the sign of zero", () => {
    const cases: [number, number][] = [
      [0.5, 0],
      [1.5, 2],
      [2.5, 2],
      [-0.5, -0],
      [-1.5, -2],
      [-2.5, -2],
      [2.4999999999999996, 2],
      [0.49999999999999994, 0],
      [-3.7, -4],
      [4503599627370497, 4503599627370497],
    ];
    for (const [x, want] of cases)
      expect(Object.is(roundHalfEven(x), want), `round(${x})`).toBe(true);
  });

  it("mod takes the divisor's sign (Python's %), exactly", () => {
    expect(floorMod(5, 3)).toBe(2);
    expect(floorMod(-5, 3)).toBe(1);
    expect(floorMod(5, -3)).toBe(-1);
    expect(floorMod(-5, -3)).toBe(-2);
    expect(Object.is(floorMod(-6, 3), 0)).toBe(true);
    expect(Object.is(floorMod(6, -3), -0)).toBe(true);
    // 0.1 is not exactly 1/10: the remainder is exact, unlike 5.3 − 0.1·floor(5.3/0.1)
    expect(floorMod(5.3, 0.1)).toBe(5.3 % 0.1);
    expect(floorMod(1, 0)).toBeNaN();
  });
});
