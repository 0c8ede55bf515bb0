// Cases for the logic ops: comparisons (values only: their output is bool), where, cast and
// stopGradient. Comparisons run on fixed values with ties, so le, ge and eq differ from lt and gt.
import type { Build, LeafSpec } from "../../support/gradcheck.ts";
import { scalar, tensor, zip, type OpCase, type OpTable, type Values } from "../kit.ts";

type Comparison = "lt" | "le" | "gt" | "ge" | "eq";

const left = [-1, 0.5, 2, 3, -0.25, 7];
const right = [-1, 1, 2, -3, -0.5, 7];

/** Equal shapes with ties, [3,1]∘[1,4] (ties included), a scalar constant, and integer labels. */
function comparisonRows(op: Comparison, holds: (a: number, b: number) => boolean): OpCase[] {
  const bit = (a: number, b: number) => (holds(a, b) ? 1 : 0);
  return [
    {
      label: "same shape [2,3], with ties",
      leaves: [
        { ...tensor("a", [2, 3]), values: left },
        { ...tensor("b", [2, 3]), values: right },
      ],
      build: (g, [a, b]) => g[op](a, b),
      shape: [2, 3],
      expected: (v) => zip(v, bit),
      differentiable: false,
    },
    {
      label: "[3,1] ∘ [1,4]",
      leaves: [
        { ...tensor("a", [3, 1]), values: [0, 1, 2] },
        { ...tensor("b", [1, 4]), values: [2, 1, 0, -1] },
      ],
      build: (g, [a, b]) => g[op](a, b),
      shape: [3, 4],
      expected: ([a, b]) =>
        Array.from({ length: 12 }, (_, k) => bit(a[Math.floor(k / 4)], b[k % 4])),
      differentiable: false,
    },
    {
      label: "tensor ∘ the constant 0.5",
      leaves: [{ ...tensor("a", [4]), values: [-1, 0.5, 0.75, 0] }],
      build: (g, [a]) => g[op](a, 0.5),
      shape: [4],
      expected: ([a]) => zip([a], (x) => bit(x, 0.5)),
      differentiable: false,
    },
    {
      label: "i32 labels against a float",
      leaves: [{ ...tensor("labels", [4]), dtype: "i32", values: [0, 1, 2, 3] }],
      build: (g, [labels]) => g[op](labels, 2),
      shape: [4],
      expected: ([labels]) => zip([labels], (x) => bit(x, 2)),
      differentiable: false,
    },
  ];
}

const mask: LeafSpec = { ...tensor("c", [2, 3]), dtype: "bool", values: [1, 0, 0, 1, 1, 0] };

const selectWhere: Build = (g, [c, a, b]) => g.where(c, a, b);
const pick = ([c, a, b]: Values) => zip([c, a, b], (ci, ai, bi) => (ci !== 0 ? ai : bi));

