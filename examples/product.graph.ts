// f(θ) = ∏ θᵢ for n = 1000 (the "wasted computation" example): naive symbolic differentiation
// multiplies n − 2 factors for each of the n partials; reverse mode with prefix and suffix products
// needs O(n), and stays exact where some θᵢ are zero (no division by θᵢ).
import { program } from "adjoint";

export const n = 1000;

export default program("product", (g) => {
  const theta = g.input("theta", [n]);
  const f = g.prod(theta);
  g.entry("grad", { fetch: { f, df_dtheta: g.grad(f, theta) } });
});
