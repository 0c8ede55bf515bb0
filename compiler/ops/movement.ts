// Movement: reshape, broadcastTo, transpose, slice, pad, concat (gather and friends: indexing.ts).
import {
  broadcastShapes,
  broadcastStrides,
  formatShape,
  sameShape,
  sizeOf,
  stridesOf,
  type Shape,
} from "../ir/shape.ts";
import type { DType } from "../ir/node.ts";
import { evalElementwise, fitTo, ShapeError, type OpDef, type Tensor } from "./def.ts";
import { loopNest, offset } from "./loops.ts";
import { elementwiseSparsity, firstInputSparsity, readSparsity } from "./sparsity.ts";

/** Movement keeps its operands' dtype: integers and booleans move as floats do, unconverted. */
function keptDtype(inputs: readonly DType[]): DType {
  const other = inputs.findIndex((dtype) => dtype !== inputs[0]);
  if (other >= 0) {
    throw new ShapeError(
      `operand ${other + 1} is ${inputs[other]} and operand 1 is ${inputs[0]}; expected one dtype (use g.cast)`,
    );
  }
  return inputs[0];
}

export const reshape: OpDef<"reshape"> = {
  dtype: keptDtype,
  arity: 1,
  shape: ([x], { shape }) => {
    if (sizeOf(x) !== sizeOf(shape)) {
      throw new ShapeError(`cannot reshape ${formatShape(x)} to ${formatShape(shape)}`);
    }
    return shape;
  },
  eval: ([x]) => Float64Array.from(x.data),
  emit: {
    kind: "kernel",
    // row-major order is unchanged: a copy, or a move between a scalar and a one-element tensor
    code: ({ out, args: [x], inShapes: [inShape], outShape }) => {
      if (outShape.length === 0) return [`let ${out} = ${x}[0];`];
      if (inShape.length === 0) return [`${out}[0] = ${x};`];
      return [`${out}.set(${x});`];
    },
    // the same elements in the same order: the output's flat offset
    view: ({ index, outShape }) => ({ offset: offset(index, stridesOf(outShape)) }),
  },
  // strong zero as it stands: x̄ moves ȳ or sums it
  zeroAdjoint: "bounded",
  // x̄ = reshape(ȳ, shape of x)
  vjp: ({ g, inputs: [x], y_bar }) => [g.reshape(y_bar, x.shape)],
  jvp: ({ g, dots: [x_dot], attrs }) => (x_dot === null ? null : g.reshape(x_dot, attrs.shape)),
  // y[i] = x[i] in row-major order
  sparsity: firstInputSparsity,
};

export const broadcastTo: OpDef<"broadcastTo"> = {
  dtype: keptDtype,
  arity: 1,
  shape: ([x], { shape }) => {
    const joined = broadcastShapes(x, shape);
    if (joined === undefined || !sameShape(joined, shape)) {
      throw new ShapeError(`cannot broadcast ${formatShape(x)} to ${formatShape(shape)}`);
    }
    return shape;
  },
  eval: (inputs, _attrs, shape) => evalElementwise(inputs, shape, ([x]) => x),
  emit: {
    kind: "kernel",
    code: ({ out, args: [x], inShapes: [inShape], outShape }) => {
      if (inShape.length === 0) return [`${out}.fill(${x});`];
      const from = broadcastStrides(inShape, outShape);
      const to = stridesOf(outShape);
      return loopNest(outShape, (i) => [`${out}[${offset(i, to)}] = ${x}[${offset(i, from)}];`]);
    },
    // a broadcast axis has stride zero in the input
    view: ({ index, inShape, outShape }) => ({
      offset: offset(index, broadcastStrides(inShape, outShape)),
    }),
  },
  // strong zero as it stands: x̄ moves ȳ or sums it
  zeroAdjoint: "bounded",
  // x̄ = ȳ summed over the broadcast axes
  vjp: ({ g, inputs: [x], y_bar }) => [fitTo(g, y_bar, x.shape)],
  jvp: ({ g, dots: [x_dot], attrs }) => (x_dot === null ? null : g.broadcastTo(x_dot, attrs.shape)),
  // y[i] = x[i with the broadcast axes at 0]
  sparsity: elementwiseSparsity,
};

/** Values of `x` read at `base + Σ index·strides` for every index of `shape`, row-major. */
function readStrided(
  x: Tensor,
  shape: Shape,
  strides: readonly number[],
  base: number,
): Float64Array {
  const out = new Float64Array(sizeOf(shape));
  forEachIndex(shape, (index, i) => (out[i] = x.data[base + flatOffset(index, strides)]));
  return out;
}

