// Static shapes: row-major, every dimension a known non-negative integer.

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

export function isScalar(shape: Shape): boolean {
  return shape.length === 0;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

export function isValidShape(shape: unknown): shape is Shape {
  return (
    Array.isArray(shape) &&
    shape.every((dim) => typeof dim === "number" && Number.isInteger(dim) && dim >= 0)
  );
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis];
  }
  return strides;
}

/** NumPy broadcasting: shapes aligned at the right, each pair of dimensions equal or one of them 1. */
export function broadcastShapes(a: Shape, b: Shape): Shape | undefined {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 1; i <= rank; i++) {
    const da = a[a.length - i] ?? 1;
    const db = b[b.length - i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out[rank - i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides for reading `shape` as if broadcast to `target`: 0 along broadcast axes. */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const offset = target.length - shape.length;
  return target.map((_, axis) => {
    const i = axis - offset;
    return i < 0 || shape[i] === 1 ? 0 : own[i];
  });
}

/** The shape after reducing `axes`, kept as size 1 when `keepDims`. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): Shape {
  if (keepDims) return shape.map((dim, axis) => (axes.includes(axis) ? 1 : dim));
  return shape.filter((_, axis) => !axes.includes(axis));
}
