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
