// Compressed Hessians: one Hessian-vector product per color of a column coloring of the
// structural pattern of ∇f, then each entry read back from the product of its column's color.
import type { Ops } from "../dsl/ops.ts";
import type { Node } from "../ir/node.ts";
import { sizeOf } from "../ir/shape.ts";
import { colorColumns, type Coloring } from "./coloring.ts";
import { jvp } from "./forward.ts";
import { jacobianPattern, type Pattern } from "./sparsity.ts";

/**
 * The Hessian blocks of f (as `hessian` in transforms.ts) from the gradient `grads`, with one hvp
 * per color; undefined when the coloring saves nothing (a dense pattern, or a color per column)
 * or when a node repeats in `xs` (its columns would be one).
 */
export function compressedHessian(
  g: Ops,
  grads: readonly Node[],
  xs: readonly Node[],
): Node[][] | undefined {
  if (new Set(xs).size !== xs.length) return undefined;
  const pattern = jacobianPattern(grads, xs);
  if (pattern === "dense") return undefined;
  const coloring = colorColumns(pattern);
  if (coloring.count >= pattern.columns) return undefined;
  const compressed = compressedProducts(g, grads, xs, coloring);
  const starts = offsets(xs);
  return xs.map((xi, i) =>
    xs.map((xj, j) => {
      const shape = [...xi.shape, ...xj.shape];
      const { from, to } = blockEntries(pattern, coloring, starts[i], starts[j], xi, xj);
      if (from.length === 0) return g.constant(0, shape);
      // block[to[e]] = compressed[from[e]] for the pattern's entries e, zero elsewhere
      const entries = g.gather(compressed, g.constant(from, [from.length], "i32"));
      const flat = g.scatterAdd(entries, g.constant(to, [to.length], "i32"), 0, [sizeOf(shape)]);
      return g.reshape(flat, shape);
    }),
  );
}

/**
 * [H·v₀, H·v₁, ...] flattened, vₖ = Σ_{color(c) = k} e_c: entry k·N + r is Σ H[r, c] over the
 * columns c of color k, which is H[r, c] itself for the one such c in row r's pattern.
 */
function compressedProducts(
  g: Ops,
  grads: readonly Node[],
  xs: readonly Node[],
  { colors, count }: Coloring,
): Node {
  const starts = offsets(xs);
  const products = Array.from({ length: count }, (_, color) => {
    const seeds = xs.map((x, k) => {
      const values = Array.from({ length: sizeOf(x.shape) }, (_, e) =>
        colors[starts[k] + e] === color ? 1 : 0,
      );
      return g.constant(values, x.shape);
    });
    return jvp(g, grads, xs, seeds).map((product) => g.reshape(product, [sizeOf(product.shape)]));
  });
  return g.concat(products.flat());
}

/**
 * The pattern's entries of block [i][j] (∂²f/∂xᵢ[a]∂xⱼ[b]: row r = startⱼ + b of column
 * c = startᵢ + a): where each sits in the compressed products and in the flattened block.
 */
function blockEntries(
  { rows, columns }: Pattern,
  { colors }: Coloring,
  startI: number,
  startJ: number,
  xi: Node,
  xj: Node,
): { from: number[]; to: number[] } {
  const from: number[] = [];
  const to: number[] = [];
  const sizeJ = sizeOf(xj.shape);
  for (let a = 0; a < sizeOf(xi.shape); a++) {
    for (let b = 0; b < sizeJ; b++) {
      const [row, column] = [startJ + b, startI + a];
      if (!contains(rows[row], column)) continue;
      from.push(colors[column] * columns + row);
      to.push(a * sizeJ + b);
    }
  }
  return { from, to };
}

/** Where each x starts in the concatenated columns. */
function offsets(xs: readonly Node[]): number[] {
  let start = 0;
  return xs.map((x) => {
    const at = start;
    start += sizeOf(x.shape);
    return at;
  });
}

/** Binary search in a sorted set. */
function contains(set: Int32Array, value: number): boolean {
  let lo = 0;
  let hi = set.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (set[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo < set.length && set[lo] === value;
}