/** Calls `fn` with every multi-index of `shape` and its row-major position. */
function forEachIndex(shape: Shape, fn: (index: readonly number[], i: number) => void): void {
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < sizeOf(shape); i++) {
    fn(index, i);
    for (let axis = shape.length - 1; axis >= 0 && ++index[axis] === shape[axis]; axis--)
      index[axis] = 0;
  }
}

/** Kernel filling `out` (of `outShape`) from `x` at `base + Σ index·strides`; a rank-0 output is a copy. */
function stridedCopy(
  out: string,
  x: string,
  outShape: Shape,
  strides: readonly number[],
  base: number,
): string[] {
  if (outShape.length === 0) return [`let ${out} = ${x};`];
  const to = stridesOf(outShape);
  return loopNest(outShape, (i) => [
    `${out}[${offset(i, to)}] = ${x}[${offset(i, strides, base)}];`,
  ]);
}

/** Σ position·stride: the flat offset of a multi-index. */
function flatOffset(position: readonly number[], strides: readonly number[]): number {
  return position.reduce((total, v, axis) => total + v * strides[axis], 0);
}

/** Throws unless `lists` each hold one whole number per axis of `shape`. */
function checkPerAxis(shape: Shape, lists: Readonly<Record<string, readonly number[]>>): void {
  for (const [name, list] of Object.entries(lists)) {
    if (list.length !== shape.length || !list.every(Number.isInteger)) {
      throw new ShapeError(
        `${name} ${JSON.stringify(list)} must give one integer per axis of ${formatShape(shape)}`,
      );
    }
  }
}

/** The permutation that undoes `perm`. */
function inversePermutation(perm: readonly number[]): number[] {
  const inverse = new Array<number>(perm.length);
  perm.forEach((axis, i) => (inverse[axis] = i));
  return inverse;
}

export const transpose: OpDef<"transpose"> = {
  dtype: keptDtype,
  arity: 1,
  // output axis i is input axis perm[i]
  shape: ([x], { perm }) => {
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== x.length || sorted.some((axis, i) => axis !== i)) {
      throw new ShapeError(
        `perm ${JSON.stringify(perm)} is not a permutation of the ${x.length} axes of ${formatShape(x)}`,
      );
    }
    return perm.map((axis) => x[axis]);
  },
  eval: ([x], { perm }, shape) => {
    const strides = stridesOf(x.shape);
    return readStrided(
      x,
      shape,
      perm.map((axis) => strides[axis]),
      0,
    );
  },
  emit: {
    kind: "kernel",
    code: ({ out, args: [x], inShapes: [inShape], outShape, attrs: { perm } }) => {
      const strides = stridesOf(inShape);
      return stridedCopy(
        out,
        x,
        outShape,
        perm.map((axis) => strides[axis]),
        0,
      );
    },
  },
  // strong zero as it stands: x̄ moves ȳ or sums it
  zeroAdjoint: "bounded",
  // x̄ = transpose(ȳ, perm⁻¹)
  vjp: ({ g, y_bar, attrs: { perm } }) => [g.transpose(y_bar, inversePermutation(perm))],
  // ẏ = transpose(ẋ, perm)
  jvp: ({ g, dots: [x_dot], attrs: { perm } }) =>
    x_dot === null ? null : g.transpose(x_dot, perm),
  // y[i₀, i₁, ...] = x at index iₖ on axis perm[k]
  sparsity: ({ deps, inputs: [x], shape, attrs: { perm } }) => {
    const strides = stridesOf(x.shape);
    const from = perm.map((axis) => strides[axis]);
    return readSparsity(deps, shape, (index) => [{ input: 0, offset: flatOffset(index, from) }]);
  },
};

