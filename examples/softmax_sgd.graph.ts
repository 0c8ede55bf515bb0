// Softmax regression trained by minibatch SGD, as in the chapter's three ingredients:
// hypothesis h = xW + b, loss l(h, y) = −h_y + log Σ_j exp h_j, update θ := θ − α/B Σᵢ ∇θ l.
import { program } from "adjoint";

export const batch = 6;
export const features = 2;
export const classes = 3;
export const learningRate = 0.5;

export default program("softmax_sgd", (g) => {
  const x = g.input("x", [batch, features]);
  const labels = g.input("labels", [batch], { dtype: "i32" });
  const W = g.param("W", [features, classes]);
  const b = g.param("b", [classes]);
  const logits = g.name(g.add(g.matmul(x, W), b), "logits");
  const losses = g.softmaxCrossEntropy(logits, labels);
  const loss = g.mean(losses);
  // mean over the batch already divides by B: θ := θ − α·∇θ mean(l)
  const [W_bar, b_bar] = g.grad(loss, [W, b]);
  g.entry("gradients", { fetch: { loss, W_bar, b_bar } });
  g.entry("step", {
    fetch: { loss },
    update: [
      [W, g.sub(W, g.mul(learningRate, W_bar))],
      [b, g.sub(b, g.mul(learningRate, b_bar))],
    ],
  });
  g.entry("predict", { fetch: { probabilities: g.softmax(logits) } });
});
