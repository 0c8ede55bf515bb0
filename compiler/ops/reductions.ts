// Reductions over any axes, with keepDims: sum, max, min, prod, logsumexp, and prod's exact adjoint.
import type { OpBuilder } from "./builder.ts";
import type { Node, NodeOf, ReduceAttrs } from "../ir/node.ts";
import { formatShape, reducedShape, sizeOf, stridesOf, type Shape } from "../ir/shape.ts";
import { ShapeError, type FusedRead, type KernelIO, type OpDef, type Tensor } from "./def.ts";
import { loopNest, offset } from "./loops.ts";
import { groupZero, reducedZero } from "./strongzero.ts";
import { groupSparsity, reductionSparsity } from "./sparsity.ts";

/** Throws unless every axis is in range for `shape`. */
function checkAxes(shape: Shape, axes: readonly number[]): void {
  if (axes.some((axis) => !Number.isInteger(axis) || axis < 0 || axis >= shape.length)) {
    throw new ShapeError(
      `axes ${JSON.stringify(axes)} out of range for shape ${formatShape(shape)}`,
    );
  }
}

/** The shape rule shared by every reduction: axes in range, then dropped or kept as 1. */
export function reduceShape([x]: readonly Shape[], { axes, keepDims }: ReduceAttrs): Shape {
  checkAxes(x, axes);
  return reducedShape(x, axes, keepDims);
}

/** Flat indices of the elements of `shape` grouped by output element, row-major within each group. */
export function groupIndices(shape: Shape, axes: readonly number[]): number[][] {
  const kept = shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const keptStrides = stridesOf(kept.map((axis) => shape[axis]));
  const groups: number[][] = Array.from({ length: sizeOf(kept.map((a) => shape[a])) }, () => []);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < sizeOf(shape); i++) {
    let group = 0;
    kept.forEach((axis, k) => (group += index[axis] * keptStrides[k]));
    groups[group].push(i);
    for (let axis = shape.length - 1; axis >= 0 && ++index[axis] === shape[axis]; axis--)
      index[axis] = 0;
  }
  return groups;
}

/** The elements of `x` grouped by output element, in row-major order within each group. */
export function reductionGroups(x: Tensor, axes: readonly number[]): number[][] {
  return groupIndices(x.shape, axes).map((group) => group.map((i) => x.data[i]));
}

/** The shape of a reduction's output with the reduced axes kept as 1 (for broadcasting back). */
export function keptShape(inShape: Shape, axes: readonly number[]): Shape {
  return reducedShape(inShape, axes, true);
}

/** Element `at` of kernel argument `x`, which is a scalar expression when its shape is rank 0. */
function element(x: string, shape: Shape, at: string): string {
  return shape.length === 0 ? x : `${x}[${at}]`;
}

/**
 * Loops computing a reduction: for each output element an accumulator `acc` starts at `init`,
 * takes `step(acc, element)` over its group, and is stored in the output.
 */
export function reductionCode(
  io: {
    readonly out: string;
    readonly args: readonly string[];
    readonly inShapes: readonly Shape[];
    readonly fusedInput?: (offset: string) => FusedRead;
  },
  attrs: ReduceAttrs,
  init: string,
  step: (acc: string, element: string) => string,
  scalarOut: boolean,
): string[] {
  const [x] = io.args;
  const inShape = io.inShapes[0];
  const read = (at: string): FusedRead =>
    io.fusedInput?.(at) ?? { lines: [], value: element(x, inShape, at) };
  if (scalarOut) {
    // everything reduces to one scalar local: one flat loop
    const n = sizeOf(inShape);
    const { lines, value } = read("i");
    const update = `${io.out} = ${step(io.out, value)};`;
    return [
      `let ${io.out} = ${init};`,
      ...(lines.length === 0
        ? [`for (let i = 0; i < ${n}; i++) ${update}`]
        : [`for (let i = 0; i < ${n}; i++) {`, ...lines, update, "}"]),
    ];
  }
  return overGroups(inShape, attrs.axes, ({ outOffset, each }) => [
    `let acc = ${init};`,
    ...each((at) => {
      const { lines, value } = read(at);
      return [...lines, `acc = ${step("acc", value)};`];
    }),
    `${io.out}[${outOffset}] = acc;`,
  ]);
}

