// Cases for the reductions: max, min, prod, logsumexp over one axis, several axes (keepDims or not)
// and all axes, and prodExcept. Expected values come from groups built here by coordinates,
// independently of the op records. Random values make ties (max, min) and zeros (prod) unlikely;
// those are tested by hand in test/ops/reductions.test.ts.
import type { Shape } from "../../../compiler/ir/shape.ts";
import type { Build } from "../../support/gradcheck.ts";
import { scalar, tensor, type OpCase, type OpTable, type Values } from "../kit.ts";

/** Row-major coordinates of every element of `shape`. */
export function coordinates(shape: Shape): number[][] {
  let all: number[][] = [[]];
  for (const dim of shape) {
    all = all.flatMap((prefix) => Array.from({ length: dim }, (_, k) => [...prefix, k]));
  }
  return all;
}

/** Flat indices grouped by their coordinates off `axes`, groups in row-major order of those. */
export function groupsOf(shape: Shape, axes: readonly number[]): number[][] {
  const groups = new Map<string, number[]>();
  coordinates(shape).forEach((coordinate, flat) => {
    const key = coordinate.filter((_, axis) => !axes.includes(axis)).join(",");
    groups.set(key, [...(groups.get(key) ?? []), flat]);
  });
  return [...groups.values()];
}

type Reduce = "max" | "min" | "prod" | "logsumexp";

const reference: Record<Reduce, (values: readonly number[]) => number> = {
  max: (values) => Math.max(...values),
  min: (values) => Math.min(...values),
  prod: (values) => values.reduce((a, b) => a * b, 1),
  // the plain formula: fine for these small inputs
  logsumexp: (values) => Math.log(values.reduce((total, v) => total + Math.exp(v), 0)),
};

/** One row: `op` over `axes` of a [shape] leaf (`dslAxes` as written, maybe negative). */
function reduceRow(
  op: Reduce,
  shape: Shape,
  dslAxes: number | readonly number[] | undefined,
  keepDims: boolean,
  outShape: Shape,
  range?: readonly [number, number],
): OpCase {
  const axes = normalize(shape, dslAxes);
  const build: Build = (g, [x]) => g[op](x, dslAxes, keepDims);
  return {
    label: `${JSON.stringify(shape)} over ${JSON.stringify(dslAxes ?? "all")}${keepDims ? ", keepDims" : ""}`,
    leaves: [shape.length === 0 ? scalar("x", range) : tensor("x", shape, range)],
    build,
    shape: outShape,
    expected: ([x]: Values) =>
      groupsOf(shape, axes).map((group) => reference[op](group.map((i) => x[i]))),
  };
}

function normalize(shape: Shape, axes: number | readonly number[] | undefined): number[] {
  if (axes === undefined) return shape.map((_, axis) => axis);
  return (typeof axes === "number" ? [axes] : [...axes]).map((axis) =>
    axis < 0 ? axis + shape.length : axis,
  );
}

/** The shapes every reduction is tested on. */
function reduceRows(op: Reduce, range?: readonly [number, number]): OpCase[] {
  return [
    reduceRow(op, [2, 3], 1, false, [2], range),
    reduceRow(op, [2, 3], 0, true, [1, 3], range),
    reduceRow(op, [2, 3, 4], [0, 2], false, [3], range),
    reduceRow(op, [2, 3, 2], [-1, 0], true, [1, 3, 1], range),
    reduceRow(op, [5], undefined, false, [], range),
    reduceRow(op, [2, 3], undefined, true, [1, 1], range),
  ];
}

/** For each element the product of the others in its group, by the definition (no prefix products). */
function productsOfOthers(x: Float64Array, shape: Shape, axes: readonly number[]): number[] {
  const out = new Array<number>(x.length).fill(0);
  for (const group of groupsOf(shape, axes)) {
    for (const i of group) out[i] = group.filter((j) => j !== i).reduce((p, j) => p * x[j], 1);
  }
  return out;
}

function prodExceptRow(
  shape: Shape,
  axes: readonly number[],
  range?: readonly [number, number],
): OpCase {
  return {
    label: `${JSON.stringify(shape)} over ${JSON.stringify(axes)}`,
    leaves: [tensor("x", shape, range)],
    build: (g, [x]) => g.prodExcept(x, axes),
    shape,
    expected: ([x]) => productsOfOthers(x, shape, axes),
  };
}

export const reductionCases = {
  max: reduceRows("max"),
  min: reduceRows("min"),
  prod: [...reduceRows("prod", [0.5, 1.5]), reduceRow("prod", [3, 2], 0, false, [2], [-2, 2])],
  logsumexp: [
    ...reduceRows("logsumexp", [-3, 3]),
    reduceRow("logsumexp", [2, 2], [], false, [2, 2]),
    reduceRow("logsumexp", [], undefined, false, []),
  ],
  prodExcept: [
    prodExceptRow([4], [0], [0.5, 1.5]),
    prodExceptRow([2, 3], [1], [-2, 2]),
    prodExceptRow([2, 3, 2], [0, 2], [0.5, 1.5]),
    prodExceptRow([3, 2], [], [0.5, 1.5]),
    {
      label: "prod's gradient through it: ∇ prod(x)",
      leaves: [tensor("x", [4], [0.5, 1.5])],
      build: (g, [x]) => g.grad(g.prod(x), [x])[0],
      shape: [4],
      expected: ([x]) => productsOfOthers(x, [4], [0]),
    },
  ],
} satisfies OpTable;
