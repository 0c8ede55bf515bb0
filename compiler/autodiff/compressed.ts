// Compressed Jacobians and Hessians: one Jacobian-vector product per color of a column coloring of
// the structural pattern (for a Hessian, of ∂∇f/∂x: one hvp per color), then each entry read back
// from the product of its column's color.
import type { Ops } from "../dsl/ops.ts";
import type { Node } from "../ir/node.ts";
import { sizeOf, type Shape } from "../ir/shape.ts";
import { colorColumns, type Coloring } from "./coloring.ts";
import { jvp } from "./forward.ts";
import { jacobianPattern, type Pattern } from "./sparsity.ts";

/** The pattern of ∂outputs/∂wrt, its coloring, and the products of one jvp per color. */
interface Compression {
  readonly pattern: Pattern;
  readonly coloring: Coloring;
  readonly products: Node;
}

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
  const compression = compress(g, grads, xs, offsets(xs).at(-1)!);
  if (compression === undefined) return undefined;
  const starts = offsets(xs);
  // block [i][j][a, b] = ∂²f/∂xᵢ[a]∂xⱼ[b]: row startⱼ + b (of ∇f) of column startᵢ + a
  return xs.map((xi, i) =>
    xs.map((xj, j) => {
      const sizeJ = sizeOf(xj.shape);
      return decompressed(g, compression, [...xi.shape, ...xj.shape], (at) => ({
        row: starts[j] + (at % sizeJ),
        column: starts[i] + Math.floor(at / sizeJ),
      }));
    }),
  );
}

/**
 * ∂y/∂x of shape [...y.shape, ...x.shape] with one jvp per color, when the colors are fewer than
 * `sweeps` (what the uncompressed mode would cost); undefined otherwise.
 */
export function compressedJacobian(g: Ops, y: Node, x: Node, sweeps: number): Node | undefined {
  const compression = compress(g, [y], [x], sweeps);
  if (compression === undefined) return undefined;
  const sizeX = sizeOf(x.shape);
  return decompressed(g, compression, [...y.shape, ...x.shape], (at) => ({
    row: Math.floor(at / sizeX),
    column: at % sizeX,
  }));
}

/** The compression of ∂outputs/∂wrt, unless it would take `sweeps` products or more. */
function compress(
  g: Ops,
  outputs: readonly Node[],
  wrt: readonly Node[],
  sweeps: number,
): Compression | undefined {
  if (new Set(wrt).size !== wrt.length) return undefined;
  const pattern = jacobianPattern(outputs, wrt);
  if (pattern === "dense") return undefined;
  const coloring = colorColumns(pattern);
  if (coloring.count >= sweeps) return undefined;
  return { pattern, coloring, products: compressedProducts(g, outputs, wrt, coloring) };
}

/**
 * [J·v₀, J·v₁, ...] flattened, vₖ = Σ_{color(c) = k} e_c: entry k·rows + r is Σ J[r, c] over the
 * columns c of color k, which is J[r, c] itself for the one such c in row r's pattern.
 */
function compressedProducts(
  g: Ops,
  outputs: readonly Node[],
  wrt: readonly Node[],
  { colors, count }: Coloring,
): Node {
  const starts = offsets(wrt);
  const products = Array.from({ length: count }, (_, color) => {
    const seeds = wrt.map((w, k) => {
      const values = Array.from({ length: sizeOf(w.shape) }, (_, e) =>
        colors[starts[k] + e] === color ? 1 : 0,
      );
      return g.constant(values, w.shape);
    });
    return jvp(g, outputs, wrt, seeds).map((product) =>
      g.reshape(product, [sizeOf(product.shape)]),
    );
  });
  return g.concat(products.flat());
}

/**
 * A tensor of `shape` whose element `at` is entry `entryAt(at)` of the Jacobian: gathered from
 * the products where the pattern has it, zero elsewhere.
 */
function decompressed(
  g: Ops,
  { pattern, coloring, products }: Compression,
  shape: Shape,
  entryAt: (at: number) => { readonly row: number; readonly column: number },
): Node {
  const from: number[] = [];
  const to: number[] = [];
  for (let at = 0; at < sizeOf(shape); at++) {
    const { row, column } = entryAt(at);
    if (!contains(pattern.rows[row], column)) continue;
    from.push(coloring.colors[column] * pattern.rows.length + row);
    to.push(at);
  }
  if (from.length === 0) return g.constant(0, shape);
  // flat[to[e]] = products[from[e]] for the pattern's entries e, zero elsewhere
  const entries = g.gather(products, g.constant(from, [from.length], "i32"));
  const flat = g.scatterAdd(entries, g.constant(to, [to.length], "i32"), 0, [sizeOf(shape)]);
  return g.reshape(flat, shape);
}

/** Where each node starts in the concatenated elements, and (last) their total. */
function offsets(nodes: readonly Node[]): number[] {
  let start = 0;
  return [0, ...nodes.map((node) => (start += sizeOf(node.shape)))];
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