/** What a kernel can do inside one reduction group. */
interface GroupLoop {
  /** Offset of the group's output element, for an output with the reduced axes dropped. */
  readonly outOffset: string;
  /** Loops over the group's elements (backwards when `reversed`); `body` gets each element's input offset. */
  readonly each: (body: (at: string) => readonly string[], reversed?: boolean) => string[];
}

/**
 * Loops over the reduction groups of an input of shape `inShape`, with the statements `perGroup`
 * returns for each. A single group (every axis reduced) is the whole input in order: one flat loop,
 * in a block so that the statements' locals stay local.
 */
function overGroups(
  inShape: Shape,
  axes: readonly number[],
  perGroup: (group: GroupLoop) => readonly string[],
): string[] {
  const kept = inShape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  if (kept.length === 0) {
    const n = sizeOf(inShape);
    const each = (body: (at: string) => readonly string[], reversed = false) => [
      reversed ? `for (let i = ${n - 1}; i >= 0; i--) {` : `for (let i = 0; i < ${n}; i++) {`,
      ...body("i").map((line) => `  ${line}`),
      "}",
    ];
    const lines = perGroup({ outOffset: "0", each });
    return ["{", ...lines.map((line) => `  ${line}`), "}"];
  }
  const inStrides = stridesOf(inShape);
  const keptDims = kept.map((axis) => inShape[axis]);
  return loopNest(keptDims, (outer) => {
    const each = (body: (at: string) => readonly string[], reversed = false) =>
      loopNest(
        axes.map((axis) => inShape[axis]),
        (inner) => {
          const indexOf = (axis: number): string => {
            if (kept.includes(axis)) return outer[kept.indexOf(axis)];
            const r = inner[axes.indexOf(axis)];
            return reversed ? `(${inShape[axis] - 1} - ${r})` : r;
          };
          return body(
            offset(
              inShape.map((_, axis) => indexOf(axis)),
              inStrides,
            ),
          );
        },
        "r",
      );
    return perGroup({ outOffset: offset(outer, stridesOf(keptDims)), each });
  });
}

/** A reduction kernel whose groups need several passes: `perGroup` gives statements and the group's value. */
function multiPassReduction(
  io: { readonly out: string; readonly outShape: Shape; readonly inShapes: readonly Shape[] },
  axes: readonly number[],
  perGroup: (group: GroupLoop) => {
    readonly statements: readonly string[];
    readonly value: string;
  },
): string[] {
  const scalarOut = io.outShape.length === 0;
  const loops = overGroups(io.inShapes[0], axes, (group) => {
    const { statements, value } = perGroup(group);
    return [
      ...statements,
      scalarOut ? `${io.out} = ${value};` : `${io.out}[${group.outOffset}] = ${value};`,
    ];
  });
  return scalarOut ? [`let ${io.out} = 0;`, ...loops] : loops;
}

/** ȳ (a reduction's adjoint) reshaped so it broadcasts against the input. */
function keptBar(g: OpBuilder, y_bar: Node, x: Node, axes: readonly number[]): Node {
  return g.reshape(y_bar, keptShape(x.shape, axes));
}

/**
 * Arity, shape, eval and emit of a reduction that folds each group with one binary operation,
 * starting from `init` (source text of a number), in the interpreter and in emitted code alike.
 */
function folding<K extends "sum" | "max" | "min" | "prod">(
  init: string,
  combine: (a: number, b: number) => number,
  step: (acc: string, element: string) => string,
): Pick<OpDef<K>, "arity" | "shape" | "eval" | "emit"> {
  return {
    arity: 1,
    shape: reduceShape,
    eval: ([x], { axes }) =>
      Float64Array.from(reductionGroups(x, axes), (group) => group.reduce(combine, Number(init))),
    emit: {
      kind: "kernel",
      code: (io) => reductionCode(io, io.attrs, init, step, io.outShape.length === 0),
      fusesInput: true,
      accumulator: { init, step },
    },
  };
}

