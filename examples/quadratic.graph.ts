// f(x, y) = x²y + y + 2, the running example of the autodiff appendix: f(3, 4) = 42, ∇f = (24, 10).
import { program } from "adjoint";

export default program("quadratic", (g) => {
  const x = g.input("x");
  const y = g.input("y");
  const f = g.add(g.add(g.mul(g.mul(x, x), y), y), 2);
  const [df_dx, df_dy] = g.grad(f, [x, y]);
  g.entry("value", { fetch: { f } });
  g.entry("grad", { fetch: { f, df_dx, df_dy } });
  // Forward mode, the dual numbers of the appendix: f(3 + ε, 4) = 42 + 24ε.
  const [f_dot] = g.jvp([f], [x, y], [g.constant(1), g.constant(0)]);
  g.entry("tangent", { fetch: { f, f_dot } });
  // Second order by differentiating the gradient graph: ∂²f/∂x² = 2y, ∂²f/∂x∂y = 2x.
  const [d2f_dxdx, d2f_dxdy] = g.grad(df_dx, [x, y]);
  g.entry("hessianRow", { fetch: { d2f_dxdx, d2f_dxdy } });
});
