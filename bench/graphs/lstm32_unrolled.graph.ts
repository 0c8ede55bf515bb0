// The LSTM example's model over 32 characters with its loop unrolled by the host language (one
// copy of the step per character): the reference for the time per step of the scanned model.
import { program } from "adjoint";
import { hidden, lstmEntries, lstmStep, lstmWeights } from "../../examples/lstm.graph.ts";

export const steps = 32;

export default program("lstm32_unrolled", (g) => {
  const tokens = g.input("tokens", [steps], { dtype: "i32" });
  const targets = g.input("targets", [steps], { dtype: "i32" });
  const weights = lstmWeights(g);
  const zeros = g.constant(0, [hidden]);
  let state = { h1: zeros, c1: zeros, h2: zeros, c2: zeros };
  const losses = [];
  for (let t = 0; t < steps; t++) {
    const at = (sequence: typeof tokens) => g.reshape(g.slice(sequence, [t], [t + 1]), []);
    const [next, nll] = lstmStep(g, weights, state, at(tokens), at(targets));
    state = next;
    losses.push(g.reshape(nll, [1]));
  }
  lstmEntries(g, weights, g.mean(g.concat(losses)));
});
