// A character-level LSTM language model's objective over a long sequence, as one scan: two layers
// of hidden size 14, each next character's log-likelihood through a logsumexp, averaged. The loop
// compiles to one `for` over the steps (and one for the reverse sweep of the gradient), so the
// module's size does not depend on the sequence length.
import { program } from "adjoint";
import type { Node, ProgramBuilder } from "adjoint";

export const steps = 1024;
export const vocabulary = 12;
export const hidden = 14;

/** Small deterministic starting weights (a seeded sine pattern), scaled by 1/√fan-in. */
function init(size: number, fanIn: number, seed: number): number[] {
  return Array.from(
    { length: size },
    (_, i) => Math.sin(12.9898 * (i + 1) + seed) / Math.sqrt(fanIn),
  );
}

/** One LSTM layer step: gates from [x, h], then c′ = f·c + i·g and h′ = o·tanh(c′). */
function cell(g: ProgramBuilder, W: Node, b: Node, x: Node, h: Node, c: Node) {
  const inputs = g.reshape(g.concat([x, h]), [1, -1]);
  const z = g.add(g.reshape(g.matmul(inputs, W), [4 * hidden]), b);
  const gate = (k: number) => g.slice(z, [k * hidden], [(k + 1) * hidden]);
  const [i, f, o] = [g.sigmoid(gate(0)), g.sigmoid(gate(1)), g.sigmoid(gate(2))];
  const next = g.add(g.mul(f, c), g.mul(i, g.tanh(gate(3))));
  return { h: g.mul(o, g.tanh(next)), c: next };
}

/** The model over a sequence of `length` characters (the module's size is the same for any). */
export function lstmProgram(length: number) {
  return program("lstm", (g) => model(g, length));
}

export default lstmProgram(steps);

function model(g: ProgramBuilder, steps: number) {
  // tokens[t] is read at step t and targets[t] = tokens[t + 1] is what it must predict
  const tokens = g.input("tokens", [steps], { dtype: "i32" });
  const targets = g.input("targets", [steps], { dtype: "i32" });
  const weights = lstmWeights(g);
  const zeros = g.constant(0, [hidden]);
  const [, losses] = g.scan(
    (state, x) => lstmStep(g, weights, state, x.token, x.target),
    { h1: zeros, c1: zeros, h2: zeros, c2: zeros },
    { token: tokens, target: targets },
  );
  const loss = g.mean(losses);
  lstmEntries(g, weights, loss);
}

export interface LstmWeights {
  readonly W1: Node;
  readonly b1: Node;
  readonly W2: Node;
  readonly b2: Node;
  readonly Wo: Node;
  readonly bo: Node;
}

export interface LstmState {
  readonly h1: Node;
  readonly c1: Node;
  readonly h2: Node;
  readonly c2: Node;
}

/** The model's params with their seeded starting values. */
export function lstmWeights(g: ProgramBuilder): LstmWeights {
  return {
    W1: g.param("W1", [vocabulary + hidden, 4 * hidden], {
      init: init((vocabulary + hidden) * 4 * hidden, vocabulary + hidden, 1),
    }),
    b1: g.param("b1", [4 * hidden], { init: 0 }),
    W2: g.param("W2", [2 * hidden, 4 * hidden], {
      init: init(2 * hidden * 4 * hidden, 2 * hidden, 2),
    }),
    b2: g.param("b2", [4 * hidden], { init: 0 }),
    Wo: g.param("Wo", [hidden, vocabulary], { init: init(hidden * vocabulary, hidden, 3) }),
    bo: g.param("bo", [vocabulary], { init: 0 }),
  };
}

/** One step: both layers on the step's character, then −log p(target) of the next one. */
export function lstmStep(
  g: ProgramBuilder,
  w: LstmWeights,
  state: LstmState,
  token: Node,
  target: Node,
): [LstmState, Node] {
  const one = cell(g, w.W1, w.b1, g.oneHot(token, vocabulary), state.h1, state.c1);
  const two = cell(g, w.W2, w.b2, one.h, state.h2, state.c2);
  const logits = g.add(
    g.reshape(g.matmul(g.reshape(two.h, [1, hidden]), w.Wo), [vocabulary]),
    w.bo,
  );
  // −log softmax(logits)[target] = logsumexp(logits) − logits · onehot(target)
  const nll = g.sub(g.logsumexp(logits), g.dot(logits, g.oneHot(target, vocabulary)));
  return [{ h1: one.h, c1: one.c, h2: two.h, c2: two.c }, nll];
}

/** The objective's value, and its value with the gradient of every weight. */
export function lstmEntries(g: ProgramBuilder, w: LstmWeights, loss: Node): void {
  g.entry("objective", { fetch: { loss } });
  const [W1_bar, b1_bar, W2_bar, b2_bar, Wo_bar, bo_bar] = g.grad(loss, [
    w.W1,
    w.b1,
    w.W2,
    w.b2,
    w.Wo,
    w.bo,
  ]);
  g.entry("gradient", { fetch: { loss, W1_bar, b1_bar, W2_bar, b2_bar, Wo_bar, bo_bar } });
}
