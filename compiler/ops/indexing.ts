// Integer indexing: gather (an embedding lookup along any axis), its adjoint scatterAdd, and oneHot.
// Generated code checks every index it reads with the runtime's checkIndex, except constant ones:
// the graph checks those when the node is made (ir/graph.ts), so a bad one is a compile error.
import { AdjointError } from "../errors.ts";
import type { DType, FloatType, Node } from "../ir/node.ts";
import { formatShape, sameShape, sizeOf, type Shape } from "../ir/shape.ts";
import {
  notDifferentiable,
  ShapeError,
  type IndexOperand,
  type OpDef,
  type Tensor,
} from "./def.ts";
import { offset } from "./loops.ts";
import { noSparsity, readSparsity } from "./sparsity.ts";

/**
 * A tensor of `shape` seen around `axis` as [outer, size, inner], indexed by `count` indices:
 * the gathered side is [outer, count, inner].
 */
interface Geometry {
  readonly outer: number;
  readonly size: number;
  readonly inner: number;
  readonly count: number;
}

function geometry(shape: Shape, axis: number, indices: Shape): Geometry {
  return {
    outer: sizeOf(shape.slice(0, axis)),
    size: shape[axis],
    inner: sizeOf(shape.slice(axis + 1)),
    count: sizeOf(indices),
  };
}

/** shape[:axis] + indices + shape[axis+1:]: the gathered shape. */
function gatheredShape(shape: Shape, axis: number, indices: Shape): Shape {
  return [...shape.slice(0, axis), ...indices, ...shape.slice(axis + 1)];
}

function checkAxis(shape: Shape, axis: number): void {
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new ShapeError(`axis ${axis} is out of range for shape ${formatShape(shape)}`);
  }
}

/** The dtype rule of an indexed op: `real` operands of the float type, `index` operands i32. */
function indexedDtype(roles: readonly ("real" | "index")[]) {
  return (inputs: readonly DType[], _attrs: unknown, float: FloatType): DType => {
    inputs.forEach((dtype, i) => {
      const wanted = roles[i] === "index" ? "i32" : float;
      if (dtype !== wanted) {
        const hint = roles[i] === "index" ? ` (use g.cast(x, "i32"))` : "";
        throw new ShapeError(`operand ${i + 1} is ${dtype}; expected ${wanted}${hint}`);
      }
    });
    return float;
  };
}

/** The interpreter's checkIndex: the same test as the generated code's, naming the op alone. */
function checked(index: number, size: number, where: string): number {
  if (Number.isInteger(index) && index >= 0 && index < size) return index;
  throw new AdjointError(`${where}: index ${index} is out of range [0, ${size})`);
}

/** What the error of an out-of-range index names: the op, its axis and the indexed shape. */
function gatherWhere(op: string, axis: number, shape: Shape): string {
  return `${op} along axis ${axis} of ${formatShape(shape)}`;
}

/** Operand 2 indexes `shape` along `axis` (the gathered tensor, or the scattered-into shape). */
function alongAxis(op: string, shape: Shape, axis: number): IndexOperand {
  return { operand: 1, size: shape[axis], what: gatherWhere(op, axis, shape) };
}

/** Calls `fn(from, to)` for every element moved between the [outer, size, inner] and [outer, count, inner] sides. */
function forEachMove(
  { outer, size, inner, count }: Geometry,
  indices: Float64Array,
  where: string,
  fn: (indexed: number, gathered: number) => void,
): void {
  for (let i = 0; i < outer; i++) {
    for (let p = 0; p < count; p++) {
      const k = checked(indices[p], size, where);
      for (let j = 0; j < inner; j++) fn((i * size + k) * inner + j, (i * count + p) * inner + j);
    }
  }
}

/**
 * Loops over the outer position `i`, the index position `p` and the inner position `j`, with
 * `k = check(index)` read once per index; `move(indexed, gathered)` gets both offsets as text.
 * A loop of exactly one iteration is left out (its variable gets stride 0); without any loop, a
 * block keeps `k` local.
 */
