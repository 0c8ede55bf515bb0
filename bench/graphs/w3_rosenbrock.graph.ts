// W3: the Rosenbrock function in n = 1000 dimensions,
// f(x) = Σ_{i<n−1} 100·(x_{i+1} − x_i²)² + (1 − x_i)².
import { program } from "adjoint";

export const n = 1000;

export default program("w3_rosenbrock", (g) => {
  const x = g.input("x", [n]);
  const head = g.slice(x, [0], [n - 1]); // x_i
  const tail = g.slice(x, [1], [n]); // x_{i+1}
  const valley = g.mul(100, g.square(g.sub(tail, g.square(head))));
  const f = g.sum(g.add(valley, g.square(g.sub(1, head))));
  g.entry("value", { fetch: { f } });
  g.entry("grad", { fetch: { f, df_dx: g.grad(f, x) } });
});
