// y = ln(x1) + x1·x2 − sin(x2), the evaluation trace of the reverse-mode tables: at (2, 5)
// y = 11.652, ∂y/∂x1 = 5.5 and ∂y/∂x2 = 1.716, in one backward sweep.
import { program } from "adjoint";

export default program("trace", (g) => {
  const x1 = g.input("x1");
  const x2 = g.input("x2");
  const v3 = g.name(g.log(x1), "v3");
  const v4 = g.name(g.mul(x1, x2), "v4");
  const v5 = g.name(g.sin(x2), "v5");
  const y = g.sub(g.add(v3, v4), v5);
  const [dy_dx1, dy_dx2] = g.grad(y, [x1, x2]);
  g.entry("grad", { fetch: { y, dy_dx1, dy_dx2 } });
  // The forward trace with ẋ1 = 1, ẋ2 = 0 gives ∂y/∂x1 alone.
  const [y_dot] = g.jvp([y], [x1, x2], [g.constant(1), g.constant(0)]);
  g.entry("forward", { fetch: { y, y_dot } });
});