export const sum: OpDef<"sum"> = {
  ...folding<"sum">(
    "0",
    (a, b) => a + b,
    (acc, element) => `${acc} + ${element}`,
  ),
  // strong zero as it stands: x̄ is ȳ broadcast
  zeroAdjoint: "bounded",
  // x̄ = ȳ broadcast back over the summed axes
  vjp: ({ g, inputs: [x], y_bar, attrs }) => [
    g.broadcastTo(keptBar(g, y_bar, x, attrs.axes), x.shape),
  ],
  // ẏ = sum(ẋ)
  jvp: ({ g, dots: [x_dot], attrs }) =>
    x_dot === null ? null : g.sum(x_dot, attrs.axes, attrs.keepDims),
  sparsity: reductionSparsity,
};

/**
 * mask/count for max and min: 1/count at the elements equal to the group's extremum y, 0 elsewhere,
 * so tied elements share the gradient equally. The mask is locally constant: no gradient flows through it.
 */
function tieWeights(g: OpBuilder, x: Node, y: Node, axes: readonly number[]): Node {
  const hits = g.eq(x, g.reshape(y, keptShape(x.shape, axes)));
  const mask = g.stopGradient(g.cast(hits, g.graph.dtype));
  return g.div(mask, g.sum(mask, axes, true));
}

/** max or min: the extremum `pick` of each group, with the gradient split among ties. */
function extremum<K extends "max" | "min">(pick: K): OpDef<K> {
  const combine = pick === "max" ? Math.max : Math.min;
  const init = pick === "max" ? "-Infinity" : "Infinity";
  // the output node; for a generic K, TypeScript cannot see that NodeOf<K> is a Node
  const output = (y: NodeOf<K>) => y as Node;
  return {
    ...folding<K>(
      init,
      (a, b) => combine(a, b),
      (acc, element) => `Math.${pick}(${acc}, ${element})`,
    ),
    zeroAdjoint: reducedZero,
    // x̄ = ȳ·mask/count, mask = [x = y] (y broadcast back)
    vjp: ({ g, inputs: [x], y, y_bar, attrs }) => [
      g.mul(keptBar(g, y_bar, x, attrs.axes), tieWeights(g, x, output(y), attrs.axes)),
    ],
    // ẏ = sum(ẋ·mask/count)
    jvp: ({ g, inputs: [x], y, dots: [x_dot], attrs }) =>
      x_dot === null
        ? null
        : g.sum(g.mul(x_dot, tieWeights(g, x, output(y), attrs.axes)), attrs.axes, attrs.keepDims),
    sparsity: reductionSparsity,
  };
}

export const max: OpDef<"max"> = extremum("max");
export const min: OpDef<"min"> = extremum("min");

export const prod: OpDef<"prod"> = {
  ...folding<"prod">(
    "1",
    (a, b) => a * b,
    (acc, element) => `${acc} * ${element}`,
  ),
  zeroAdjoint: reducedZero,
  // x̄ = ȳ·Π_{j≠i} x_j: prodExcept, never y/x, so it is exact when entries are zero
  vjp: ({ g, inputs: [x], y_bar, attrs }) => [
    g.mul(keptBar(g, y_bar, x, attrs.axes), g.prodExcept(x, attrs.axes)),
  ],
  // ẏ = sum(ẋ·prodExcept(x))
  jvp: ({ g, inputs: [x], dots: [x_dot], attrs }) =>
    x_dot === null
      ? null
      : g.sum(g.mul(x_dot, g.prodExcept(x, attrs.axes)), attrs.axes, attrs.keepDims),
  sparsity: reductionSparsity,
};

/** log Σ exp of one group with its maximum m subtracted: m + log Σ exp(x − m), and ±∞ or NaN as m is. */
function logSumExp(group: readonly number[]): number {
  const m = group.reduce((a, b) => Math.max(a, b), -Infinity);
  if (!Number.isFinite(m)) return m;
  let total = 0;
  for (const value of group) total += Math.exp(value - m);
  return m + Math.log(total);
}

