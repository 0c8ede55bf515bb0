// The MLP step of W4 at a given batch size and float type: batch × 784 → 128 (tanh) → 10, softmax
// cross-entropy averaged over the batch, with the gradients of all four parameters.
import { program, type Program } from "adjoint";

export const features = 784;
export const hidden = 128;
export const classes = 10;

export function mlpProgram(name: string, batch: number, dtype: "f64" | "f32" = "f64"): Program {
  return program(
    name,
    (g) => {
      const x = g.input("x", [batch, features]);
      const labels = g.input("labels", [batch], { dtype: "i32" });
      const W1 = g.param("W1", [features, hidden]);
      const b1 = g.param("b1", [hidden]);
      const W2 = g.param("W2", [hidden, classes]);
      const b2 = g.param("b2", [classes]);
      const h = g.name(g.tanh(g.add(g.matmul(x, W1), b1)), "h");
      const logits = g.name(g.add(g.matmul(h, W2), b2), "logits");
      const loss = g.mean(g.softmaxCrossEntropy(logits, labels));
      const [W1_bar, b1_bar, W2_bar, b2_bar] = g.grad(loss, [W1, b1, W2, b2]);
      g.entry("value", { fetch: { loss } });
      g.entry("grad", { fetch: { loss, W1_bar, b1_bar, W2_bar, b2_bar } });
    },
    { dtype },
  );
}