export const logicCases = {
  lt: comparisonRows("lt", (a, b) => a < b),
  le: comparisonRows("le", (a, b) => a <= b),
  gt: comparisonRows("gt", (a, b) => a > b),
  ge: comparisonRows("ge", (a, b) => a >= b),
  eq: [
    ...comparisonRows("eq", (a, b) => a === b),
    {
      label: "bool with bool",
      leaves: [
        { ...tensor("p", [4]), dtype: "bool", values: [0, 1, 0, 1] },
        { ...tensor("q", [4]), dtype: "bool", values: [0, 0, 1, 1] },
      ],
      build: (g, [p, q]) => g.eq(p, q),
      shape: [4],
      expected: () => [1, 0, 0, 1],
      differentiable: false,
    },
  ],
  where: [
    {
      label: "bool input, same shapes [2,3]",
      leaves: [mask, tensor("a", [2, 3]), tensor("b", [2, 3])],
      build: selectWhere,
      shape: [2, 3],
      expected: pick,
    },
    {
      label: "cond [3,1], a [1,4], b scalar",
      leaves: [
        { ...tensor("c", [3, 1]), dtype: "bool", values: [1, 0, 1] },
        tensor("a", [1, 4]),
        scalar("b"),
      ],
      build: selectWhere,
      shape: [3, 4],
      expected: ([c, a, b]) =>
        Array.from({ length: 12 }, (_, k) => (c[Math.floor(k / 4)] !== 0 ? a[k % 4] : b[0])),
    },
    {
      label: "cond [4] broadcast over a [2,4] and b [2,1]",
      leaves: [
        { ...tensor("c", [4]), dtype: "bool", values: [0, 1, 1, 0] },
        tensor("a", [2, 4]),
        tensor("b", [2, 1]),
      ],
      build: selectWhere,
      shape: [2, 4],
      expected: ([c, a, b]) =>
        Array.from({ length: 8 }, (_, k) => (c[k % 4] !== 0 ? a[k] : b[Math.floor(k / 4)])),
    },
    {
      label: "where(x > 0, x², −x): the condition depends on x",
      leaves: [{ ...tensor("x", [6]), values: [-1.7, -0.6, -0.2, 0.3, 0.9, 1.4] }],
      build: (g, [x]) => g.where(g.gt(x, 0), g.mul(x, x), g.neg(x)),
      shape: [6],
      expected: ([x]) => zip([x], (v) => (v > 0 ? v * v : -v)),
    },
  ],
  cast: [
    {
      label: "f64 to bool (nonzero is true)",
      leaves: [{ ...tensor("x", [5]), values: [0, -0, 0.5, -2, 1e-300] }],
      build: (g, [x]) => g.cast(x, "bool"),
      shape: [5],
      expected: () => [0, 0, 1, 1, 1],
      differentiable: false,
    },
    {
      label: "f64 to i32 (truncates toward zero)",
      leaves: [{ ...tensor("x", [5]), values: [2.7, -2.7, 0.5, -0.5, 3] }],
      build: (g, [x]) => g.cast(x, "i32"),
      shape: [5],
      expected: () => [2, -2, 0, 0, 3],
      differentiable: false,
    },
    {
      label: "bool mask to f64, times x (the gradient reaches x only)",
      leaves: [mask, tensor("x", [2, 3])],
      build: (g, [c, x]) => g.mul(g.cast(c, "f64"), x),
      shape: [2, 3],
      expected: ([c, x]) => zip([c, x], (ci, xi) => ci * xi),
    },
    {
      label: "i32 labels to f64, times x",
      leaves: [{ ...tensor("k", [3]), dtype: "i32", values: [2, 0, -1] }, tensor("x", [3])],
      build: (g, [k, x]) => g.mul(g.cast(k, "f64"), x),
      shape: [3],
      expected: ([k, x]) => zip([k, x], (ki, xi) => ki * xi),
    },
  ],
  finiteOrZero: [
    {
      label: "finite values pass unchanged",
      leaves: [tensor("x", [2, 3])],
      build: (g, [x]) => g.finiteOrZero(g.mul(x, 3)),
      shape: [2, 3],
      expected: ([x]) => zip([x], (v) => v * 3),
    },
    {
      label: "±∞ and NaN become 0, −0 becomes +0",
      leaves: [tensor("x", [4])],
      build: (g, [x]) =>
        g.add(g.finiteOrZero(g.constant([Infinity, -Infinity, NaN, -0], [4])), g.mul(x, 0)),
      shape: [4],
      expected: ([x]) => zip([x], (v) => v * 0),
      differentiable: false,
    },
  ],
  stopGradient: [
    {
      // its gradient is tested in test/ops/logic.test.ts: central differences see through it
      label: "the value passes unchanged",
      leaves: [tensor("x", [2, 3])],
      build: (g, [x]) => g.stopGradient(g.mul(x, 3)),
      shape: [2, 3],
      expected: ([x]) => zip([x], (v) => v * 3),
      differentiable: false,
    },
  ],
} satisfies OpTable;
