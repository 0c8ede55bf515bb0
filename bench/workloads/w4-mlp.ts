// W4: value and gradients (W1, b1, W2, b2) of an MLP, batch 64 × 784 → 128 (tanh) → 10, mean
// softmax cross-entropy with i32 labels.
import { createW4Mlp } from "../../generated/bench/w4_mlp.ts";
import { jaxFloat32, jaxRunner, jaxWasm, type JaxArray } from "../engines/jax.ts";
import { tfjsRunner, tfjsWith, type TfBackend } from "../engines/tfjs.ts";
import { batch, classes, features, hidden } from "../graphs/w4_mlp.graph.ts";
import { createMlpByHand } from "../handwritten/mlp.ts";
import { mlpPoint } from "../inputs.ts";
import { viewRunner, type Runner, type Workload } from "./types.ts";

const point = mlpPoint();

export function adjointMlp() {
  const instance = createW4Mlp();
  instance.inputs.x.set(point.x);
  instance.inputs.labels.set(point.labels);
  instance.params.W1.set(point.W1);
  instance.params.b1.set(point.b1);
  instance.params.W2.set(point.W2);
  instance.params.b2.set(point.b2);
  return instance;
}

function mlpByHand() {
  const byHand = createMlpByHand({ batch, features, hidden, classes });
  byHand.inputs.x.set(point.x);
  byHand.inputs.labels.set(point.labels);
  byHand.params.W1.set(point.W1);
  byHand.params.b1.set(point.b1);
  byHand.params.W2.set(point.W2);
  byHand.params.b2.set(point.b2);
  return byHand;
}

export const w4: Workload = {
  id: "W4",
  title: `MLP ${batch}×${features} → ${hidden} tanh → ${classes}, softmax CE`,
  adapters: {
    adjoint: async () => {
      const instance = adjointMlp();
      return viewRunner(() => instance.grad());
    },
    handwritten: async () => {
      const byHand = mlpByHand();
      return viewRunner(() => byHand.grad());
    },
    "tfjs-cpu": () => tfjsMlp("cpu"),
    "tfjs-wasm": () => tfjsMlp("wasm"),
    "jax-js": jaxMlp,
  },
  valueOnly: {
    adjoint: () => {
      const instance = adjointMlp();
      return viewRunner(() => instance.value());
    },
    handwritten: () => {
      const byHand = mlpByHand();
      return viewRunner(() => byHand.value());
    },
  },
};

async function tfjsMlp(backend: TfBackend): Promise<Runner> {
  const tf = await tfjsWith(backend);
  const f32 = (values: Float64Array) => Float32Array.from(values);
  const x = tf.tensor2d(f32(point.x), [batch, features]);
  const labels = tf.tensor1d(point.labels, "int32");
  const params = [
    tf.tensor2d(f32(point.W1), [features, hidden]),
    tf.tensor1d(f32(point.b1)),
    tf.tensor2d(f32(point.W2), [hidden, classes]),
    tf.tensor1d(f32(point.b2)),
  ];
  // tf.losses.softmaxCrossEntropy averages over the batch and has the fused softmax − onehot gradient
  const valueAndGrads = tf.valueAndGrads((W1, b1, W2, b2) => {
    const h = x.matMul(W1).add(b1).tanh();
    const logits = h.matMul(W2).add(b2);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits);
  });
  return tfjsRunner(tf, () => {
    const { value, grads } = valueAndGrads(params);
    const [W1_bar, b1_bar, W2_bar, b2_bar] = grads;
    return { loss: value, W1_bar, b1_bar, W2_bar, b2_bar };
  }, [x, labels, ...params]);
}

interface JaxParams {
  readonly W1: JaxArray;
  readonly b1: JaxArray;
  readonly W2: JaxArray;
  readonly b2: JaxArray;
}

async function jaxMlp(): Promise<Runner> {
  const jax = await jaxWasm();
  const np = jax.numpy;
  const x = jaxFloat32(jax, point.x, [batch, features]);
  const labels = np.array(Int32Array.from(point.labels));
  const params: JaxParams = {
    W1: jaxFloat32(jax, point.W1, [features, hidden]),
    b1: jaxFloat32(jax, point.b1, [hidden]),
    W2: jaxFloat32(jax, point.W2, [hidden, classes]),
    b2: jaxFloat32(jax, point.b2, [classes]),
  };
  const loss = (p: JaxParams, x: JaxArray, labels: JaxArray): JaxArray => {
    const h = np.tanh(np.matmul(x, p.W1).add(p.b1));
    const logits = np.matmul(h, p.W2).add(p.b2);
    const logProbabilities = jax.nn.logSoftmax(logits);
    return logProbabilities.mul(jax.nn.oneHot(labels, classes)).sum(-1).mean().mul(-1);
  };
  const valueAndGrad = jax.jit(jax.valueAndGrad(loss));
  const refs = (): JaxParams => ({
    W1: params.W1.ref,
    b1: params.b1.ref,
    W2: params.W2.ref,
    b2: params.b2.ref,
  });
  const runner = jaxRunner(() => {
    const [value, grads] = valueAndGrad(refs(), x.ref, labels.ref);
    return { loss: value, W1_bar: grads.W1, b1_bar: grads.b1, W2_bar: grads.W2, b2_bar: grads.b2 };
  }, [x, labels, ...Object.values(params)]);
  return { ...runner, dispose: () => (runner.dispose(), valueAndGrad.dispose()) };
}
