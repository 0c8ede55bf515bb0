// A two-layer perceptron for MNIST digits: 784 grey levels -> 128 relu units -> 10 logits, trained on
// the mean softmax cross-entropy of a minibatch. Each train entry point runs forward, backward and
// its optimizer's update in place; evaluate counts correct predictions on a larger batch.
import {
  adam,
  momentum,
  program,
  sgd,
  type AdamOptions,
  type MomentumOptions,
  type Node,
  type ProgramBuilder,
  type SgdOptions,
} from "adjoint";

/** Images are side×side grey levels. */
export const side = 28;
export const pixels = side * side;
export const hidden = 128;
export const classes = 10;
/** Digits per training step. */
export const batchSize = 64;
/** Digits per evaluate call: the 2,000 held-out digits take two calls. */
export const evalBatchSize = 1000;

export const optimizers = ["sgd", "momentum", "adam"] as const;
export type OptimizerName = (typeof optimizers)[number];

/**
 * Hyper-parameters of each optimizer, tuned for this model and batch size. The learning rate is
 * where the schedule starts: the model reads it from its `learningRate` input on every step.
 */
export const hyperParameters = {
  sgd: { learningRate: 0.5 },
  momentum: { learningRate: 0.1, momentum: 0.9 },
  adam: { learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
} as const;

/** The generated entry point that trains with each optimizer. */
export const trainEntry = {
  sgd: "trainSgd",
  momentum: "trainMomentum",
  adam: "trainAdam",
} as const satisfies Record<OptimizerName, string>;

interface Weights {
  readonly W1: Node;
  readonly b1: Node;
  readonly W2: Node;
  readonly b2: Node;
}

/** Logits [rows, classes] of the images x [rows, pixels]. */
function logitsOf(g: ProgramBuilder, weights: Weights, x: Node): Node {
  const h = g.name(g.relu(g.add(g.matmul(x, weights.W1), weights.b1)), "h");
  return g.add(g.matmul(h, weights.W2), weights.b2);
}

/** The program, with other hyper-parameters or batch size for experiments. */
export function mnistProgram(hyper: HyperParameters = hyperParameters, batch = batchSize) {
  return program("mnist", (g) => build(g, hyper, batch));
}

export default mnistProgram();

/** An optimizer's options with the learning rate as a number (the schedule's start). */
type Tuned<T> = Omit<T, "learningRate"> & { readonly learningRate: number };

export interface HyperParameters {
  readonly sgd: Tuned<SgdOptions>;
  readonly momentum: Tuned<MomentumOptions>;
  readonly adam: Tuned<AdamOptions>;
}

function build(g: ProgramBuilder, hyper: HyperParameters, batch: number): void {
  const weights = g.params({
    W1: [pixels, hidden],
    b1: [hidden],
    W2: [hidden, classes],
    b2: [classes],
  });

  const x = g.input("x", [batch, pixels]);
  const labels = g.input("labels", [batch], { dtype: "i32" });
  const loss = g.mean(g.softmaxCrossEntropy(g.name(logitsOf(g, weights, x), "logits"), labels));
  const grads = g.grad(loss, weights);
  // an input, so the training loop can decay it without recompiling
  const learningRate = g.input("learningRate");
  g.entry(trainEntry.sgd, {
    fetch: { loss },
    update: sgd(g, weights, grads, { ...hyper.sgd, learningRate }),
  });
  g.entry(trainEntry.momentum, {
    fetch: { loss },
    update: momentum(g, weights, grads, { ...hyper.momentum, learningRate }),
  });
  g.entry(trainEntry.adam, {
    fetch: { loss },
    update: adam(g, weights, grads, { ...hyper.adam, learningRate }),
  });

  // a prediction is correct when the logit at the label is the row's largest (no argmax op needed)
  const evalX = g.input("evalX", [evalBatchSize, pixels]);
  const evalLabels = g.input("evalLabels", [evalBatchSize], { dtype: "i32" });
  const evalLogits = logitsOf(g, weights, evalX);
  const labelLogit = g.sum(g.mul(g.cast(g.oneHot(evalLabels, classes), "f64"), evalLogits), [1]);
  // a count has no gradient: stopGradient says so, so differentiating through it is not an error
  const correct = g.stopGradient(g.sum(g.cast(g.eq(labelLogit, g.max(evalLogits, [1])), "f64")));
  const evalLoss = g.mean(g.softmaxCrossEntropy(evalLogits, evalLabels));
  g.entry("evaluate", { fetch: { correct, loss: evalLoss } });
}
