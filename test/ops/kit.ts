// The vocabulary of the op tables: a case builds one op from random leaves and says, by an
// independent formula, what it must compute.
import type { OpName } from "../../compiler/ir/node.ts";
import type { Shape } from "../../compiler/ir/shape.ts";
import type { Build, LeafSpec } from "../support/gradcheck.ts";

export type Differentiable = Exclude<OpName, "input" | "param" | "const">;
export type Values = readonly Float64Array[];

export interface OpCase {
  readonly label: string;
  readonly leaves: readonly LeafSpec[];
  readonly build: Build;
  /** The output shape, by hand. */
  readonly shape: Shape;
  /** The output computed from the leaf values without the op records. */
  readonly expected: (values: Values) => ArrayLike<number>;
  /** False for ops with no derivative (comparisons, integer outputs): only the value is checked. */
  readonly differentiable?: false;
  /** Relative tolerance of the derivative checks, when the default 1e-6 is too tight. */
  readonly rtol?: number;
}

/** A table of cases for some ops; the tables together must cover every op. */
export type OpTable = Partial<Record<Differentiable, readonly OpCase[]>>;

export const scalar = (name: string, range?: readonly [number, number]): LeafSpec => ({
  name,
  range,
});
export const tensor = (
  name: string,
  shape: Shape,
  range?: readonly [number, number],
): LeafSpec => ({
  name,
  shape,
  range,
});

/** fn applied elementwise, a one-element value standing for a scalar (no case uses shape [1]). */
export function zip(values: Values, fn: (...args: number[]) => number): number[] {
  const size = Math.max(...values.map((value) => value.length));
  return Array.from({ length: size }, (_, i) =>
    fn(...values.map((value) => (value.length === 1 ? value[0] : value[i]))),
  );
}

export function unaryCases(
  op: "neg" | "exp" | "log" | "sin" | "cos" | "tanh" | "sqrt",
  fn: (x: number) => number,
  range: readonly [number, number],
): OpCase[] {
  return [
    {
      label: "scalar",
      leaves: [scalar("x", range)],
      build: (g, [x]) => g[op](x),
      shape: [],
      expected: (v) => zip(v, fn),
    },
    {
      label: "tensor [2,3]",
      leaves: [tensor("x", [2, 3], range)],
      build: (g, [x]) => g[op](x),
      shape: [2, 3],
      expected: (v) => zip(v, fn),
    },
  ];
}

/** Equal shapes, and scalar broadcasting both ways; the divisor stays away from zero. */
export function binaryCases(
  op: "add" | "sub" | "mul" | "div",
  fn: (a: number, b: number) => number,
): OpCase[] {
  const bRange = op === "div" ? ([0.5, 2] as const) : undefined;
  const build: Build = (g, [a, b]) => g[op](a, b);
  const expected = (v: Values) => zip(v, fn);
  return [
    {
      label: "scalar ∘ scalar",
      leaves: [scalar("a"), scalar("b", bRange)],
      build,
      shape: [],
      expected,
    },
    {
      label: "same shape [2,3]",
      leaves: [tensor("a", [2, 3]), tensor("b", [2, 3], bRange)],
      build,
      shape: [2, 3],
      expected,
    },
    {
      label: "tensor ∘ scalar",
      leaves: [tensor("a", [3]), scalar("b", bRange)],
      build,
      shape: [3],
      expected,
    },
    {
      label: "scalar ∘ tensor",
      leaves: [scalar("a"), tensor("b", [2, 2], bRange)],
      build,
      shape: [2, 2],
      expected,
    },
    {
      label: "one operand used twice, as a param",
      leaves: [{ name: "w", shape: [3], kind: "param", range: [0.5, 2] }],
      build: (g, [w]) => g[op](w, w),
      shape: [3],
      expected: ([w]) => zip([w, w], fn),
    },
  ];
}

export function powCase(exponent: number, range: readonly [number, number]): OpCase {
  return {
    label: `x^${exponent}`,
    leaves: [tensor("x", [4], range)],
    build: (g, [x]) => g.pow(x, exponent),
    shape: [4],
    expected: (v) => zip(v, (x) => Math.pow(x, exponent)),
  };
}

/** Row-major matrix product written out directly, transposes made explicit first. */
export function referenceMatmul(
  a: Float64Array,
  aShape: readonly [number, number],
  b: Float64Array,
  bShape: readonly [number, number],
  transA: boolean,
  transB: boolean,
): number[] {
  const matrix = (data: Float64Array, [rows, cols]: readonly [number, number], t: boolean) => {
    const rowsOf = Array.from({ length: rows }, (_, i) => [
      ...data.slice(i * cols, (i + 1) * cols),
    ]);
    return t ? rowsOf[0].map((_, j) => rowsOf.map((row) => row[j])) : rowsOf;
  };
  const A = matrix(a, aShape, transA);
  const B = matrix(b, bShape, transB);
  return A.flatMap((row) =>
    B[0].map((_, j) => row.reduce((total, value, p) => total + value * B[p][j], 0)),
  );
}

export function matmulCase(transA: boolean, transB: boolean): OpCase {
  // op(A) is 2x3 and op(B) is 3x4, whatever the flags
  const aShape = (transA ? [3, 2] : [2, 3]) as [number, number];
  const bShape = (transB ? [4, 3] : [3, 4]) as [number, number];
  return {
    label: `transA=${transA}, transB=${transB}`,
    leaves: [tensor("A", aShape), { name: "B", shape: bShape, kind: "param" }],
    build: (g, [a, b]) => g.matmul(a, b, { transA, transB }),
    shape: [2, 4],
    expected: ([a, b]) => referenceMatmul(a, aShape, b, bShape, transA, transB),
  };
}
