// Column coloring for compressed Jacobians and Hessians: columns that share no row (structurally
// orthogonal) get one color, so one product with the sum of their basis vectors recovers them all.
import type { Pattern } from "./sparsity.ts";

export interface Coloring {
  /** The color of each column, 0 ≤ color < count. */
  readonly colors: Int32Array;
  readonly count: number;
}

/**
 * Greedy coloring in column order: each column takes the smallest color that no column sharing
 * a row with it has taken (3 colors for a tridiagonal pattern).
 */
export function colorColumns({ rows, columns }: Pattern): Coloring {
  const rowsOf = rowsOfColumns(rows, columns);
  const colors = new Int32Array(columns).fill(-1);
  // forbiddenAt[color] === column: that color is taken by a neighbour of `column`
  const forbiddenAt = new Int32Array(columns + 1).fill(-1);
  let count = 0;
  for (let column = 0; column < columns; column++) {
    for (const row of rowsOf[column]) {
      for (const neighbour of rows[row]) {
        if (colors[neighbour] >= 0) forbiddenAt[colors[neighbour]] = column;
      }
    }
    let color = 0;
    while (forbiddenAt[color] === column) color++;
    colors[column] = color;
    count = Math.max(count, color + 1);
  }
  return { colors, count };
}

/** The transpose of the pattern: for each column, the rows that may hold it. */
function rowsOfColumns(rows: readonly Int32Array[], columns: number): number[][] {
  const rowsOf = Array.from({ length: columns }, (): number[] => []);
  rows.forEach((set, row) => set.forEach((column) => rowsOf[column].push(row)));
  return rowsOf;
}

/** True when no two columns of one color share a row. */
export function isValidColoring({ rows }: Pattern, { colors }: Coloring): boolean {
  return rows.every(
    (set) => new Set(Array.from(set, (column) => colors[column])).size === set.length,
  );
}
