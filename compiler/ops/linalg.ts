// Matrix product with transpose flags, so adjoints never materialise a transpose.
import type { AttrsOf } from "../ir/node.ts";
import type { Shape } from "../ir/shape.ts";
import { ShapeError, type OpDef } from "./def.ts";
import { plus } from "./elementwise.ts";

type MatmulAttrs = AttrsOf["matmul"];

/** Rows and columns of op(A), op(B) and the shared inner dimension. */
function dims(a: Shape, b: Shape, { transA, transB }: MatmulAttrs) {
  if (a.length !== 2 || b.length !== 2) {
    throw new ShapeError(
      `expects two matrices (rank 2); batch and vector forms are not supported yet`,
    );
  }
  const [m, k] = transA ? [a[1], a[0]] : [a[0], a[1]];
  const [kB, n] = transB ? [b[1], b[0]] : [b[0], b[1]];
  if (k !== kB) {
    throw new ShapeError(
      `inner dimensions differ: op(A) is ${m}x${k}, op(B) is ${kB}x${n}` +
        ` (transA=${transA}, transB=${transB})`,
    );
  }
  return { m, k, n };
}

/** Row-major index of op(A)[i, p] and op(B)[p, j] as source text. */
function indexA(i: string, p: string, m: number, k: number, transA: boolean): string {
  return transA ? `${p} * ${m} + ${i}` : `${i} * ${k} + ${p}`;
}
function indexB(p: string, j: string, k: number, n: number, transB: boolean): string {
  return transB ? `${j} * ${k} + ${p}` : `${p} * ${n} + ${j}`;
}

export const matmul: OpDef<"matmul"> = {
  arity: 2,
  shape: ([a, b], attrs) => {
    const { m, n } = dims(a, b, attrs);
    return [m, n];
  },
  eval: ([a, b], attrs) => {
    const { m, k, n } = dims(a.shape, b.shape, attrs);
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let total = 0;
        for (let p = 0; p < k; p++) {
          const ia = attrs.transA ? p * m + i : i * k + p;
          const ib = attrs.transB ? j * k + p : p * n + j;
          total += a.data[ia] * b.data[ib];
        }
        out[i * n + j] = total;
      }
    }
    return out;
  },
  emit: {
    kind: "kernel",
    code: ({ out, args: [a, b], inShapes, attrs }) => {
      const { m, k, n } = dims(inShapes[0], inShapes[1], attrs);
      const A = (i: string, p: string) => `${a}[${indexA(i, p, m, k, attrs.transA)}]`;
      const B = (p: string, j: string) => `${b}[${indexB(p, j, k, n, attrs.transB)}]`;
      if (attrs.transB) {
        // rows of op(B) are contiguous: one dot product per output element
        return [
          `for (let i = 0; i < ${m}; i++) {`,
          `  for (let j = 0; j < ${n}; j++) {`,
          `    let total = 0;`,
          `    for (let p = 0; p < ${k}; p++) total += ${A("i", "p")} * ${B("p", "j")};`,
          `    ${out}[i * ${n} + j] = total;`,
          `  }`,
          `}`,
        ];
      }
      // i-p-j order: the inner loop walks a row of B and a row of the output
      return [
        `${out}.fill(0);`,
        `for (let i = 0; i < ${m}; i++) {`,
        `  for (let p = 0; p < ${k}; p++) {`,
        `    const a_ip = ${A("i", "p")};`,
        `    for (let j = 0; j < ${n}; j++) ${out}[i * ${n} + j] += a_ip * ${B("p", "j")};`,
        `  }`,
        `}`,
      ];
    },
  },
  // Y = op(A)·op(B): op(A)‾ = Ȳ·op(B)ᵀ, op(B)‾ = op(A)ᵀ·Ȳ, transposed back when a flag is set
  vjp: ({ g, inputs: [a, b], y_bar, attrs: { transA, transB } }) => [
    transA
      ? g.matmul(b, y_bar, { transA: transB, transB: true })
      : g.matmul(y_bar, b, { transB: !transB }),
    transB
      ? g.matmul(y_bar, a, { transA: true, transB: transA })
      : g.matmul(a, y_bar, { transA: !transA }),
  ],
  // Ẏ = op(Ȧ)·op(B) + op(A)·op(Ḃ)
  jvp: ({ g, inputs: [a, b], dots: [a_dot, b_dot], attrs }) =>
    plus(
      g,
      a_dot === null ? null : g.matmul(a_dot, b, attrs),
      b_dot === null ? null : g.matmul(a, b_dot, attrs),
    ),
};
