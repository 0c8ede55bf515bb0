// Ops along one axis: the running sum cumsum (linear: its adjoint is the running sum the other
// way) and argmax/argmin (i32 positions, no gradient). A tensor is seen around the axis as
// [outer, size, inner]; each of the outer·inner lines along the axis is walked on its own.
import type { DType, OpName } from "../ir/node.ts";
import { formatShape, sizeOf, type Shape } from "../ir/shape.ts";
import { ShapeError, type KernelIO, type OpDef, type Tensor } from "./def.ts";
import { noSparsity, type Dependencies, type SparsityContext } from "./sparsity.ts";

interface Line {
  readonly outer: number;
  readonly size: number;
  readonly inner: number;
}

function lineOf(shape: Shape, axis: number): Line {
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new ShapeError(`axis ${axis} is out of range for shape ${formatShape(shape)}`);
  }
  return {
    outer: sizeOf(shape.slice(0, axis)),
    size: shape[axis],
    inner: sizeOf(shape.slice(axis + 1)),
  };
}

/** Calls `visit` with the flat offsets of each line along the axis, in the walking order. */
function forEachLine(line: Line, reverse: boolean, visit: (offsets: number[]) => void): void {
  for (let o = 0; o < line.outer; o++) {
    for (let q = 0; q < line.inner; q++) {
      const offsets = Array.from(
        { length: line.size },
        (_, k) => (o * line.size + (reverse ? line.size - 1 - k : k)) * line.inner + q,
      );
      visit(offsets);
    }
  }
}

/** Loops over the lines, the position along one as `k0`, its flat offset as `at`. */
function lineLoops(
  line: Line,
  reverse: boolean,
  body: readonly string[],
  before: readonly string[],
): string[] {
  const position = reverse ? `${line.size - 1} - k0` : "k0";
  const at = `(o0 * ${line.size} + ${position}) * ${line.inner} + q0`;
  return [
    `for (let o0 = 0; o0 < ${line.outer}; o0++) {`,
    `  for (let q0 = 0; q0 < ${line.inner}; q0++) {`,
    ...before.map((text) => `    ${text}`),
    `    for (let k0 = 0; k0 < ${line.size}; k0++) {`,
    `      const at = ${at};`,
    ...body.map((text) => `      ${text}`),
    "    }",
    "  }",
    "}",
  ];
}

export const cumsum: OpDef<"cumsum"> = {
  arity: 1,
  shape: ([x], { axis }) => {
    lineOf(x, axis);
    return x;
  },
  eval: ([x]: readonly Tensor[], { axis, reverse }) => {
    const out = new Float64Array(x.data.length);
    forEachLine(lineOf(x.shape, axis), reverse, (offsets) => {
      let total = 0;
      for (const at of offsets) out[at] = total += x.data[at];
    });
    return out;
  },
  emit: {
    kind: "kernel",
    code: ({ out, args: [x], inShapes: [shape], attrs: { axis, reverse } }: KernelIO<"cumsum">) =>
      lineLoops(
        lineOf(shape, axis),
        reverse,
        [`total += ${x}[at];`, `${out}[at] = total;`],
        ["let total = 0;"],
      ),
  },
  // strong zero as it stands: x̄ is a sum of ȳ's elements
  zeroAdjoint: "bounded",
  // x̄ = the running sum of ȳ taken the other way: x[i] reaches every y[j] at or after i
  vjp: ({ g, y_bar, attrs }) => [g.cumsum(y_bar, attrs.axis, !attrs.reverse)],
  // ẏ = cumsum(ẋ)
  jvp: ({ g, dots: [x_dot], attrs }) =>
    x_dot === null ? null : g.cumsum(x_dot, attrs.axis, attrs.reverse),
  sparsity: cumulativeSparsity,
};

/** y at a position depends on x at it and at every position before it along the line. */
function cumulativeSparsity({
  deps: [x],
  inputs,
  attrs: { axis, reverse },
}: SparsityContext<"cumsum">): Dependencies {
  if (x === "dense") return "dense";
  const out = new Array<Int32Array>(x.length);
  forEachLine(lineOf(inputs[0].shape, axis), reverse, (offsets) => {
    let seen = new Set<number>();
    for (const at of offsets) {
      seen = new Set([...seen, ...x[at]]);
      out[at] = Int32Array.from([...seen].sort((a, b) => a - b));
    }
  });
  return out;
}

type Arg = Extract<OpName, "argmax" | "argmin">;

/** The shape with `axis` removed, or kept as 1. */
function reducedShape(shape: Shape, axis: number, keepDims: boolean): Shape {
  lineOf(shape, axis);
  return keepDims
    ? shape.map((size, at) => (at === axis ? 1 : size))
    : shape.filter((_, at) => at !== axis);
}

/**
 * The position of the largest (argmax) or smallest (argmin) element of each line along `axis`:
 * the first one on a tie, and the first NaN if there is one (NumPy's convention).
 */
function arg<K extends Arg>(better: "<" | ">"): OpDef<K> {
  const beats = better === ">" ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  return {
    arity: 1,
    dtype: ([x], _attrs, float) => {
      if (x !== float) throw new ShapeError(`the operand is ${x}; expected ${float}`);
      return "i32" as DType;
    },
    shape: ([x], { axis, keepDims }) => reducedShape(x, axis, keepDims),
    eval: ([x]: readonly Tensor[], { axis }, shape) => {
      const out = new Float64Array(sizeOf(shape));
      const line = lineOf(x.shape, axis);
      let n = 0;
      forEachLine(line, false, (offsets) => {
        let best = 0;
        for (let k = 1; k < offsets.length && !Number.isNaN(x.data[offsets[best]]); k++) {
          const value = x.data[offsets[k]];
          if (Number.isNaN(value) || beats(value, x.data[offsets[best]])) best = k;
        }
        out[n++] = best;
      });
      return out;
    },
    emit: {
      kind: "kernel",
      code: ({ out, args: [x], inShapes: [shape], outShape, attrs: { axis } }: KernelIO<K>) => {
        const line = lineOf(shape, axis);
        const scalar = outShape.length === 0;
        const store = scalar ? `${out} = best;` : `${out}[o0 * ${line.inner} + q0] = best;`;
        const loops = lineLoops(
          line,
          false,
          [
            `const value = ${x}[at];`,
            `if (k0 === 0 || (bestValue === bestValue && (value !== value || value ${better} bestValue))) {`,
            "  best = k0;",
            "  bestValue = value;",
            "}",
          ],
          ["let best = 0;", "let bestValue = NaN;"],
        );
        // the store goes after the walk along the line, inside the two outer loops
        loops.splice(loops.length - 2, 0, `    ${store}`);
        return scalar ? [`let ${out} = 0;`, ...loops] : loops;
      },
    },
    // strong zero as it stands: no gradient flows
    zeroAdjoint: "bounded",
    // an integer output: no gradient flows into x (a structural zero, not an error)
    vjp: () => [null],
    jvp: () => null,
    sparsity: noSparsity,
  };
}

export const argmax: OpDef<"argmax"> = arg(">");
export const argmin: OpDef<"argmin"> = arg("<");
