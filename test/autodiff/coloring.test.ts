// Column coloring: valid on random patterns (no two columns of one color share a row), and the
// known counts: 3 for a tridiagonal pattern, 1 for a diagonal, one per column for a dense one.
import { describe, expect, it } from "vitest";
import { colorColumns, isValidColoring } from "../../compiler/autodiff/coloring.ts";
import type { Pattern } from "../../compiler/autodiff/sparsity.ts";
import { seeded } from "../support/random.ts";

/** A pattern from a predicate on (row, column), square of size n. */
function patternOf(n: number, holds: (row: number, column: number) => boolean): Pattern {
  const rows = Array.from({ length: n }, (_, r) =>
    Int32Array.from({ length: n }, (_, c) => c).filter((c) => holds(r, c)),
  );
  return { rows, columns: n };
}

/** Every pair of columns of one color, checked directly against the rows. */
function expectStructurallyOrthogonal(pattern: Pattern, colors: Int32Array): void {
  for (const set of pattern.rows) {
    const seen = new Set<number>();
    for (const column of set) {
      expect(seen.has(colors[column]), `two columns of color ${colors[column]} in a row`).toBe(
        false,
      );
      seen.add(colors[column]);
    }
  }
}

describe("column coloring", () => {
  it.each([1, 2, 3, 5, 10, 100])("gives a tridiagonal pattern of size %i at most 3 colors", (n) => {
    const pattern = patternOf(n, (r, c) => Math.abs(r - c) <= 1);
    const coloring = colorColumns(pattern);
    expect(coloring.count).toBe(Math.min(n, 3));
    expect(isValidColoring(pattern, coloring)).toBe(true);
  });

  it("gives a diagonal one color and a dense one a color per column", () => {
    expect(colorColumns(patternOf(8, (r, c) => r === c)).count).toBe(1);
    expect(colorColumns(patternOf(8, () => true)).count).toBe(8);
  });

  it("gives a pentadiagonal pattern 5 colors and a block diagonal one the block size", () => {
    expect(colorColumns(patternOf(20, (r, c) => Math.abs(r - c) <= 2)).count).toBe(5);
    const blocks = patternOf(20, (r, c) => Math.floor(r / 4) === Math.floor(c / 4));
    expect(colorColumns(blocks).count).toBe(4);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])("is valid on a random pattern (seed %i)", (seed) => {
    const random = seeded(seed);
    const n = 5 + Math.floor(random() * 40);
    const density = random() * 0.3;
    const symmetric = seed % 2 === 0;
    const entries = new Set<string>();
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        if (random() < density) {
          entries.add(`${r},${c}`);
          if (symmetric) entries.add(`${c},${r}`);
        }
      }
    }
    const pattern = patternOf(n, (r, c) => entries.has(`${r},${c}`));
    const coloring = colorColumns(pattern);
    expect(isValidColoring(pattern, coloring)).toBe(true);
    expectStructurallyOrthogonal(pattern, coloring.colors);
    expect(coloring.count).toBeLessThanOrEqual(n);
  });
});
