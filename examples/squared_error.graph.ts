// z = (⟨x, w⟩ − y)², the computational graph of the chain-rule chapter: ∂z/∂w = 2(⟨x, w⟩ − y)·x.
import { program } from "adjoint";

export default program("squared_error", (g) => {
  const x = g.input("x", [3]);
  const y = g.input("y");
  const w = g.param("w", [3], { init: [0.5, -1, 2] });
  const a = g.name(g.dot(x, w), "a");
  const b = g.name(g.sub(a, y), "b");
  const z = g.pow(b, 2);
  const dz_dw = g.grad(z, w);
  g.entry("grad", { fetch: { z, dz_dw } });
  // One plain gradient-descent step on w, in place.
  g.entry("step", { fetch: { z }, update: [[w, g.sub(w, g.mul(0.05, dz_dw))]] });
});
