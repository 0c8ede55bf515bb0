// Cases for the ops along one axis: cumsum (forward and reverse, first and last axis), and
// argmax/argmin (values only: i32 output), their expected values written out by hand loops.
import { tensor, type OpCase, type OpTable } from "../kit.ts";

/** Running sums of a [2,3] tensor along `axis`, from the end when `reverse`, by direct loops. */
function runningSums(x: Float64Array, axis: 0 | 1, reverse: boolean): number[] {
  const at = (r: number, c: number) => r * 3 + c;
  const out = new Array<number>(6).fill(0);
  for (let line = 0; line < (axis === 0 ? 3 : 2); line++) {
    const size = axis === 0 ? 2 : 3;
    let total = 0;
    for (let step = 0; step < size; step++) {
      const k = reverse ? size - 1 - step : step;
      const offset = axis === 0 ? at(k, line) : at(line, k);
      total += x[offset];
      out[offset] = total;
    }
  }
  return out;
}

const cumsumRow = (axis: 0 | 1, reverse: boolean): OpCase => ({
  label: `[2,3] along axis ${axis}${reverse ? ", reversed" : ""}`,
  leaves: [tensor("x", [2, 3])],
  build: (g, [x]) => g.cumsum(x, axis, reverse),
  shape: [2, 3],
  expected: ([x]) => runningSums(x, axis, reverse),
});

// rows [5, 1, 5] (a tie: the first wins) and [NaN, 7, −2] (the first NaN wins); column 2 = [5, −2]
const values = [5, 1, 5, NaN, 7, -2];

export const cumulativeCases = {
  cumsum: [cumsumRow(1, false), cumsumRow(0, false), cumsumRow(1, true), cumsumRow(0, true)],
  argmax: [
    {
      label: "along the last axis: first on a tie, NaN wins",
      leaves: [{ ...tensor("x", [2, 3]), values }],
      build: (g, [x]) => g.argmax(x),
      shape: [2],
      expected: () => [0, 0],
      differentiable: false,
    },
    {
      label: "along axis 0, kept",
      leaves: [{ ...tensor("x", [2, 3]), values: [1, 4, 2, 3, 0, 2] }],
      build: (g, [x]) => g.argmax(x, 0, true),
      shape: [1, 3],
      expected: () => [1, 0, 0],
      differentiable: false,
    },
    {
      label: "a vector to a scalar",
      leaves: [{ ...tensor("x", [4]), values: [0.5, -1, 3, 3] }],
      build: (g, [x]) => g.argmax(x),
      shape: [],
      expected: () => [2],
      differentiable: false,
    },
  ],
  argmin: [
    {
      label: "along the last axis: first on a tie, NaN wins",
      leaves: [{ ...tensor("x", [2, 3]), values: [1, 5, 1, 7, NaN, -2] }],
      build: (g, [x]) => g.argmin(x, 1),
      shape: [2],
      expected: () => [0, 1],
      differentiable: false,
    },
    {
      label: "along axis 0, kept",
      leaves: [{ ...tensor("x", [2, 3]), values: [1, 4, 2, 3, 0, 2] }],
      build: (g, [x]) => g.argmin(x, 0, true),
      shape: [1, 3],
      expected: () => [0, 1, 0],
      differentiable: false,
    },
  ],
} satisfies OpTable;
