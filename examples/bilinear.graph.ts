// g(x, y) = 5 + xy (figure A-1): once pruned, the compiled ∂g/∂x is the single expression `y`.
import { program } from "adjoint";

export default program("bilinear", (g) => {
  const x = g.input("x");
  const y = g.input("y");
  const value = g.add(5, g.mul(x, y));
  const dg_dx = g.grad(value, x);
  g.entry("dgdx", { fetch: { dg_dx } });
  g.entry("value", { fetch: { value } });
});
