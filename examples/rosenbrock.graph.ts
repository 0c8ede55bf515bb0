// Rosenbrock's banana valley f(x, y) = 100(y − x²)² + (1 − x)², minimum 0 at (1, 1): the value,
// the gradient and the 2×2 Hessian, for Newton's method (examples/newton.ts).
import { program } from "adjoint";

export default program("rosenbrock", (g) => {
  const p = g.input("p", [2]);
  const x = g.reshape(g.slice(p, [0], [1]), []);
  const y = g.reshape(g.slice(p, [1], [2]), []);
  const f = g.add(g.mul(100, g.square(g.sub(y, g.square(x)))), g.square(g.sub(1, x)));
  const df = g.grad(f, p);
  const d2f = g.hessian(f, p);
  g.entry("value", { fetch: { f } });
  g.entry("gradient", { fetch: { f, df } });
  g.entry("hessian", { fetch: { f, df, d2f } });
});
