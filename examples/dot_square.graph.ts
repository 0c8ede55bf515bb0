// y = 2xᵀx at x = [0, 1, 2, 3]: y = 28 and ∇y = 4x = [0, 4, 8, 12]; the gradient of sum(x) is all ones,
// and the gradient of sum(x·x) is 2x = [0, 2, 4, 6].
import { program } from "adjoint";

export default program("dot_square", (g) => {
  const x = g.input("x", [4]);
  const y = g.mul(2, g.dot(x, x));
  const dy_dx = g.grad(y, x);
  g.entry("grad", { fetch: { y, dy_dx } });
  const total = g.sum(x);
  g.entry("sumGrad", { fetch: { total, dtotal_dx: g.grad(total, x) } });
  const squares = g.sum(g.mul(x, x));
  g.entry("squaresGrad", { fetch: { squares, dsquares_dx: g.grad(squares, x) } });
});
