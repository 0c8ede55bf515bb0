// Matrix products over the last two axes, with transpose flags (so adjoints never materialise a
// transpose) and NumPy-broadcast batch axes in front; the inner product of two vectors.
import type { OpBuilder } from "./builder.ts";
import type { AttrsOf, Node } from "../ir/node.ts";
import {
  broadcastShapes,
  broadcastStrides,
  formatShape,
  sameShape,
  sizeOf,
  type Shape,
} from "../ir/shape.ts";
import {
  fitTo,
  ShapeError,
  type KernelIO,
  type OpDef,
  type Partials,
  type StrongZeroContext,
  type WasmSite,
} from "./def.ts";
import { plus } from "./elementwise.ts";
import { loopNest, offset } from "./loops.ts";
import { nonzero, wholeZero, zeroWhere } from "./strongzero.ts";
import { denseSparsity, unionOf, type Dependencies, type SparsityContext } from "./sparsity.ts";

type MatmulAttrs = AttrsOf["matmul"];

/** The broadcast batch shape, rows and columns of op(A), op(B) and the shared inner dimension. */
function dims(a: Shape, b: Shape, { transA, transB }: MatmulAttrs) {
  if (a.length < 2 || b.length < 2) {
    throw new ShapeError(
      `expects matrices or batches of matrices (rank 2 or more), got ${formatShape(a)} and ${formatShape(b)}` +
        ` (use dot for two vectors, or reshape a vector to a one-column matrix)`,
    );
  }
  const [rowsA, colsA] = a.slice(-2);
  const [rowsB, colsB] = b.slice(-2);
  const [m, k] = transA ? [colsA, rowsA] : [rowsA, colsA];
  const [kB, n] = transB ? [colsB, rowsB] : [rowsB, colsB];
  if (k !== kB) {
    throw new ShapeError(
      `inner dimensions differ: op(A) is ${m}x${k}, op(B) is ${kB}x${n}` +
        ` (transA=${transA}, transB=${transB})`,
    );
  }
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2));
  if (batch === undefined) {
    throw new ShapeError(
      `batch dimensions ${formatShape(a.slice(0, -2))} and ${formatShape(b.slice(0, -2))} do not broadcast`,
    );
  }
  return { batch, m, k, n };
}

/** Element strides of an operand's batch axes read at the output's batch index (0 where broadcast). */
function batchStrides(shape: Shape, batch: Shape): number[] {
  return broadcastStrides(shape, [...batch, ...shape.slice(-2)]).slice(0, batch.length);
}

/** For each batch element in row-major order, where an operand's matrix starts. */
function batchOffsets(batch: Shape, strides: readonly number[]): number[] {
  return batch.reduce<number[]>(
    (offsets, size, axis) =>
      offsets.flatMap((start) => Array.from({ length: size }, (_, i) => start + i * strides[axis])),
    [0],
  );
}

/** True when B is one matrix shared by the whole batch and A is not transposed: A's rows stack. */
function rowsStack(b: Shape, batch: Shape, { transA }: MatmulAttrs): boolean {
  return !transA && batchStrides(b, batch).every((stride) => stride === 0);
}

/**
 * i-p-j order over four rows of the output and two steps of p at a time: the inner loop walks two
 * rows of B and four of the output, each element of B serving four rows and each output update
 * taking two products. Row offsets are hoisted out of the inner loop.
 */
function fourRowBlocks(
  [out, , b]: readonly [string, string, string],
  { blocked, k, n }: { readonly blocked: number; readonly k: number; readonly n: number },
  A: (r: number, p: string) => string,
  bases: Bases,
): string[] {
  const at = (base: string, index: string) => (base === "" ? index : `${base} + ${index}`);
  const rows = [0, 1, 2, 3];
  const pairs = k - (k % 2);
  const update = (steps: number) =>
    rows.map((r) =>
      steps === 2
        ? `${out}[o${r} + j] += a${r} * b0 + c${r} * b1;`
        : `${out}[o${r} + j] += a${r} * b0;`,
    );
  const lines = [
    `for (let i = 0; i < ${blocked}; i += 4) {`,
    `const o0 = ${at(bases.out, `i * ${n}`)};`,
    ...[1, 2, 3].map((r) => `const o${r} = o${r - 1} + ${n};`),
  ];
  if (pairs > 0) {
    lines.push(
      `for (let p = 0; p < ${pairs}; p += 2) {`,
      ...rows.map((r) => `const a${r} = ${A(r, "p")};`),
      ...rows.map((r) => `const c${r} = ${A(r, "p + 1")};`),
      `const q0 = ${at(bases.b, `p * ${n}`)};`,
      `const q1 = q0 + ${n};`,
      `for (let j = 0; j < ${n}; j++) {`,
      `const b0 = ${b}[q0 + j];`,
      `const b1 = ${b}[q1 + j];`,
      ...update(2),
      `}`,
      `}`,
    );
  }
  if (pairs < k) {
    // an odd k leaves its last step to a single pass
    const last = String(k - 1);
    lines.push(
      `{`,
      ...rows.map((r) => `const a${r} = ${A(r, last)};`),
      `const q0 = ${at(bases.b, `${k - 1} * ${n}`)};`,
      `for (let j = 0; j < ${n}; j++) {`,
      `const b0 = ${b}[q0 + j];`,
      ...update(1),
      `}`,
      `}`,
    );
  }
  lines.push(`}`);
  return lines;
}

