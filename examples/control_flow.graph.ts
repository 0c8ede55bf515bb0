// The function with a loop and a branch from the autograd chapter:
//   b = 2a; while ‖b‖ < 1000: b = 2b;  c = b if sum(b) > 0 else 100b
// with a real while loop (at most 64 doublings cover every float64 |a| ≥ 1e-16; only the doublings
// needed run, forward and in the gradient's sweep back) and a real branch: only the taken one runs.
// f is piecewise linear, f(a) = k·a, so the gradient must equal c/a.
import { program } from "adjoint";
import type { Node } from "adjoint";

const maxDoublings = 64;

export default program("control_flow", (g) => {
  const a = g.input("a");
  const { value: b, iterations } = g.whileLoop(
    (b: Node) => g.lt(g.sqrt(g.sum(g.square(b))), 1000),
    (b: Node) => g.mul(b, 2),
    g.mul(2, a),
    { maxIterations: maxDoublings },
  );
  const c = g.cond(
    g.gt(g.sum(b), 0),
    () => b,
    () => g.mul(100, b),
  );
  g.entry("run", { fetch: { c, dc_da: g.grad(c, a), doublings: iterations } });
});
