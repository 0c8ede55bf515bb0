// Cases for the movement and indexing ops: reshape, transpose, slice, pad, concat, gather,
// scatterAdd and oneHot. Expected values are written by coordinates, independently of the records.
import type { Shape } from "../../../compiler/ir/shape.ts";
import type { LeafSpec } from "../../support/gradcheck.ts";
import { scalar, tensor, type OpCase, type OpTable, type Values } from "../kit.ts";
import { coordinates } from "./reductions.ts";

/** Row-major flat index of `coordinate` in `shape`. */
function flat(shape: Shape, coordinate: readonly number[]): number {
  return coordinate.reduce((total, k, axis) => total * shape[axis] + k, 0);
}

/** An integer leaf with fixed values (never differentiated). */
function indices(name: string, shape: Shape, values: readonly number[]): LeafSpec {
  return { ...(shape.length === 0 ? scalar(name) : tensor(name, shape)), dtype: "i32", values };
}

function reshapeRow(from: Shape, to: Shape): OpCase {
  return {
    label: `${JSON.stringify(from)} to ${JSON.stringify(to)}`,
    leaves: [from.length === 0 ? scalar("x") : tensor("x", from)],
    build: (g, [x]) => g.reshape(x, to),
    shape: to,
    expected: ([x]) => [...x],
  };
}

function transposeRow(shape: Shape, perm: readonly number[]): OpCase {
  const outShape = perm.map((axis) => shape[axis]);
  return {
    label: `${JSON.stringify(shape)} by ${JSON.stringify(perm)}`,
    leaves: [tensor("x", shape)],
    build: (g, [x]) => g.transpose(x, perm),
    shape: outShape,
    // y[c] = x[c'] where c'[perm[i]] = c[i]
    expected: ([x]) =>
      coordinates(outShape).map((c) => {
        const source = new Array<number>(shape.length);
        perm.forEach((axis, i) => (source[axis] = c[i]));
        return x[flat(shape, source)];
      }),
  };
}

function sliceRow(shape: Shape, begin: readonly number[], end: readonly number[]): OpCase {
  const outShape = begin.map((b, axis) => end[axis] - b);
  return {
    label: `${JSON.stringify(shape)} from ${JSON.stringify(begin)} to ${JSON.stringify(end)}`,
    leaves: [tensor("x", shape)],
    build: (g, [x]) => g.slice(x, begin, end),
    shape: outShape,
    expected: ([x]) =>
      coordinates(outShape).map(
        (c) =>
          x[
            flat(
              shape,
              c.map((k, axis) => k + begin[axis]),
            )
          ],
      ),
  };
}

function padRow(shape: Shape, before: readonly number[], after: readonly number[]): OpCase {
  const outShape = shape.map((dim, axis) => before[axis] + dim + after[axis]);
  return {
    label: `${JSON.stringify(shape)} by ${JSON.stringify(before)} and ${JSON.stringify(after)}`,
    leaves: [tensor("x", shape)],
    build: (g, [x]) => g.pad(x, before, after),
    shape: outShape,
    expected: ([x]) =>
      coordinates(outShape).map((c) => {
        const source = c.map((k, axis) => k - before[axis]);
        const inside = source.every((k, axis) => k >= 0 && k < shape[axis]);
        return inside ? x[flat(shape, source)] : 0;
      }),
  };
}

function concatRow(shapes: readonly Shape[], axis: number): OpCase {
  const outShape = shapes[0].map((dim, a) =>
    a === axis ? shapes.reduce((n, s) => n + s[axis], 0) : dim,
  );
  return {
    label: `${shapes.map((s) => JSON.stringify(s)).join(" + ")} along ${axis}`,
    leaves: shapes.map((shape, k) => tensor(`x${k}`, shape)),
    build: (g, xs) => g.concat(xs, axis),
    shape: outShape,
    // find the input whose stretch of the axis holds the coordinate
    expected: (xs: Values) =>
      coordinates(outShape).map((c) => {
        let at = c[axis];
        const k = shapes.findIndex((shape) =>
          at < shape[axis] ? true : ((at -= shape[axis]), false),
        );
        return xs[k][
          flat(
            shapes[k],
            c.map((v, a) => (a === axis ? at : v)),
          )
        ];
      }),
  };
}

/** y[c] = x[c with the index coordinates replaced by indices[...]] (the definition of gather). */
function gathered(
  x: Float64Array,
  shape: Shape,
  axis: number,
  idx: Float64Array,
  idxShape: Shape,
): number[] {
  const outShape = [...shape.slice(0, axis), ...idxShape, ...shape.slice(axis + 1)];
  return coordinates(outShape).map((c) => {
    const at = idx[flat(idxShape, c.slice(axis, axis + idxShape.length))];
    return x[flat(shape, [...c.slice(0, axis), at, ...c.slice(axis + idxShape.length)])];
  });
}

