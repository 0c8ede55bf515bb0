// W3H: the dense Hessian of the Rosenbrock function for n = 100 (tridiagonal, stored dense).
import { program } from "adjoint";

export const n = 100;

export default program("w3h_rosenbrock_hessian", (g) => {
  const x = g.input("x", [n]);
  const head = g.slice(x, [0], [n - 1]);
  const tail = g.slice(x, [1], [n]);
  const valley = g.mul(100, g.square(g.sub(tail, g.square(head))));
  const f = g.sum(g.add(valley, g.square(g.sub(1, head))));
  g.entry("hessian", { fetch: { d2f_dx2: g.hessian(f, x) } });
});