/** Where each matrix of a batched kernel starts, as source text ("" for offset zero). */
interface Bases {
  readonly a: string;
  readonly b: string;
  readonly out: string;
}

const noBases: Bases = { a: "", b: "", out: "" };

/**
 * The loops of one product op(A)·op(B) into `out` (which the i-p-j order expects zeroed first),
 * the matrices starting at `bases`.
 */
function productLoops(
  [out, a, b]: readonly [string, string, string],
  { m, k, n }: { readonly m: number; readonly k: number; readonly n: number },
  { transA, transB }: MatmulAttrs,
  bases: Bases,
): string[] {
  const at = (base: string, index: string) => (base === "" ? index : `${base} + ${index}`);
  // row `i + r` of the output or of op(A), as source text
  const row = (r: number) => (r === 0 ? "i" : `(i + ${r})`);
  // element (i + r, p) of op(A); `p` may be a sum ("p + 1"), so it is grouped where it is scaled
  const A = (r: number, p: string) => {
    const column = p.includes(" ") ? `(${p})` : p;
    const index = transA
      ? `${column} * ${m} + ${r === 0 ? "i" : `i + ${r}`}`
      : `${row(r)} * ${k} + ${p}`;
    return `${a}[${at(bases.a, index)}]`;
  };
  const B = (p: string, j: string) =>
    `${b}[${at(bases.b, transB ? `${j} * ${k} + ${p}` : `${p} * ${n} + ${j}`)}]`;
  const Y = (r: number) => `${out}[${at(bases.out, `${row(r)} * ${n} + j`)}]`;
  // four rows at a time: each element of op(B) loaded once serves four outputs
  const blocked = m - (m % 4);
  const rows = [0, 1, 2, 3];
  const lines: string[] = [];
  if (blocked > 0 && transB) {
    // rows of op(B) are contiguous: four dot products per column of op(B)
    lines.push(
      `for (let i = 0; i < ${blocked}; i += 4) {`,
      `for (let j = 0; j < ${n}; j++) {`,
      ...rows.map((r) => `let c${r} = 0;`),
      `for (let p = 0; p < ${k}; p++) {`,
      `const b_pj = ${B("p", "j")};`,
      ...rows.map((r) => `c${r} += ${A(r, "p")} * b_pj;`),
      `}`,
      ...rows.map((r) => `${Y(r)} = c${r};`),
      `}`,
      `}`,
    );
  } else if (blocked > 0) {
    lines.push(...fourRowBlocks([out, a, b], { blocked, k, n }, A, bases));
  }
  if (blocked === m) return lines;
  const first = blocked === 0 ? "0" : String(blocked);
  if (transB) {
    return [
      ...lines,
      `for (let i = ${first}; i < ${m}; i++) {`,
      `for (let j = 0; j < ${n}; j++) {`,
      `let total = 0;`,
      `for (let p = 0; p < ${k}; p++) total += ${A(0, "p")} * ${B("p", "j")};`,
      `${Y(0)} = total;`,
      `}`,
      `}`,
    ];
  }
  return [
    ...lines,
    `for (let i = ${first}; i < ${m}; i++) {`,
    `for (let p = 0; p < ${k}; p++) {`,
    `const a_ip = ${A(0, "p")};`,
    `for (let j = 0; j < ${n}; j++) ${Y(0)} += a_ip * ${B("p", "j")};`,
    `}`,
    `}`,
  ];
}