function indexedLoops(
  { outer, size, inner, count }: Geometry,
  index: string,
  check: (index: string) => string,
  move: (indexed: string, gathered: string) => string,
): string[] {
  const stride = (n: number, value: number) => (n === 1 ? 0 : value);
  const indexed = offset(["i", "k", "j"], [stride(outer, size * inner), inner, stride(inner, 1)]);
  const gathered = offset(
    ["i", "p", "j"],
    [stride(outer, count * inner), stride(count, inner), stride(inner, 1)],
  );
  const statement = move(indexed, gathered);
  let lines = [
    `const k = ${check(index)};`,
    inner === 1 ? statement : `for (let j = 0; j < ${inner}; j++) ${statement}`,
  ];
  if (count !== 1) lines = loop("p", count, lines);
  if (outer !== 1) lines = loop("i", outer, lines);
  return count !== 1 || outer !== 1 ? lines : ["{", ...lines.map((line) => `  ${line}`), "}"];
}

function loop(v: string, n: number, body: readonly string[]): string[] {
  return [`for (let ${v} = 0; ${v} < ${n}; ${v}++) {`, ...body.map((line) => `  ${line}`), "}"];
}

/** Index `p` of kernel argument `indices` (a scalar expression when it is rank 0). */
function indexAt(indices: string, shape: Shape): string {
  if (shape.length === 0) return indices;
  return sizeOf(shape) === 1 ? `${indices}[0]` : `${indices}[p]`;
}

/** The positions along the axis that index p may pick: its value if constant, else any. */
function picked(indices: Node, p: number, size: number): number[] {
  if (indices.op !== "const") return Array.from({ length: size }, (_, k) => k);
  const { values } = indices.attrs;
  const k = values.length === 1 ? values[0] : values[p];
  return Number.isInteger(k) && k >= 0 && k < size ? [k] : [];
}

/** For each position k along the axis, the index positions p that may send to it. */
function sendersTo(indices: Node, { size, count }: Geometry): number[][] {
  const senders = Array.from({ length: size }, (): number[] => []);
  for (let p = 0; p < count; p++) for (const k of picked(indices, p, size)) senders[k].push(p);
  return senders;
}

export const gather: OpDef<"gather"> = {
  arity: 2,
  dtype: indexedDtype(["real", "index"]),
  shape: ([x, indices], { axis }) => {
    checkAxis(x, axis);
    return gatheredShape(x, axis, indices);
  },
  eval: ([x, indices], { axis }, shape) => {
    const out = new Float64Array(sizeOf(shape));
    const where = gatherWhere("gather", axis, x.shape);
    forEachMove(
      geometry(x.shape, axis, indices.shape),
      indices.data,
      where,
      (from, to) => (out[to] = x.data[from]),
    );
    return out;
  },
  emit: {
    kind: "kernel",
    code: ({
      out,
      args: [x, indices],
      inShapes: [xShape, indicesShape],
      outShape,
      attrs: { axis },
      checkIndex,
    }) => {
      const index = indexAt(indices, indicesShape);
      // one element out: a scalar local
      if (outShape.length === 0) return [`let ${out} = ${x}[${checkIndex(index)}];`];
      const geo = geometry(xShape, axis, indicesShape);
      return indexedLoops(geo, index, checkIndex, (from, to) => `${out}[${to}] = ${x}[${from}];`);
    },
  },
  indices: ([x], { axis }) => alongAxis("gather", x, axis),
  // strong zero as it stands: x̄ is a scatter of ȳ itself
  zeroAdjoint: "bounded",
  // x̄ = scatterAdd(ȳ, indices): every gathered row sends its adjoint back to the row it came from
  vjp: ({ g, inputs: [x, indices], y_bar, attrs: { axis } }) => [
    g.scatterAdd(y_bar, indices, axis, x.shape),
    notDifferentiable,
  ],
  // ẏ = gather(ẋ, indices)
  jvp: ({ g, inputs: [, indices], dots: [x_dot], attrs: { axis } }) =>
    x_dot === null ? null : g.gather(x_dot, indices, axis),
  // y[o, p, j] = x[o, indices[p], j]
  sparsity: ({ deps: [x_deps], inputs: [x, indices], shape, attrs: { axis } }) => {
    const { size, inner, count } = geometry(x.shape, axis, indices.shape);
    return readSparsity([x_deps], shape, (_, i) => {
      const [o, p, j] = [Math.floor(i / (count * inner)), Math.floor(i / inner) % count, i % inner];
      return picked(indices, p, size).map((k) => ({
        input: 0,
        offset: (o * size + k) * inner + j,
      }));
    });
  },
};

