// Detaching a value (PyTorch's y.detach()): z = u·x with u = stopGradient(x·x) treats u as a constant,
// so ∂sum(z)/∂x = u, while y = x·x itself still has the gradient 2x. At x = [0, 1, 2, 3]: u = [0, 1, 4, 9].
import { program } from "adjoint";

export default program("detach", (g) => {
  const x = g.input("x", [4]);
  const y = g.name(g.mul(x, x), "y");
  const u = g.name(g.stopGradient(y), "u");
  const z = g.mul(u, x);
  g.entry("detached", { fetch: { u, dz_dx: g.grad(g.sum(z), x) } });
  g.entry("attached", { fetch: { dy_dx: g.grad(g.sum(y), x) } });
  // y.backward(ones): the vector-Jacobian product with a cotangent of ones equals ∇ sum(y) = 2x
  const [backwardOnes] = g.vjp([y], [g.constant(1, [4])], [x]);
  g.entry("backwardOnes", { fetch: { x_grad: backwardOnes } });
});
