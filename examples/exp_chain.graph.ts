// f(v1) = (exp(v1) + 1)·exp(v1), the graph extended with adjoint nodes in the reverse-mode chapter.
// f' = 2e^(2v) + e^v and f'' = 4e^(2v) + e^v: the second derivative differentiates the first's graph.
import { program } from "adjoint";

export default program("exp_chain", (g) => {
  const v1 = g.input("v1");
  const v2 = g.name(g.exp(v1), "v2");
  const v3 = g.name(g.add(v2, 1), "v3");
  const v4 = g.mul(v3, v2);
  const df = g.grad(v4, v1);
  const d2f = g.grad(df, v1);
  g.entry("derivatives", { fetch: { f: v4, df, d2f } });
});
