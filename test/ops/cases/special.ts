// Cases for the trigonometric, hyperbolic, special and rounding ops. Expected values come from
// Math's direct formulas (sinh = (eˣ − e⁻ˣ)/2, asin via atan, ...) or from the references in
// test/support/special-reference.ts, never from runtime/special.ts. Step functions are sampled
// away from their jumps, where central differences see their zero slope.
import type { Build, LeafSpec } from "../../support/gradcheck.ts";
import {
  erfTaylor,
  lgammaStirling,
  polygammaEulerMaclaurin,
} from "../../support/special-reference.ts";
import { scalar, tensor, zip, type OpCase, type OpTable, type Values } from "../kit.ts";

type Unary =
  | "tan"
  | "atan"
  | "asin"
  | "acos"
  | "sinh"
  | "cosh"
  | "asinh"
  | "acosh"
  | "atanh"
  | "erf"
  | "erfc"
  | "lgamma"
  | "floor"
  | "ceil"
  | "round";

/** A scalar row and a [2,3] row on the range (or on fixed `values`). */
function rows(
  op: Unary,
  fn: (x: number) => number,
  range: readonly [number, number],
  values?: readonly number[],
  rtol?: number,
): OpCase[] {
  const build: Build = (g, [x]) => g[op](x);
  const expected = (v: Values) => zip(v, fn);
  const matrix: LeafSpec = { ...tensor("x", [2, 3], range), values };
  const tolerance = rtol === undefined ? {} : { rtol };
  return [
    {
      label: `scalar in [${range.join(", ")}]`,
      leaves: [scalar("x", range)],
      build,
      shape: [],
      expected,
      ...tolerance,
    },
    { label: "tensor [2,3]", leaves: [matrix], build, shape: [2, 3], expected, ...tolerance },
  ];
}

/** Equal shapes, tensor ∘ scalar and [3,1] ∘ [1,4]. */
function binaryRows(
  op: "atan2" | "xlogy" | "mod",
  fn: (a: number, b: number) => number,
  aRange: readonly [number, number],
  bRange: readonly [number, number],
): OpCase[] {
  const build: Build = (g, [a, b]) => g[op](a, b);
  const expected = (v: Values) => zip(v, fn);
  return [
    {
      label: "same shape [2,3]",
      leaves: [tensor("a", [2, 3], aRange), tensor("b", [2, 3], bRange)],
      build,
      shape: [2, 3],
      expected,
    },
    {
      label: "tensor ∘ scalar",
      leaves: [tensor("a", [3], aRange), scalar("b", bRange)],
      build,
      shape: [3],
      expected,
    },
    {
      label: "[3,1] ∘ [1,4]",
      leaves: [tensor("a", [3, 1], aRange), tensor("b", [1, 4], bRange)],
      build,
      shape: [3, 4],
      expected: ([a, b]) =>
        Array.from({ length: 12 }, (_, k) => fn(a[Math.floor(k / 4)], b[k % 4])),
    },
  ];
}

/** Values between integers and half-integers, where floor, ceil and round are flat. */
const offGrid = [-2.3, -1.7, -0.2, 0.4, 1.1, 2.8];

const polygammaRow = (order: number): OpCase => ({
  label: `order ${order}`,
  leaves: [tensor("x", [4], [0.6, 4])],
  build: (g, [x]) => g.polygamma(order, x),
  shape: [4],
  expected: (v) => zip(v, (x) => polygammaEulerMaclaurin(order, x)),
});