export const slice: OpDef<"slice"> = {
  dtype: keptDtype,
  arity: 1,
  shape: ([x], { begin, end }) => {
    checkPerAxis(x, { begin, end });
    const bad = x.findIndex(
      (dim, axis) => !(0 <= begin[axis] && begin[axis] <= end[axis] && end[axis] <= dim),
    );
    if (bad >= 0) {
      throw new ShapeError(
        `[${begin[bad]}, ${end[bad]}) is not a range within axis ${bad} of ${formatShape(x)} (need 0 <= begin <= end <= ${x[bad]})`,
      );
    }
    return x.map((_, axis) => end[axis] - begin[axis]);
  },
  eval: ([x], { begin }, shape) => {
    const strides = stridesOf(x.shape);
    return readStrided(x, shape, strides, flatOffset(begin, strides));
  },
  emit: {
    kind: "kernel",
    code: ({ out, args: [x], inShapes: [inShape], outShape, attrs: { begin } }) => {
      const strides = stridesOf(inShape);
      return stridedCopy(out, x, outShape, strides, flatOffset(begin, strides));
    },
    // element i of the slice is element i + begin of the input
    view: ({ index, inShape, attrs: { begin } }) => {
      const strides = stridesOf(inShape);
      return { offset: offset(index, strides, flatOffset(begin, strides)) };
    },
  },
  // strong zero as it stands: x̄ moves ȳ or sums it
  zeroAdjoint: "bounded",
  // x̄ = pad(ȳ, begin, shape − end)
  vjp: ({ g, inputs: [x], y_bar, attrs: { begin, end } }) => [
    g.pad(
      y_bar,
      begin,
      x.shape.map((dim, axis) => dim - end[axis]),
    ),
  ],
  // ẏ = slice(ẋ)
  jvp: ({ g, dots: [x_dot], attrs: { begin, end } }) =>
    x_dot === null ? null : g.slice(x_dot, begin, end),
  // y[i] = x[i + begin]
  sparsity: ({ deps, inputs: [x], shape, attrs: { begin } }) => {
    const strides = stridesOf(x.shape);
    const base = flatOffset(begin, strides);
    return readSparsity(deps, shape, (index) => [
      { input: 0, offset: base + flatOffset(index, strides) },
    ]);
  },
};

export const pad: OpDef<"pad"> = {
  dtype: keptDtype,
  arity: 1,
  shape: ([x], { before, after }) => {
    checkPerAxis(x, { before, after });
    if ([...before, ...after].some((count) => count < 0)) {
      throw new ShapeError(
        `padding before ${JSON.stringify(before)} and after ${JSON.stringify(after)} must be non-negative`,
      );
    }
    return x.map((dim, axis) => before[axis] + dim + after[axis]);
  },
  eval: ([x], { before }, shape) => {
    const out = new Float64Array(sizeOf(shape));
    const strides = stridesOf(shape);
    const base = flatOffset(before, strides);
    forEachIndex(x.shape, (index, i) => (out[base + flatOffset(index, strides)] = x.data[i]));
    return out;
  },
  emit: {
    kind: "kernel",
    code: ({ out, args: [x], inShapes: [inShape], outShape, attrs: { before } }) => {
      if (outShape.length === 0) return [`let ${out} = ${x};`];
      const to = stridesOf(outShape);
      const from = stridesOf(inShape);
      return [
        `${out}.fill(0);`,
        ...loopNest(inShape, (i) => [
          `${out}[${offset(i, to, flatOffset(before, to))}] = ${x}[${offset(i, from)}];`,
        ]),
      ];
    },
    // element i of the output is element i − before of the input, inside the input's bounds
    view: ({ index, inShape, outShape, attrs: { before } }) => {
      const strides = stridesOf(inShape);
      const bounds = index.flatMap((v, axis) => [
        ...(before[axis] > 0 ? [`${v} >= ${before[axis]}`] : []),
        ...(before[axis] + inShape[axis] < outShape[axis]
          ? [`${v} < ${before[axis] + inShape[axis]}`]
          : []),
      ]);
      return {
        offset: offset(index, strides, -flatOffset(before, strides)),
        ...(bounds.length === 0 ? {} : { guard: bounds.join(" && ") }),
      };
    },
  },
  // strong zero as it stands: x̄ moves ȳ or sums it
  zeroAdjoint: "bounded",
  // x̄ = slice(ȳ, before, before + shape of x)
  vjp: ({ g, inputs: [x], y_bar, attrs: { before } }) => [
    g.slice(
      y_bar,
      before,
      x.shape.map((dim, axis) => before[axis] + dim),
    ),
  ],
  // ẏ = pad(ẋ)
  jvp: ({ g, dots: [x_dot], attrs: { before, after } }) =>
    x_dot === null ? null : g.pad(x_dot, before, after),
  // y[i] = x[i − before] inside x, else 0
  sparsity: ({ deps, inputs: [x], shape, attrs: { before } }) => {
    const strides = stridesOf(x.shape);
    return readSparsity(deps, shape, (index) => {
      const at = index.map((v, axis) => v - before[axis]);
      const inside = at.every((v, axis) => v >= 0 && v < x.shape[axis]);
      return inside ? [{ input: 0, offset: flatOffset(at, strides) }] : [];
    });
  },
};

