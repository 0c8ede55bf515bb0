// Logistic regression by maximum likelihood: p = σ(Xw + b), mean negative log-likelihood
// ℓ(θ) = mean(log(1 + eᶻ) − y·z) with z = [X 1]·θ, written with the stable softplus. Its gradient
// and its (d+1)×(d+1) Hessian feed Newton's method, i.e. IRLS (examples/irls.ts).
import { program } from "adjoint";

/** Samples and features of the data set (examples/irls.ts draws it). */
export const samples = 200;
export const features = 3;

export default program("logistic", (g) => {
  const X = g.input("X", [samples, features]);
  const y = g.input("y", [samples]);
  // θ = (w₁, ..., w_d, b): the bias is the weight of a column of ones
  const theta = g.param("theta", [features + 1]);
  const design = g.concat([X, g.constant(1, [samples, 1])], 1);
  const z = g.name(
    g.reshape(g.matmul(design, g.reshape(theta, [features + 1, 1])), [samples]),
    "z",
  );
  // −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z): together softplus(z) − y·z
  const loss = g.mean(g.sub(g.softplus(z), g.mul(y, z)));
  const gradient = g.grad(loss, theta);
  const hessian = g.hessian(loss, theta);
  g.entry("loss", { fetch: { loss } });
  g.entry("gradient", { fetch: { loss, gradient } });
  g.entry("newton", { fetch: { loss, gradient, hessian } });
  g.entry("predict", { fetch: { probabilities: g.sigmoid(z) } });
});
