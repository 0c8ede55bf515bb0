// W1: f(x, y) = x²y + y + 2, the textbook's running example; at (3, 4): 42 with gradient (24, 10).
import { program } from "adjoint";

export default program("w1_quadratic", (g) => {
  const x = g.input("x");
  const y = g.input("y");
  const f = g.add(g.add(g.mul(g.mul(x, x), y), y), 2);
  const [df_dx, df_dy] = g.grad(f, [x, y]);
  g.entry("value", { fetch: { f } });
  g.entry("grad", { fetch: { f, df_dx, df_dy } });
});