/** An outer loop over the batch, each operand advancing by its own strides (0 where broadcast). */
function batchedLoops(io: KernelIO<"matmul">): string[] {
  const attrs = io.attrs;
  const [a, b] = io.args;
  const { batch, m, k, n } = dims(io.inShapes[0], io.inShapes[1], attrs);
  const outStrides = batchStrides([...batch, m, n], batch);
  return loopNest(batch, (index) => {
    const starts = {
      a: offset(index, batchStrides(io.inShapes[0], batch)),
      b: offset(index, batchStrides(io.inShapes[1], batch)),
      out: offset(index, outStrides),
    };
    // a matrix shared by the whole batch starts at 0 and needs no base
    const named = (key: keyof Bases) => (starts[key] === "0" ? "" : `${key}_base`);
    const bases = { a: named("a"), b: named("b"), out: named("out") };
    const declarations = (Object.keys(starts) as (keyof Bases)[])
      .filter((key) => bases[key] !== "")
      .map((key) => `const ${bases[key]} = ${starts[key]};`);
    return [...declarations, ...productLoops([io.out, a, b], { m, k, n }, attrs, bases)];
  });
}

/** The generated loops: i-p-j over four-row blocks (i-j-p when B is transposed), then the rest. */
function jsLoops(io: KernelIO<"matmul">): string[] {
  const { out, args, inShapes, attrs } = io;
  const { batch, m, k, n } = dims(inShapes[0], inShapes[1], attrs);
  const zeroFirst = attrs.transB ? [] : [`${out}.fill(0);`];
  // one product, or a batch of A's times one shared B: a single product with the rows stacked
  if (batch.length === 0 || rowsStack(inShapes[1], batch, attrs)) {
    const rows = sizeOf(batch) * m;
    return [
      ...zeroFirst,
      ...productLoops([out, args[0], args[1]], { m: rows, k, n }, attrs, noBases),
    ];
  }
  return [...zeroFirst, ...batchedLoops(io)];
}

/**
 * Calls of the kernel library's matmul on arena offsets, one per product the JS loops compute
 * (the same m, k and n, so the library can keep their summation order).
 */
function libraryCalls(io: KernelIO<"matmul">, site: WasmSite): string[] {
  const { inShapes, attrs } = io;
  const { batch, m, k, n } = dims(inShapes[0], inShapes[1], attrs);
  const what = (name: string, trans: boolean) => (trans ? `${name}^T` : name);
  const says = `// ${io.out} = ${what(io.args[0], attrs.transA)} * ${what(io.args[1], attrs.transB)}`;
  const flags = `${Number(attrs.transA)}, ${Number(attrs.transB)}`;
  const call = (a: string, b: string, out: string, rows: number) =>
    `${site.entry}(${a}, ${b}, ${out}, ${rows}, ${k}, ${n}, ${flags});`;
  const [atA, atB] = site.args;
  if (batch.length === 0 || rowsStack(inShapes[1], batch, attrs))
    return [`${call(String(atA), String(atB), String(site.out), sizeOf(batch) * m)} ${says}`];
  const outStrides = batchStrides([...batch, m, n], batch);
  return [
    `${says}, per batch element`,
    ...loopNest(batch, (index) => [
      call(
        offset(index, batchStrides(inShapes[0], batch), atA),
        offset(index, batchStrides(inShapes[1], batch), atB),
        offset(index, outStrides, site.out),
        m,
      ),
    ]),
  ];
}

export const matmul: OpDef<"matmul"> = {
  arity: 2,
  shape: ([a, b], attrs) => {
    const { batch, m, n } = dims(a, b, attrs);
    return [...batch, m, n];
  },
  eval: ([a, b], attrs, shape) => {
    const { batch, m, k, n } = dims(a.shape, b.shape, attrs);
    const out = new Float64Array(sizeOf(shape));
    const startsA = batchOffsets(batch, batchStrides(a.shape, batch));
    const startsB = batchOffsets(batch, batchStrides(b.shape, batch));
    startsA.forEach((startA, t) => {
      const startB = startsB[t];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let total = 0;
          for (let p = 0; p < k; p++) {
            const ia = attrs.transA ? p * m + i : i * k + p;
            const ib = attrs.transB ? j * k + p : p * n + j;
            total += a.data[startA + ia] * b.data[startB + ib];
          }
          out[t * m * n + i * n + j] = total;
        }
      }
    });
    return out;
  },
  emit: {
    kind: "kernel",
    code: (io) => {
      if (io.wasm === undefined) return jsLoops(io);
      const calls = libraryCalls(io, io.wasm);
      if (io.wasm.when === undefined) return calls;
      return [`if (${io.wasm.when}) {`, ...calls, `} else {`, ...jsLoops(io), `}`];
    },
  },
  zeroAdjoint: matmulZero,
  // Y = op(A)·op(B): op(A)‾ = Ȳ·op(B)ᵀ and op(B)‾ = op(A)ᵀ·Ȳ written with flags, transposed back
  // when a flag is set; each then summed over the batch axes its operand was broadcast along
  vjp: ({ g, inputs: [a, b], y_bar, attrs }) => {
    const { transA, transB } = attrs;
    const a_bar = transA
      ? g.matmul(b, y_bar, { transA: transB, transB: true })
      : g.matmul(y_bar, b, { transB: !transB });
    return [fitTo(g, a_bar, a.shape), rightAdjoint(g, a, b, y_bar, attrs)];
  },
  // Ẏ = op(Ȧ)·op(B) + op(A)·op(Ḃ)
  jvp: ({ g, inputs: [a, b], dots: [a_dot, b_dot], attrs }) =>
    plus(
      g,
      a_dot === null ? null : g.matmul(a_dot, b, attrs),
      b_dot === null ? null : g.matmul(a, b_dot, attrs),
    ),
  // Y[t, i, j] = Σ_p op(A)[t, i, p]·op(B)[t, p, j]: row i of op(A) and column j of op(B)
  sparsity: matmulSparsity,
};

