// Source-text helpers for kernels: nested loops over a shape and flat offsets from strides.
import type { Shape } from "../ir/shape.ts";

/**
 * Nested `for` loops over `shape`, one index variable per axis (`${prefix}0`, `${prefix}1`, ...),
 * around the statements `body` returns for those variable names. Rank 0 gives the body alone.
 */
export function loopNest(
  shape: Shape,
  body: (index: readonly string[]) => readonly string[],
  prefix = "i",
): string[] {
  const index = shape.map((_, axis) => `${prefix}${axis}`);
  let lines = [...body(index)];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const v = index[axis];
    lines = [
      `for (let ${v} = 0; ${v} < ${shape[axis]}; ${v}++) {`,
      ...lines.map((line) => `  ${line}`),
      "}",
    ];
  }
  return lines;
}

/** Σ index·stride as source text, leaving out zero strides and unit factors. */
export function offset(index: readonly string[], strides: readonly number[], base = 0): string {
  const terms = index
    .map((v, axis) =>
      strides[axis] === 0 ? "" : strides[axis] === 1 ? v : `${v} * ${strides[axis]}`,
    )
    .filter((term) => term !== "");
  if (terms.length === 0) return String(base);
  const sum = terms.join(" + ");
  if (base === 0) return sum;
  return base > 0 ? `${sum} + ${base}` : `${sum} - ${-base}`;
}