function gatherRow(shape: Shape, axis: number, idxShape: Shape, idx: readonly number[]): OpCase {
  return {
    label: `${JSON.stringify(shape)} along ${axis} by ${JSON.stringify(idxShape)} indices ${JSON.stringify(idx)}`,
    leaves: [tensor("x", shape), indices("idx", idxShape, idx)],
    build: (g, [x, i]) => g.gather(x, i, axis),
    shape: [...shape.slice(0, axis), ...idxShape, ...shape.slice(axis + 1)],
    expected: ([x, i]) => gathered(x, shape, axis, i, idxShape),
  };
}

function scatterAddRow(
  shape: Shape,
  axis: number,
  idxShape: Shape,
  idx: readonly number[],
): OpCase {
  const updatesShape = [...shape.slice(0, axis), ...idxShape, ...shape.slice(axis + 1)];
  return {
    label: `into ${JSON.stringify(shape)} along ${axis} at ${JSON.stringify(idx)}`,
    leaves: [
      updatesShape.length === 0 ? scalar("u") : tensor("u", updatesShape),
      indices("idx", idxShape, idx),
    ],
    build: (g, [u, i]) => g.scatterAdd(u, i, axis, shape),
    shape,
    // y[c] = Σ of the updates whose index lands on c[axis]
    expected: ([u, i]) =>
      coordinates(shape).map((c) =>
        coordinates(updatesShape).reduce((total, d, k) => {
          const at = i[flat(idxShape, d.slice(axis, axis + idxShape.length))];
          const rest = [...d.slice(0, axis), ...d.slice(axis + idxShape.length)];
          const mine = [...c.slice(0, axis), ...c.slice(axis + 1)];
          const lands = at === c[axis] && rest.every((v, a) => v === mine[a]);
          return lands ? total + u[k] : total;
        }, 0),
      ),
  };
}

function oneHotRow(labelsShape: Shape, labels: readonly number[], depth: number): OpCase {
  return {
    label: `${JSON.stringify(labels)} to depth ${depth}`,
    leaves: [indices("labels", labelsShape, labels)],
    build: (g, [l]) => g.oneHot(l, depth),
    shape: [...labelsShape, depth],
    expected: () =>
      labels.flatMap((label) => Array.from({ length: depth }, (_, k) => (k === label ? 1 : 0))),
    differentiable: false,
  };
}

export const movementCases = {
  reshape: [
    reshapeRow([2, 3], [3, 2]),
    reshapeRow([6], [2, 1, 3]),
    reshapeRow([], [1, 1]),
    reshapeRow([1], []),
  ],
  transpose: [
    transposeRow([2, 3], [1, 0]),
    transposeRow([2, 3, 4], [1, 2, 0]),
    transposeRow([2, 3, 4], [2, 0, 1]),
  ],
  slice: [
    sliceRow([5], [1], [4]),
    sliceRow([3, 4], [1, 0], [3, 3]),
    sliceRow([2, 3, 4], [0, 1, 1], [2, 3, 3]),
  ],
  pad: [
    padRow([3], [1], [2]),
    padRow([2, 3], [1, 0], [0, 2]),
    padRow([2, 1, 2], [0, 1, 1], [1, 0, 0]),
  ],
  concat: [
    concatRow([[2], [3], [1]], 0),
    concatRow(
      [
        [2, 3],
        [2, 1],
      ],
      1,
    ),
    concatRow(
      [
        [1, 3],
        [2, 3],
      ],
      0,
    ),
    concatRow(
      [
        [2, 1, 2],
        [2, 2, 2],
      ],
      1,
    ),
    {
      label: "one input twice, and a constant",
      leaves: [tensor("x", [2])],
      build: (g, [x]) => g.concat([x, g.constant([7, 8], [2]), x]),
      shape: [6],
      expected: ([x]) => [x[0], x[1], 7, 8, x[0], x[1]],
    },
  ],
  gather: [
    gatherRow([4, 3], 0, [5], [2, 0, 2, 3, 2]),
    gatherRow([3, 4], 1, [2, 2], [3, 0, 0, 1]),
    gatherRow([2, 3, 2], 1, [2], [2, 2]),
    gatherRow([5], 0, [], [4]),
    gatherRow([3, 2], 0, [], [1]),
  ],
  scatterAdd: [
    scatterAddRow([4, 2], 0, [5], [1, 3, 1, 0, 1]),
    scatterAddRow([2, 3], 1, [4], [2, 2, 0, 2]),
    scatterAddRow([3], 0, [], [2]),
  ],
  oneHot: [
    oneHotRow([4], [2, 0, 1, 2], 3),
    oneHotRow([2, 2], [3, 0, 0, 1], 4),
    oneHotRow([], [1], 2),
  ],
} satisfies OpTable;
