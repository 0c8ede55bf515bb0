// Cases for the elementwise ops: power, maximum, minimum, and the unary functions and activations.
// Domains stay away from kinks (abs, sign, relu at 0) and ties (maximum, minimum); the kinks and
// ties themselves are checked by hand in test/codegen/elementwise.test.ts.
import type { Build, LeafSpec } from "../../support/gradcheck.ts";
import { scalar, tensor, zip, type OpCase, type OpTable, type Values } from "../kit.ts";

type Unary =
  "expm1" | "log1p" | "square" | "reciprocal" | "abs" | "sign" | "relu" | "sigmoid" | "softplus";

/** Values on both sides of 0, none closer to it than 0.2. */
const bothSides = [-1.7, -0.6, -0.2, 0.3, 0.9, 1.4];

/** A scalar row per range, and a [2,3] row on `values` (or the first range). */
function unaryRows(
  op: Unary,
  fn: (x: number) => number,
  ranges: readonly (readonly [number, number])[],
  values?: readonly number[],
): OpCase[] {
  const build: Build = (g, [x]) => g[op](x);
  const expected = (v: Values) => zip(v, fn);
  const scalars = ranges.map((range) => ({
    label: `scalar in [${range.join(", ")}]`,
    leaves: [scalar("x", range)],
    build,
    shape: [],
    expected,
  }));
  const matrix: LeafSpec = { ...tensor("x", [2, 3], ranges[0]), values };
  return [...scalars, { label: "tensor [2,3]", leaves: [matrix], build, shape: [2, 3], expected }];
}

/** power, maximum and minimum: equal shapes, scalars both ways, [3,1]∘[1,4], and a∘a. */
function binaryRows(
  op: "power" | "maximum" | "minimum",
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
      label: "scalar ∘ tensor",
      leaves: [scalar("a", aRange), tensor("b", [2, 2], bRange)],
      build,
      shape: [2, 2],
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
    {
      label: "one operand used twice, as a param",
      leaves: [{ name: "w", shape: [3], kind: "param", range: aRange }],
      build: (g, [w]) => g[op](w, w),
      shape: [3],
      expected: ([w]) => zip([w, w], fn),
    },
  ];
}

/** max or min against the constant 0, on values away from it. */
function againstZero(op: "maximum" | "minimum", fn: (a: number, b: number) => number): OpCase {
  return {
    label: "against the constant 0",
    leaves: [{ ...tensor("x", [6]), values: bothSides }],
    build: (g, [x]) => g[op](x, 0),
    shape: [6],
    expected: ([x]) => zip([x], (v) => fn(v, 0)),
  };
}

export const elementwiseCases = {
  power: binaryRows("power", (a, b) => Math.pow(a, b), [0.5, 2], [-1.5, 1.5]),
  maximum: [
    ...binaryRows("maximum", (a, b) => (a > b ? a : b), [-1, 1], [-1, 1]),
    againstZero("maximum", (a, b) => (a > b ? a : b)),
  ],
  minimum: [
    ...binaryRows("minimum", (a, b) => (a < b ? a : b), [-1, 1], [-1, 1]),
    againstZero("minimum", (a, b) => (a < b ? a : b)),
  ],
  expm1: unaryRows("expm1", (x) => Math.exp(x) - 1, [[-1, 1]]),
  log1p: unaryRows("log1p", (x) => Math.log(1 + x), [[-0.5, 2]]),
  square: unaryRows("square", (x) => x * x, [[-2, 2]]),
  reciprocal: unaryRows(
    "reciprocal",
    (x) => 1 / x,
    [
      [0.5, 2],
      [-2, -0.5],
    ],
    [-2, -1.1, -0.5, 0.6, 1.3, 2],
  ),
  abs: unaryRows(
    "abs",
    (x) => (x < 0 ? -x : x),
    [
      [0.2, 2],
      [-2, -0.2],
    ],
    bothSides,
  ),
  sign: unaryRows(
    "sign",
    (x) => (x < 0 ? -1 : 1),
    [
      [0.2, 2],
      [-2, -0.2],
    ],
    bothSides,
  ),
  relu: unaryRows(
    "relu",
    (x) => (x > 0 ? x : 0),
    [
      [0.2, 2],
      [-2, -0.2],
    ],
    bothSides,
  ),
  sigmoid: [
    ...unaryRows("sigmoid", (x) => 1 / (1 + Math.exp(-x)), [[-4, 4]]),
    {
      label: "saturated, |x| up to 30",
      leaves: [{ ...tensor("x", [4]), values: [-30, -12, 12, 30] }],
      build: (g, [x]) => g.sigmoid(x),
      shape: [4],
      expected: (v) => zip(v, (x) => 1 / (1 + Math.exp(-x))),
    },
  ],
  softplus: [
    ...unaryRows("softplus", (x) => Math.log(1 + Math.exp(x)), [[-4, 4]]),
    {
      label: "large |x|, up to 30",
      leaves: [{ ...tensor("x", [4]), values: [-30, -12, 12, 30] }],
      build: (g, [x]) => g.softplus(x),
      shape: [4],
      // log(1 + eˣ) = x + log(1 + e^(−x)) for x > 0, written so that nothing overflows
      expected: (v) =>
        zip(v, (x) => (x > 0 ? x + Math.log(1 + Math.exp(-x)) : Math.log(1 + Math.exp(x)))),
    },
  ],
} satisfies OpTable;
