// W2: f(x1, x2) = ln(x1) + x1·x2 − sin(x2); at (2, 5): 11.652 with gradient (5.5, 1.716).
import { program } from "adjoint";

export default program("w2_log_sin", (g) => {
  const x1 = g.input("x1");
  const x2 = g.input("x2");
  const f = g.sub(g.add(g.log(x1), g.mul(x1, x2)), g.sin(x2));
  const [df_dx1, df_dx2] = g.grad(f, [x1, x2]);
  g.entry("value", { fetch: { f } });
  g.entry("grad", { fetch: { f, df_dx1, df_dx2 } });
});