export const logsumexp: OpDef<"logsumexp"> = {
  arity: 1,
  shape: reduceShape,
  eval: ([x], { axes }) => Float64Array.from(reductionGroups(x, axes), logSumExp),
  emit: {
    kind: "kernel",
    // two passes per group, as in the interpreter: the maximum, then the sum of exp(x − max)
    code: (io) => {
      const read = (at: string) => element(io.args[0], io.inShapes[0], at);
      return multiPassReduction(io, io.attrs.axes, ({ each }) => ({
        statements: [
          "let acc = -Infinity;",
          ...each((at) => [`acc = Math.max(acc, ${read(at)});`]),
          "let total = 0;",
          ...each((at) => [`total += Math.exp(${read(at)} - acc);`]),
        ],
        value: "Number.isFinite(acc) ? acc + Math.log(total) : acc",
      }));
    },
  },
  zeroAdjoint: reducedZero,
  // x̄ = ȳ·exp(x − y), y broadcast back (softmax weights, never overflowing)
  vjp: ({ g, inputs: [x], y, y_bar, attrs }) => [
    g.mul(keptBar(g, y_bar, x, attrs.axes), softmaxWeights(g, x, y, attrs.axes)),
  ],
  // ẏ = sum(ẋ·exp(x − y))
  jvp: ({ g, inputs: [x], y, dots: [x_dot], attrs }) =>
    x_dot === null
      ? null
      : g.sum(g.mul(x_dot, softmaxWeights(g, x, y, attrs.axes)), attrs.axes, attrs.keepDims),
  sparsity: reductionSparsity,
};

/** exp(x − logsumexp(x)) with the reduction y broadcast back over its axes. */
function softmaxWeights(g: OpBuilder, x: Node, y: Node, axes: readonly number[]): Node {
  return g.exp(g.sub(x, g.reshape(y, keptShape(x.shape, axes))));
}

/** For each element the product of the others in its group: prefix times suffix products, no division. */
function productsExcept(data: Float64Array, groups: readonly (readonly number[])[]): Float64Array {
  const out = new Float64Array(data.length);
  for (const group of groups) {
    let acc = 1;
    for (const i of group) {
      out[i] = acc;
      acc *= data[i];
    }
    acc = 1;
    for (let k = group.length - 1; k >= 0; k--) {
      out[group[k]] *= acc;
      acc *= data[group[k]];
    }
  }
  return out;
}

/**
 * J·v for P = prodExcept(x): J is symmetric, ∂P_i/∂x_k = Π_{j≠i,k} x_j (k ≠ i) and 0 on the diagonal,
 * so vjp and jvp agree: (J·v)_i = Σ_{k≠i} v_k·Π_{j≠i,k} x_j. The products of all-but-two are
 * prodExcept itself over n copies of each group, copy i with x_i set to 1: no division, so exact at
 * zeros, and its own derivative is the same construction one level up (exact at every order).
 * O(n²) per group, as the second derivative of a product has n² entries.
 */
function prodExceptTimes(g: OpBuilder, x: Node, v: Node, axes: readonly number[]): Node {
  const pairs = pairedGroups(g, x.shape, axes);
  const others = g.prodExcept(g.where(pairs.diagonal, 1, pairs.spread(x)), pairs.axes);
  return g.sum(g.where(pairs.diagonal, 0, g.mul(pairs.spread(v), others)), pairs.axes);
}

/**
 * Each element of `shape` paired with every element of its group along appended axes (a copy of the
 * reduced axes): `spread(t)[s, u] = t[s with its group position replaced by u]`, and `diagonal`
 * (broadcasting against it) is true where u is s's own position.
 */