export const specialCases = {
  tan: rows("tan", (x) => Math.sin(x) / Math.cos(x), [-1.2, 1.2]),
  atan: rows("atan", (x) => Math.asin(x / Math.sqrt(1 + x * x)), [-3, 3]),
  asin: rows("asin", (x) => Math.atan(x / Math.sqrt(1 - x * x)), [-0.9, 0.9]),
  acos: rows("acos", (x) => Math.PI / 2 - Math.atan(x / Math.sqrt(1 - x * x)), [-0.9, 0.9]),
  sinh: rows("sinh", (x) => (Math.exp(x) - Math.exp(-x)) / 2, [-2, 2]),
  cosh: rows("cosh", (x) => (Math.exp(x) + Math.exp(-x)) / 2, [-2, 2]),
  asinh: rows("asinh", (x) => Math.sign(x) * Math.log(Math.abs(x) + Math.sqrt(x * x + 1)), [-3, 3]),
  acosh: rows("acosh", (x) => Math.log(x + Math.sqrt(x * x - 1)), [1.2, 4]),
  atanh: rows("atanh", (x) => 0.5 * Math.log((1 + x) / (1 - x)), [-0.8, 0.8]),
  atan2: [
    ...binaryRows("atan2", (a, b) => Math.atan2(a, b), [-2, 2], [0.3, 2]),
    // the left half plane, a < 0 and a > 0 on both sides of the branch cut
    {
      label: "left half plane, away from the cut",
      leaves: [
        { ...tensor("a", [4]), values: [-1.5, -0.4, 0.4, 1.5] },
        { ...tensor("b", [4]), values: [-1, -2, -2, -1] },
      ],
      build: (g, [a, b]) => g.atan2(a, b),
      shape: [4],
      expected: (v) => zip(v, (a, b) => (a > 0 ? Math.PI : -Math.PI) + Math.atan(a / b)),
    },
  ],
  erf: rows("erf", erfTaylor, [-2, 2]),
  erfc: rows("erfc", (x) => 1 - erfTaylor(x), [-1.5, 2]),
  lgamma: [
    ...rows("lgamma", lgammaStirling, [0.3, 6]),
    {
      label: "negative x between poles: log|Γ(x)| = log(π/|sin πx|) − log Γ(1 − x)",
      leaves: [{ ...tensor("x", [3]), values: [-0.5, -1.3, -2.6] }],
      build: (g, [x]) => g.lgamma(x),
      shape: [3],
      expected: (v) =>
        zip(v, (x) => Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgammaStirling(1 - x)),
    },
  ],
  polygamma: [polygammaRow(0), polygammaRow(1), polygammaRow(2)],
  xlogy: [
    ...binaryRows("xlogy", (x, y) => x * Math.log(y), [-2, 2], [0.3, 3]),
    {
      label: "x = 0 gives 0 (even at y = 0)",
      leaves: [
        { ...tensor("a", [3]), values: [0, 0, 1.5] },
        { ...tensor("b", [3]), values: [0, 2, 0.5] },
      ],
      build: (g, [a, b]) => g.xlogy(a, b),
      shape: [3],
      expected: () => [0, 0, 1.5 * Math.log(0.5)],
      differentiable: false,
    },
  ],
  floor: rows("floor", (x) => x - (((x % 1) + 1) % 1), [-3, 3], offGrid),
  ceil: rows("ceil", (x) => -Math.floor(-x), [-3, 3], offGrid),
  round: [
    ...rows("round", (x) => Math.floor(x + 0.5), [-3, 3], offGrid),
    {
      label: "ties go to the even integer",
      leaves: [{ ...tensor("x", [6]), values: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5] }],
      build: (g, [x]) => g.round(x),
      shape: [6],
      expected: () => [-2, -2, -0, 0, 2, 2],
      differentiable: false,
    },
  ],
  mod: [
    // a/b stays away from integers, where mod jumps
    {
      label: "both signs, the result has the divisor's sign",
      leaves: [
        { ...tensor("a", [4]), values: [5.3, -5.3, 5.3, -5.3] },
        { ...tensor("b", [4]), values: [2, 2, -2, -2] },
      ],
      build: (g, [a, b]) => g.mod(a, b),
      shape: [4],
      // 5.3 − 2·2, −5.3 − 2·(−3), 5.3 − (−2)·(−3), −5.3 − (−2)·2
      expected: ([a, b]) => zip([a, b], (x, y) => x - y * Math.floor(x / y)),
    },
    {
      label: "tensor ∘ scalar",
      leaves: [
        { ...tensor("a", [3]), values: [0.7, 3.9, -2.2] },
        { ...scalar("b"), values: [1.5] },
      ],
      build: (g, [a, b]) => g.mod(a, b),
      shape: [3],
      expected: ([a, b]) => zip([a, b], (x, y) => x - y * Math.floor(x / y)),
    },
  ],
  isFinite: [
    {
      label: "finite, infinite and NaN",
      leaves: [{ ...tensor("x", [4]), values: [1, Infinity, -Infinity, NaN] }],
      build: (g, [x]) => g.isFinite(x),
      shape: [4],
      expected: () => [1, 0, 0, 0],
      differentiable: false,
    },
  ],
  isNaN: [
    {
      label: "finite, infinite and NaN",
      leaves: [{ ...tensor("x", [4]), values: [1, Infinity, -Infinity, NaN] }],
      build: (g, [x]) => g.isNaN(x),
      shape: [4],
      expected: () => [0, 0, 0, 1],
      differentiable: false,
    },
  ],
} satisfies OpTable;