/**
 * Strong zero for Y = op(A)·op(B), whose adjoints are sums of products: an element of A (of B) that
 * reaches no output with ȳ ≠ 0 gets exactly 0 and is read as 0 by the other operand's adjoint
 * where it is not finite, so a non-finite factor that only inactive outputs read never enters a sum. The rule itself, run on ones and
 * on the 0/1 pattern of ȳ, counts the active outputs each element reaches.
 */
function matmulZero({ g, inputs, y_bar, rule }: StrongZeroContext<"matmul">): Partials {
  const ones = inputs.map((x) => g.constant(1, x.shape));
  const idle = rule(ones, nonzero(g, y_bar)).map((reach) => g.eq(reach as Node, 0));
  const read = inputs.map((x, k) => zeroWhere(g, idle[k], x) as Node);
  return rule(read, y_bar).map((part, k) => zeroWhere(g, idle[k], part));
}

function matmulSparsity({ deps, inputs: [a, b], attrs }: SparsityContext<"matmul">): Dependencies {
  const [depsA, depsB] = deps;
  if (depsA === "dense" || depsB === "dense") return "dense";
  const { batch, m, k, n } = dims(a.shape, b.shape, attrs);
  const startsB = batchOffsets(batch, batchStrides(b.shape, batch));
  const along = (at: (p: number) => Int32Array) =>
    unionOf(Array.from({ length: k }, (_, p) => at(p)));
  return batchOffsets(batch, batchStrides(a.shape, batch)).flatMap((startA, t) => {
    const rows = Array.from({ length: m }, (_, i) =>
      along((p) => depsA[startA + (attrs.transA ? p * m + i : i * k + p)]),
    );
    const columns = Array.from({ length: n }, (_, j) =>
      along((p) => depsB[startsB[t] + (attrs.transB ? j * k + p : p * n + j)]),
    );
    return rows.flatMap((row) => columns.map((column) => unionOf([row, column])));
  });
}

/** op(B)‾ = op(A)ᵀ·Ȳ, as one product of stacked rows when B is a matrix shared by a batch of A's. */
function rightAdjoint(g: OpBuilder, a: Node, b: Node, y_bar: Node, attrs: MatmulAttrs): Node {
  const { transA, transB } = attrs;
  if (b.shape.length === 2 && a.shape.length > 2 && !transA) {
    // B̄ = Σ_t A_tᵀ·Ȳ_t = A₂ᵀ·Ȳ₂ with the batch's rows stacked: A₂ is [batch·m, k], Ȳ₂ is [batch·m, n]
    const stacked = (x: Node) =>
      g.reshape(x, [sizeOf(x.shape.slice(0, -1)), x.shape[x.shape.length - 1]]);
    return transB
      ? g.matmul(stacked(y_bar), stacked(a), { transA: true })
      : g.matmul(stacked(a), stacked(y_bar), { transA: true });
  }
  const b_bar = transB
    ? g.matmul(y_bar, a, { transA: true, transB: transA })
    : g.matmul(a, y_bar, { transA: !transA });
  return fitTo(g, b_bar, b.shape);
}

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
  // one output: the partials ȳ·b and ȳ·a are 0 when ȳ is
  zeroAdjoint: wholeZero,
  // ā = ȳ·b, b̄ = ȳ·a
  vjp: ({ g, inputs: [a, b], y_bar }) => [g.mul(y_bar, b), g.mul(y_bar, a)],
  // ẏ = ⟨ȧ, b⟩ + ⟨a, ḃ⟩
  jvp: ({ g, inputs: [a, b], dots: [a_dot, b_dot] }) =>
    plus(g, a_dot === null ? null : g.dot(a_dot, b), b_dot === null ? null : g.dot(a, b_dot)),
  // y = Σ aᵢbᵢ: every element of both
  sparsity: denseSparsity,
};
