// The root x(p) of F(x, p) = x³ + p·x − 1 = 0 by Newton's method inside a g.whileLoop (until
// |F| < tolerance), and its first and second derivatives with respect to p taken through the loop
// (examples/implicit.ts checks them against the implicit-function theorem). For p > 0, F is increasing in x, so the root
// is unique and Newton from x = 1 converges to it.
//
// Differentiating the iterations gives the implicit derivative because it converges as fast as the
// iterate: with eₖ = xₖ − x*, Newton's eₖ₊₁ ≈ c·eₖ², differentiated in p, gives an error of the
// derivative εₖ₊₁ ≈ 2c·eₖ·εₖ (plus O(eₖ²)), so εₖ shrinks like eₖ/e₀ and stopping at |F| < tol
// leaves x' (and x'') about as accurate as x.
import { program } from "adjoint";
import type { Node, ProgramBuilder } from "adjoint";

/** The stopping tolerance the runner feeds (an input, so it can change without recompiling). */
export const tolerance = 1e-13;
export const maxIterations = 50;
/** Where Newton starts. */
export const start = 1;

/** F(x, p) = x³ + p·x − 1. */
function residual(g: ProgramBuilder, x: Node, p: Node): Node {
  return g.sub(g.add(g.mul(g.square(x), x), g.mul(p, x)), 1);
}

export default program("implicit", (g) => {
  const p = g.input("p");
  // |F| < tol is a float64 test at 1e-13: in float32 (the f32 lowering) a looser one is needed
  const tol = g.input("tolerance");
  const { value: x, iterations } = g.whileLoop(
    (x: Node) => g.ge(g.abs(residual(g, x, p)), tol),
    // x ← x − F/F_x with ∂F/∂x = 3x² + p
    (x: Node) => g.sub(x, g.div(residual(g, x, p), g.add(g.mul(3, g.square(x)), p))),
    g.constant(start),
    { maxIterations },
  );
  const dx_dp = g.grad(x, p);
  const d2x_dp2 = g.grad(dx_dp, p);
  g.entry("root", { fetch: { x, iterations } });
  g.entry("derivatives", { fetch: { x, dx_dp, d2x_dp2, iterations } });
  // forward mode through the same loop: the tangent of x along ṗ = 1
  const [x_dot] = g.jvp([x], [p], [g.constant(1)]);
  g.entry("tangent", { fetch: { x, x_dot } });
});