function pairedGroups(g: OpBuilder, shape: Shape, axes: readonly number[]) {
  const rank = shape.length;
  const kept = shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const groupDims = axes.map((axis) => shape[axis]);
  const full = [...shape, ...groupDims];
  const ones = (n: number) => new Array<number>(n).fill(1);
  const positions = (at: Shape) =>
    g.constant(
      Array.from({ length: sizeOf(groupDims) }, (_, i) => i),
      at,
      "i32",
    );
  const ownPosition = shape.map((dim, axis) => (axes.includes(axis) ? dim : 1));
  return {
    axes: groupDims.map((_, k) => rank + k),
    diagonal: g.eq(
      positions([...ownPosition, ...ones(axes.length)]),
      positions([...ones(rank), ...groupDims]),
    ),
    // the group's axes moved last keep the other axes in order, so a reshape slots them back in
    spread: (t: Node) =>
      g.broadcastTo(
        g.reshape(g.transpose(t, [...kept, ...axes]), [
          ...shape.map((dim, axis) => (axes.includes(axis) ? 1 : dim)),
          ...groupDims,
        ]),
        full,
      ),
  };
}

/**
 * Where a group's elements sit when they are evenly spaced in memory: the stride between them and
 * their number. They are when the reduced axes of more than one element are adjacent (or only
 * size-1 axes lie between them); otherwise undefined.
 */
function evenSpacing(
  shape: Shape,
  axes: readonly number[],
): { readonly stride: number; readonly length: number } | undefined {
  const strides = stridesOf(shape);
  const wide = axes.filter((axis) => shape[axis] !== 1);
  const length = sizeOf(wide.map((axis) => shape[axis]));
  for (let k = 1; k < wide.length; k++) {
    if (strides[wide[k - 1]] !== shape[wide[k]] * strides[wide[k]]) return undefined;
  }
  return { stride: wide.length === 0 ? 1 : strides[wide[wide.length - 1]], length };
}

/** An evenly spaced group, its elements numbered from 0 in row-major order. */
interface StridedGroup {
  readonly length: number;
  /** Input offset of element `k + plus` (`k` a loop variable), or of element `plus` without `k`. */
  readonly at: (k: string | undefined, plus?: number) => string;
  /** Offset of the group's output element, for an output with the reduced axes dropped. */
  readonly outOffset: string;
}

/**
 * Like overGroups, for groups that are evenly spaced: each group as a start and a stride. A single
 * group is the statements alone, for the caller to put in a block.
 */
function overStridedGroups(
  inShape: Shape,
  axes: readonly number[],
  spacing: { readonly stride: number; readonly length: number },
  perGroup: (group: StridedGroup) => readonly string[],
): string[] {
  const kept = inShape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const inStrides = stridesOf(inShape);
  const keptStrides = kept.map((axis) => inStrides[axis]);
  const keptDims = kept.map((axis) => inShape[axis]);
  const { stride, length } = spacing;
  const group = (outer: readonly string[]): StridedGroup => ({
    length,
    at: (k, plus = 0) =>
      k === undefined
        ? offset(outer, keptStrides, plus * stride)
        : offset([...outer, k], [...keptStrides, stride], plus * stride),
    outOffset: offset(outer, stridesOf(keptDims)),
  });
  if (kept.length === 0) return [...perGroup(group([]))];
  return loopNest(keptDims, (outer) => perGroup(group(outer)));
}

/**
 * prodExcept of one evenly spaced group in one sweep: the prefix chain runs from the front while
 * the suffix chain runs from the back, two independent chains that the CPU overlaps. The front half
 * is not touched yet when a chain reaches it, so the chain stores; past the middle it multiplies
 * into what the other chain stored. Every element is prefix·suffix, as in the interpreter.
 */
