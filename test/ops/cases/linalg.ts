// Cases for the linear-algebra ops: dot, and matmul on matrices and on broadcast batches of them
// in every transpose form.
import { matmulCase, referenceMatmul, tensor, type OpCase, type OpTable } from "../kit.ts";

/**
 * A batched product written out directly: each output batch index picks the operands' matrices
 * (index 0 along an axis of size 1 or a missing one), then the 2-D reference multiplies them.
 */
export function referenceBatchedMatmul(
  a: Float64Array,
  aShape: readonly number[],
  b: Float64Array,
  bShape: readonly number[],
  transA: boolean,
  transB: boolean,
): number[] {
  const batchA = aShape.slice(0, -2);
  const batchB = bShape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const padded = (batch: readonly number[]) => [
    ...new Array<number>(rank - batch.length).fill(1),
    ...batch,
  ];
  const [pa, pb] = [padded(batchA), padded(batchB)];
  const batch = pa.map((size, axis) => Math.max(size, pb[axis]));
  const matrixA = aShape.slice(-2) as [number, number];
  const matrixB = bShape.slice(-2) as [number, number];
  const sizeA = matrixA[0] * matrixA[1];
  const sizeB = matrixB[0] * matrixB[1];
  /** The flat matrix number of `padded` batch at output batch `index`. */
  const pick = (own: readonly number[], index: readonly number[]) =>
    index.reduce((flat, i, axis) => flat * own[axis] + (own[axis] === 1 ? 0 : i), 0);
  const result: number[] = [];
  const count = batch.reduce((n, size) => n * size, 1);
  for (let t = 0; t < count; t++) {
    // the multi-index of batch element t, last axis fastest
    const index = batch.map(
      (_, axis) => Math.floor(t / batch.slice(axis + 1).reduce((n, s) => n * s, 1)) % batch[axis],
    );
    const ia = pick(pa, index);
    const ib = pick(pb, index);
    const matA = a.subarray(ia * sizeA, (ia + 1) * sizeA);
    const matB = b.subarray(ib * sizeB, (ib + 1) * sizeB);
    result.push(...referenceMatmul(matA, matrixA, matB, matrixB, transA, transB));
  }
  return result;
}

/** op(A) is m×k and op(B) is k×n over the given batch shapes, A an input and B a param. */
function batchedCase(
  batchA: readonly number[],
  batchB: readonly number[],
  [m, k, n]: readonly [number, number, number],
  transA: boolean,
  transB: boolean,
  outShape: readonly number[],
): OpCase {
  const aShape = [...batchA, ...(transA ? [k, m] : [m, k])];
  const bShape = [...batchB, ...(transB ? [n, k] : [k, n])];
  return {
    label: `[${aShape}]·[${bShape}], transA=${transA}, transB=${transB}`,
    leaves: [tensor("A", aShape), { name: "B", shape: bShape, kind: "param" }],
    build: (g, [a, b]) => g.matmul(a, b, { transA, transB }),
    shape: outShape,
    expected: ([a, b]) => referenceBatchedMatmul(a, aShape, b, bShape, transA, transB),
  };
}

const flags = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

export const linalgCases = {
  dot: [
    {
      label: "two vectors [4]",
      leaves: [tensor("a", [4]), tensor("b", [4])],
      build: (g, [a, b]) => g.dot(a, b),
      shape: [],
      expected: ([a, b]) => [a.reduce((total, value, i) => total + value * b[i], 0)],
    },
    {
      label: "a vector with itself",
      leaves: [tensor("a", [3])],
      build: (g, [a]) => g.dot(a, a),
      shape: [],
      expected: ([a]) => [a[0] * a[0] + a[1] * a[1] + a[2] * a[2]],
    },
    {
      label: "a vector of length 1",
      leaves: [tensor("a", [1]), tensor("b", [1])],
      build: (g, [a, b]) => g.dot(a, b),
      shape: [],
      expected: ([a, b]) => [a[0] * b[0]],
    },
  ],
  matmul: [
    ...flags.map(([transA, transB]) => matmulCase(transA, transB)),
    {
      label: "AᵀA, one operand used twice",
      leaves: [tensor("A", [3, 2])],
      build: (g, [a]) => g.matmul(a, a, { transA: true }),
      shape: [2, 2],
      expected: ([a]) => referenceMatmul(a, [3, 2], a, [3, 2], true, false),
    },
    // both operands broadcast along a batch axis of the other: [2,1] and [5] give batch [2,5]
    batchedCase([2, 1], [5], [3, 4, 2], false, false, [2, 5, 3, 2]),
    // every transpose form on batches broadcast both ways: [2,1] and [3] give [2,3]
    ...flags.map(([transA, transB]) =>
      batchedCase([2, 1], [3], [2, 3, 4], transA, transB, [2, 3, 2, 4]),
    ),
    // a batch of A's times one shared matrix: the rows stack into one product
    ...flags.map(([transA, transB]) =>
      batchedCase([2, 3], [], [2, 3, 2], transA, transB, [2, 3, 2, 2]),
    ),
    // one matrix A times a batch of B's
    ...flags.map(([transA, transB]) => batchedCase([], [3], [2, 3, 4], transA, transB, [3, 2, 4])),
    batchedCase([2, 2], [2, 2], [2, 2, 3], false, true, [2, 2, 2, 3]),
    batchedCase([1, 1], [], [2, 3, 2], false, false, [1, 1, 2, 2]),
    {
      label: "batched AᵀA, one operand used twice",
      leaves: [tensor("A", [2, 3, 2])],
      build: (g, [a]) => g.matmul(a, a, { transA: true }),
      shape: [2, 2, 2],
      expected: ([a]) => referenceBatchedMatmul(a, [2, 3, 2], a, [2, 3, 2], true, false),
    },
  ],
} satisfies OpTable;
