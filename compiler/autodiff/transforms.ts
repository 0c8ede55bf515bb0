// Transforms composed from the two modes: Hessian-vector products (forward over reverse), dense
// Hessians from one hvp per color of their sparsity pattern (or per basis vector), and Jacobians
// by one jvp per color or whichever mode needs fewer sweeps.
import type { Ops } from "../dsl/ops.ts";
import type { JacobianMode, Transforms } from "../dsl/transforms.ts";
import type { Node } from "../ir/node.ts";
import { sizeOf, type Shape } from "../ir/shape.ts";
import { compressedHessian, compressedJacobian } from "./compressed.ts";
import { jvp } from "./forward.ts";
import { vjp } from "./reverse.ts";

export type { JacobianMode } from "../dsl/transforms.ts";

/** H·v for scalar `f`: the tangent of ∇f when each x moves along its v (forward over reverse). */
export function hvp(g: Ops, f: Node, xs: readonly Node[], vs: readonly Node[]): Node[] {
  return jvp(g, gradient(g, f, xs), xs, vs);
}

/**
 * Blocks of the Hessian of scalar `f`: block [i][j] has shape [...xᵢ.shape, ...xⱼ.shape] and holds
 * ∂²f/∂xᵢ[a]∂xⱼ[b]. One hvp per color of the columns of its structural pattern when that is fewer
 * than one per element (exact: the same numbers), else one hvp per basis vector.
 */
export function hessian(g: Ops, f: Node, xs: readonly Node[]): Node[][] {
  const grads = gradient(g, f, xs);
  return compressedHessian(g, grads, xs) ?? denseHessian(g, grads, xs);
}

/** The Hessian blocks from ∇f with one hvp per basis vector: row a of block [i][j] is the hvp along eₐ of xᵢ. */
export function denseHessian(g: Ops, grads: readonly Node[], xs: readonly Node[]): Node[][] {
  return xs.map((xi, i) => {
    const tangents = (e: Node) => xs.map((xk, k) => (k === i ? e : g.constant(0, xk.shape)));
    // columns[a][j] = ∂∇ⱼf/∂xᵢ[a]
    const columns = basis(g, xi.shape).map((e) => jvp(g, grads, xs, tangents(e)));
    return xs.map((xj, j) =>
      stackInto(
        g,
        columns.map((column) => column[j]),
        0,
        [...xi.shape, ...xj.shape],
      ),
    );
  });
}

/**
 * ∂y/∂x with shape [...y.shape, ...x.shape]. Forward mode costs one jvp per input element and
 * reverse mode one vjp per output element: by default the cheaper one (forward when x is smaller).
 * Unless reverse mode is asked for, one jvp per color of the columns of its structural pattern
 * replaces them when that takes fewer products (exact: the same numbers).
 */
export function jacobian(g: Ops, y: Node, x: Node, mode?: JacobianMode): Node {
  const chosen = mode ?? jacobianMode(y, x);
  const sweeps = sizeOf((chosen === "forward" ? x : y).shape);
  const compressed = mode === "reverse" ? undefined : compressedJacobian(g, y, x, sweeps);
  return compressed ?? basisJacobian(g, y, x, chosen);
}

/** ∂y/∂x from one jvp per basis vector of x (forward) or one vjp per basis vector of y (reverse). */
export function basisJacobian(g: Ops, y: Node, x: Node, mode: JacobianMode): Node {
  const shape = [...y.shape, ...x.shape];
  if (mode === "forward") {
    // column j = J·eⱼ, stacked on a new last axis
    const columns = basis(g, x.shape).map((e) => jvp(g, [y], [x], [e])[0]);
    return stackInto(g, columns, y.shape.length, shape);
  }
  // row i = Jᵀ·eᵢ, stacked on a new first axis
  const rows = basis(g, y.shape).map((e) => vjp(g, [y], [e], [x])[0]);
  return stackInto(g, rows, 0, shape);
}

/** Forward mode when the inputs are fewer than the outputs, reverse mode otherwise. */
export function jacobianMode(y: Node, x: Node): JacobianMode {
  return sizeOf(x.shape) < sizeOf(y.shape) ? "forward" : "reverse";
}

/** ∇f for scalar f, built once and shared by every hvp. */
function gradient(g: Ops, f: Node, xs: readonly Node[]): Node[] {
  return vjp(g, [f], [g.constant(1)], xs);
}

/** The one-hot constants e₀, e₁, ... of `shape`, in row-major order. */
function basis(g: Ops, shape: Shape): Node[] {
  const size = sizeOf(shape);
  return Array.from({ length: size }, (_, i) => {
    const values = new Array<number>(size).fill(0);
    values[i] = 1;
    return g.constant(values, shape);
  });
}

/** `parts` stacked along a new `axis`, then reshaped to `shape` (zeros when there are no parts). */
function stackInto(g: Ops, parts: readonly Node[], axis: number, shape: Shape): Node {
  if (parts.length === 0) return g.constant(0, shape);
  return g.reshape(g.stack(parts, axis), shape);
}

/** Every transform the DSL's methods run, handed to its builders from above both layers. */
export const autodiffTransforms: Transforms = { vjp, jvp, hvp, hessian, jacobian };
