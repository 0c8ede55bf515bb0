// Functions composed from ops, so every derivative order comes from the ops' own rules: gelu,
// logaddexp and vector norms.
import type { Node } from "../ir/node.ts";
import type { OpBuilder } from "../ops/builder.ts";

const sqrtHalf = Math.SQRT1_2;

/**
 * Exact gelu: x·Φ(x) = ½x·erfc(−x/√2), written with erfc so the left tail keeps its digits
 * (½x·(1 + erf(x/√2)) rounds to 0 for x < −6 where the true value is ~1e-9·x).
 */
export function gelu(g: OpBuilder, x: Node): Node {
  return g.mul(g.mul(0.5, x), g.erfc(g.mul(-sqrtHalf, x)));
}

/** The tanh form: ½x·(1 + tanh(√(2/π)(x + 0.044715x³))) = x·sigmoid(2√(2/π)(x + 0.044715x³)). */
export function geluTanh(g: OpBuilder, x: Node): Node {
  const inner = g.mul(2 * Math.sqrt(2 / Math.PI), g.add(x, g.mul(0.044715, g.pow(x, 3))));
  return g.mul(x, g.sigmoid(inner));
}

/**
 * log(eᵃ + eᵇ) as a logsumexp over the pair stacked on a new axis: stable for any magnitude,
 * −∞ when both are, and its derivatives are softmax weights (½ each on a tie).
 */
export function logaddexp(g: OpBuilder, a: Node, b: Node, shape: readonly number[]): Node {
  const pair = [a, b].map((x) => g.reshape(g.broadcastTo(x, shape), [1, ...shape]));
  return g.logsumexp(g.concat(pair, 0), 0);
}

/**
 * cumprod along `axis` as prod over the triangle of a spread M[j, i] = x[i] for i ≤ j (i ≥ j
 * when `reverse`), 1 elsewhere: y[j] = Π M[j, :].
 */
export function cumprod(g: OpBuilder, x: Node, axis: number, reverse: boolean): Node {
  const n = x.shape[axis];
  const before = x.shape.slice(0, axis);
  const after = x.shape.slice(axis + 1);
  const spread = g.broadcastTo(g.reshape(x, [...before, 1, n, ...after]), [
    ...before,
    n,
    n,
    ...after,
  ]);
  const triangle = Array.from({ length: n * n }, (_, k) => {
    const [j, i] = [Math.floor(k / n), k % n];
    return (reverse ? i >= j : i <= j) ? 1 : 0;
  });
  const mask = g.constant(triangle, [n, n, ...after.map(() => 1)], "bool");
  return g.prod(g.where(mask, spread, 1), axis + 1);
}

export type NormOrder = 1 | 2 | typeof Infinity;

/**
 * The vector norm over `axes` (entrywise for several axes: ord 2 is Frobenius's, not the
 * spectral norm). Its gradient at 0 is the zero subgradient (0, not NaN): |x|'s slope there is
 * sign(0) = 0, and ord 2 selects 0 away from √ at the origin.
 */
export function norm(
  g: OpBuilder,
  x: Node,
  ord: NormOrder,
  axes: readonly number[],
  keepDims: boolean,
): Node {
  if (ord === 1) return g.sum(g.abs(x), axes, keepDims);
  if (ord === Infinity) return g.max(g.abs(x), axes, keepDims);
  return euclidean(g, x, axes, keepDims);
}

/**
 * ‖x‖₂ = m·√Σ(x/m)² with m = max|x| (no overflow or underflow of the squares), m held constant:
 * the norm does not depend on it, so its derivatives of every order are exact without m's.
 * Where m = 0 (the whole group is 0) the value and every derivative are 0, selected away from
 * √0's infinite slope.
 */
function euclidean(g: OpBuilder, x: Node, axes: readonly number[], keepDims: boolean): Node {
  const scale = g.stopGradient(g.max(g.abs(x), axes, true));
  const zero = g.eq(scale, 0);
  const safeScale = g.where(zero, 1, scale);
  const sumOfSquares = g.sum(g.square(g.div(x, safeScale)), axes, true);
  const value = g.where(zero, 0, g.mul(safeScale, g.sqrt(g.where(zero, 1, sumOfSquares))));
  if (keepDims) return value;
  return g.reshape(
    value,
    x.shape.filter((_, axis) => !axes.includes(axis)),
  );
}
