// Reductions and their adjoint partner: sum of all elements, scalar broadcast, and the vector dot product.
import { formatShape, sameShape, sizeOf } from "../ir/shape.ts";
import { ShapeError, sumDots, type OpDef } from "./def.ts";
import { plus } from "./elementwise.ts";

export const sum: OpDef<"sum"> = {
  arity: 1,
  shape: () => [],
  eval: ([x]) => Float64Array.of(x.data.reduce((total, value) => total + value, 0)),
  emit: {
    kind: "kernel",
    code: ({ out, args: [x], inShapes: [shape] }) =>
      shape.length === 0
        ? [`let ${out} = ${x};`]
        : [`let ${out} = 0;`, `for (let i = 0; i < ${sizeOf(shape)}; i++) ${out} += ${x}[i];`],
  },
  // x̄ = broadcast(ȳ)
  vjp: ({ g, inputs: [x], y_bar }) => [g.broadcast(y_bar, x.shape)],
  // ẏ = sum(ẋ)
  jvp: ({ g, dots: [x_dot] }) => (x_dot === null ? null : g.sum(x_dot)),
};

export const broadcast: OpDef<"broadcast"> = {
  arity: 1,
  shape: ([x], { shape }) => {
    if (x.length !== 0) {
      throw new ShapeError(`only a scalar broadcasts in this version, to ${formatShape(shape)}`);
    }
    return shape;
  },
  eval: ([x], _attrs, shape) => new Float64Array(sizeOf(shape)).fill(x.data[0]),
  emit: { kind: "kernel", code: ({ out, args: [x] }) => [`${out}.fill(${x});`] },
  // x̄ = sum(ȳ)
  vjp: ({ g, y_bar }) => [g.sum(y_bar)],
  // ẏ = broadcast(ẋ)
  jvp: ({ g, dots, attrs }) => sumDots(g, dots, attrs.shape),
};

export const dot: OpDef<"dot"> = {
  arity: 2,
  shape: ([a, b]) => {
    if (a.length !== 1 || !sameShape(a, b)) {
      throw new ShapeError(`expects two vectors of the same length`);
    }
    return [];
  },
  eval: ([a, b]) => {
    let total = 0;
    for (let i = 0; i < a.data.length; i++) total += a.data[i] * b.data[i];
    return Float64Array.of(total);
  },
  emit: {
    kind: "kernel",
    code: ({ out, args: [a, b], inShapes: [shape] }) => [
      `let ${out} = 0;`,
      `for (let i = 0; i < ${shape[0]}; i++) ${out} += ${a}[i] * ${b}[i];`,
    ],
  },
  // ā = ȳ·b, b̄ = ȳ·a
  vjp: ({ g, inputs: [a, b], y_bar }) => [g.mul(y_bar, b), g.mul(y_bar, a)],
  // ẏ = ⟨ȧ, b⟩ + ⟨a, ḃ⟩
  jvp: ({ g, inputs: [a, b], dots: [a_dot, b_dot] }) =>
    plus(g, a_dot === null ? null : g.dot(a_dot, b), b_dot === null ? null : g.dot(a, b_dot)),
};
