// W5: f(θ) = ∏ θᵢ for n = 1000; reverse mode needs O(n) work (prefix and suffix products).
import { program } from "adjoint";

export const n = 1000;

export default program("w5_product", (g) => {
  const theta = g.input("theta", [n]);
  const f = g.prod(theta);
  g.entry("value", { fetch: { f } });
  g.entry("grad", { fetch: { f, df_dtheta: g.grad(f, theta) } });
});