function twoSidedSweep(x: string, out: string, { length, at }: StridedGroup): string[] {
  const half = Math.floor(length / 2);
  const step = (front: string, back: string, assign: string) => [
    `${out}[${front}] ${assign} prefix;`,
    `prefix *= ${x}[${front}];`,
    `${out}[${back}] ${assign} suffix;`,
    `suffix *= ${x}[${back}];`,
  ];
  // elements from..to−1 from the front (and as many from the back), two per turn of the loop: the
  // loop's own counting and branching then costs half as much per element
  const sweep = (from: number, to: number, assign: string) => {
    const end = from + 2 * Math.floor((to - from) / 2);
    const turns =
      end === from
        ? []
        : [
            `for (let k = ${from}; k < ${end}; k += 2) {`,
            `  const j = ${length - 1} - k;`,
            ...[...step(at("k"), at("j"), assign), ...step(at("k", 1), at("j", -1), assign)].map(
              (line) => `  ${line}`,
            ),
            "}",
          ];
    const last = end < to ? step(at(undefined, end), at(undefined, length - 1 - end), assign) : [];
    return [...turns, ...last];
  };
  const middle = at(undefined, half);
  return [
    "let prefix = 1;",
    "let suffix = 1;",
    ...sweep(0, half, "="),
    ...(length % 2 === 1
      ? [
          `${out}[${middle}] = prefix * suffix;`,
          `prefix *= ${x}[${middle}];`,
          `suffix *= ${x}[${middle}];`,
        ]
      : []),
    ...sweep(length - half, length, "*="),
  ];
}

/** prodExcept's kernel: per group prefix times suffix products, and prod (the whole prefix) alongside. */
function prodExceptCode({
  out,
  args: [x],
  inShapes: [inShape],
  attrs: { axes },
  alongside,
}: KernelIO<"prodExcept">): string[] {
  if (inShape.length === 0)
    return [
      `let ${out} = 1;`,
      ...(alongside === undefined ? [] : [`let ${alongside.out} = ${x};`]),
    ];
  // the prefix chain has run over the whole group: it is the group's product, in the same order
  const product = (chain: string, outOffset: string) =>
    alongside === undefined
      ? []
      : [
          alongside.shape.length === 0
            ? `${alongside.out} = ${chain};`
            : `${alongside.out}[${outOffset}] = ${chain};`,
        ];
  const declared =
    alongside !== undefined && alongside.shape.length === 0 ? [`let ${alongside.out} = 1;`] : [];
  // views read through block-locals: a module view is a closure variable, which V8 reloads from the
  // closure at every access once it has compiled more than one instance of the module
  const inBlock = (lines: readonly string[]) => [
    ...declared,
    "{",
    ...[`const factors = ${x};`, `const products = ${out};`, ...lines].map((line) => `  ${line}`),
    "}",
  ];
  const spacing = evenSpacing(inShape, axes);
  if (spacing !== undefined)
    return inBlock(
      overStridedGroups(inShape, axes, spacing, (group) => [
        ...twoSidedSweep("factors", "products", group),
        ...product("prefix", group.outOffset),
      ]),
    );
  // scattered groups: a forward pass stores prefix products, a backward pass multiplies in suffixes
  return inBlock(
    overGroups(inShape, axes, ({ each, outOffset }) => [
      "let acc = 1;",
      ...each((at) => [`products[${at}] = acc;`, `acc *= factors[${at}];`]),
      ...product("acc", outOffset),
      "acc = 1;",
      ...each((at) => [`products[${at}] *= acc;`, `acc *= factors[${at}];`], true),
    ]),
  );
}

export const prodExcept: OpDef<"prodExcept"> = {
  arity: 1,
  shape: ([x], { axes }) => {
    checkAxes(x, axes);
    return x;
  },
  eval: ([x], { axes }) => productsExcept(x.data, groupIndices(x.shape, axes)),
  emit: {
    kind: "kernel",
    // O(n) per group and exact at zeros: prefix times suffix products, never a division
    code: prodExceptCode,
    yieldsAlong: "prod",
  },
  zeroAdjoint: groupZero,
  // x̄ = J·ȳ, (J·ȳ)_i = Σ_{k≠i} ȳ_k·Π_{j≠i,k} x_j   (J symmetric; no division, exact at zeros)
  vjp: ({ g, inputs: [x], y_bar, attrs }) => [prodExceptTimes(g, x, y_bar, attrs.axes)],
  // ẏ = J·ẋ
  jvp: ({ g, inputs: [x], dots: [x_dot], attrs }) =>
    x_dot === null ? null : prodExceptTimes(g, x, x_dot, attrs.axes),
  sparsity: groupSparsity,
};