/** Where each input of a concat starts along the axis, and the joined length. */
function concatOffsets(
  shapes: readonly Shape[],
  axis: number,
): { starts: number[]; length: number } {
  const starts: number[] = [];
  let length = 0;
  for (const shape of shapes) {
    starts.push(length);
    length += shape[axis];
  }
  return { starts, length };
}

export const concat: OpDef<"concat"> = {
  dtype: keptDtype,
  arity: "variadic",
  shape: (shapes, { axis }) => {
    const [first] = shapes;
    if (!Number.isInteger(axis) || axis < 0 || axis >= first.length) {
      throw new ShapeError(`axis ${axis} is out of range for rank ${first.length}`);
    }
    const fits = (shape: Shape) =>
      shape.length === first.length && shape.every((dim, a) => a === axis || dim === first[a]);
    if (!shapes.every(fits)) {
      throw new ShapeError(
        `shapes ${shapes.map(formatShape).join(", ")} differ outside axis ${axis}`,
      );
    }
    return first.map((dim, a) => (a === axis ? concatOffsets(shapes, axis).length : dim));
  },
  // each input is `outer` chunks of shape[axis:], placed side by side in every chunk of the output
  eval: (inputs, { axis }, shape) => {
    const out = new Float64Array(sizeOf(shape));
    const outer = sizeOf(shape.slice(0, axis));
    const outChunk = sizeOf(shape.slice(axis));
    const { starts } = concatOffsets(
      inputs.map((input) => input.shape),
      axis,
    );
    const inner = sizeOf(shape.slice(axis + 1));
    inputs.forEach((input, k) => {
      const chunk = sizeOf(input.shape.slice(axis));
      for (let o = 0; o < outer; o++) {
        out.set(input.data.subarray(o * chunk, (o + 1) * chunk), o * outChunk + starts[k] * inner);
      }
    });
    return out;
  },
  emit: {
    kind: "kernel",
    code: ({ out, args, inShapes, outShape, attrs: { axis } }) => {
      const outer = sizeOf(outShape.slice(0, axis));
      const outChunk = sizeOf(outShape.slice(axis));
      const inner = sizeOf(outShape.slice(axis + 1));
      const { starts } = concatOffsets(inShapes, axis);
      // the outer loop disappears (its stride 0) when there is exactly one chunk
      const copies = args.map((x, k) => {
        const chunk = sizeOf(inShapes[k].slice(axis));
        const to = offset(["i", "j"], [outer === 1 ? 0 : outChunk, 1], starts[k] * inner);
        const from = offset(["i", "j"], [outer === 1 ? 0 : chunk, 1]);
        return `for (let j = 0; j < ${chunk}; j++) ${out}[${to}] = ${x}[${from}];`;
      });
      if (outer === 1) return copies;
      return [`for (let i = 0; i < ${outer}; i++) {`, ...copies.map((line) => `  ${line}`), "}"];
    },
  },
  // strong zero as it stands: x̄ moves ȳ or sums it
  zeroAdjoint: "bounded",
  // x̄_k = ȳ sliced along the axis where input k sits
  vjp: ({ g, inputs, y_bar, attrs: { axis } }) => {
    const { starts } = concatOffsets(
      inputs.map((input) => input.shape),
      axis,
    );
    return inputs.map((input, k) => {
      const begin = input.shape.map((_, a) => (a === axis ? starts[k] : 0));
      const end = y_bar.shape.map((dim, a) => (a === axis ? starts[k] + input.shape[axis] : dim));
      return g.slice(y_bar, begin, end);
    });
  },
  // ẏ = concat(ẋ_k), a structural zero standing in as zeros
  jvp: ({ g, inputs, dots, attrs: { axis } }) => {
    if (dots.every((dot) => dot === null)) return null;
    return g.concat(
      dots.map((dot, k) => dot ?? g.constant(0, inputs[k].shape)),
      axis,
    );
  },
  // y[..., i, ...] = x_k[..., i − start_k, ...] for the input k that holds position i on the axis
  sparsity: ({ deps, inputs, shape, attrs: { axis } }) => {
    const shapes = inputs.map((input) => input.shape);
    const { starts } = concatOffsets(shapes, axis);
    return readSparsity(deps, shape, (index) => {
      const k = shapes.findIndex((s, j) => index[axis] < starts[j] + s[axis]);
      const at = index.map((v, a) => (a === axis ? v - starts[k] : v));
      return [{ input: k, offset: flatOffset(at, stridesOf(shapes[k])) }];
    });
  },
};
