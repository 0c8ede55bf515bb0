// W4: one gradient evaluation of an MLP, batch 64 × 784 → 128 (tanh) → 10, softmax cross-entropy
// averaged over the batch, with the gradients of all four parameters (bench/graphs/mlp.ts).
import { mlpProgram } from "./mlp.ts";

export { classes, features, hidden } from "./mlp.ts";
export const batch = 64;

export default mlpProgram("w4_mlp", batch);
