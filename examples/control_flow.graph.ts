// The function with a loop and a branch from the autograd chapter:
//   b = 2a; while ‖b‖ < 1000: b = 2b;  c = b if sum(b) > 0 else 100b
// A static graph unrolls the loop to a bound (64 doublings cover every float64 |a| ≥ 1e-16) with
// each step selected by `where`. f is piecewise linear, f(a) = k·a, so the gradient must equal c/a.
import { program } from "adjoint";

const maxDoublings = 64;

export default program("control_flow", (g) => {
  const a = g.input("a");
  let b = g.mul(2, a);
  for (let step = 0; step < maxDoublings; step++) {
    b = g.where(g.lt(g.abs(b), 1000), g.mul(2, b), b);
  }
  const c = g.where(g.gt(g.sum(b), 0), b, g.mul(100, b));
  g.entry("run", { fetch: { c, dc_da: g.grad(c, a) } });
});