export const scatterAdd: OpDef<"scatterAdd"> = {
  arity: 2,
  dtype: indexedDtype(["real", "index"]),
  shape: ([updates, indices], { axis, shape }) => {
    checkAxis(shape, axis);
    const expected = gatheredShape(shape, axis, indices);
    if (!sameShape(updates, expected)) {
      throw new ShapeError(
        `updates ${formatShape(updates)} do not fit ${formatShape(shape)} at indices ${formatShape(indices)} ` +
          `along axis ${axis}: expected ${formatShape(expected)}`,
      );
    }
    return shape;
  },
  eval: ([updates, indices], { axis }, shape) => {
    const out = new Float64Array(sizeOf(shape));
    const where = gatherWhere("scatterAdd", axis, shape);
    forEachMove(
      geometry(shape, axis, indices.shape),
      indices.data,
      where,
      (to, from) => (out[to] += updates.data[from]),
    );
    return out;
  },
  emit: {
    kind: "kernel",
    code: ({
      out,
      args: [updates, indices],
      inShapes: [updatesShape, indicesShape],
      outShape,
      attrs: { axis },
      checkIndex,
    }) => {
      const geo = geometry(outShape, axis, indicesShape);
      const read = (at: string) => (updatesShape.length === 0 ? updates : `${updates}[${at}]`);
      // repeated indices accumulate
      return [
        `${out}.fill(0);`,
        ...indexedLoops(
          geo,
          indexAt(indices, indicesShape),
          checkIndex,
          (to, from) => `${out}[${to}] += ${read(from)};`,
        ),
      ];
    },
  },
  indices: (_, { axis, shape }) => alongAxis("scatterAdd", shape, axis),
  // strong zero as it stands: ū gathers ȳ itself
  zeroAdjoint: "bounded",
  // ū = gather(ȳ, indices)
  vjp: ({ g, inputs: [, indices], y_bar, attrs: { axis } }) => [
    g.gather(y_bar, indices, axis),
    notDifferentiable,
  ],
  // ẏ = scatterAdd(u̇, indices)
  jvp: ({ g, inputs: [, indices], dots: [updates_dot], attrs: { axis, shape } }) =>
    updates_dot === null ? null : g.scatterAdd(updates_dot, indices, axis, shape),
  // y[o, k, j] = Σ_{p : indices[p] = k} u[o, p, j]
  sparsity: ({ deps: [updates_deps], inputs: [, indices], shape, attrs: { axis } }) => {
    const geo = geometry(shape, axis, indices.shape);
    const senders = sendersTo(indices, geo);
    const { size, inner, count } = geo;
    return readSparsity([updates_deps], shape, (_, i) => {
      const [o, k, j] = [Math.floor(i / (size * inner)), Math.floor(i / inner) % size, i % inner];
      return senders[k].map((p) => ({ input: 0, offset: (o * count + p) * inner + j }));
    });
  },
};

export const oneHot: OpDef<"oneHot"> = {
  arity: 1,
  dtype: indexedDtype(["index"]),
  shape: ([labels], { depth }) => {
    if (!Number.isInteger(depth) || depth < 1)
      throw new ShapeError(`depth must be a positive integer, got ${depth}`);
    return [...labels, depth];
  },
  eval: ([labels]: readonly Tensor[], { depth }, shape) => {
    const out = new Float64Array(sizeOf(shape));
    const where = `oneHot of depth ${depth}`;
    labels.data.forEach((label, p) => (out[p * depth + checked(label, depth, where)] = 1));
    return out;
  },
  emit: {
    kind: "kernel",
    code: ({ out, args: [labels], inShapes: [labelsShape], attrs: { depth }, checkIndex }) => {
      const column = checkIndex(indexAt(labels, labelsShape));
      const count = sizeOf(labelsShape);
      if (count === 1) return [`${out}.fill(0);`, `${out}[${column}] = 1;`];
      return [
        `${out}.fill(0);`,
        `for (let p = 0; p < ${count}; p++) ${out}[p * ${depth} + ${column}] = 1;`,
      ];
    },
  },
  indices: (_, { depth }) => ({ operand: 0, size: depth, what: `oneHot of depth ${depth}` }),
  // strong zero as it stands: no gradient flows
  zeroAdjoint: "bounded",
  // labels are integers: nothing flows back to them, and the output has no tangent
  vjp: () => [notDifferentiable],
  jvp: () => null,
  // integer labels: no dependency
  sparsity: noSparsity,
};
