// W4: value and gradients (W1, b1, W2, b2) of an MLP, batch × 784 → 128 (tanh) → 10, mean
// softmax cross-entropy with i32 labels; at batch 64 and 256, Adjoint in float64 and float32.
import { createW4Mlp } from "../../generated/bench/w4_mlp.ts";
import { createW4MlpB256 } from "../../generated/bench/w4_mlp_b256.ts";
import { createW4MlpB256F32 } from "../../generated/bench/w4_mlp_b256_f32.ts";
import { createW4MlpF32 } from "../../generated/bench/w4_mlp_f32.ts";
import { jaxFloat32, jaxRunner, jaxWasm, type JaxArray } from "../engines/jax.ts";
import { tfjsRunner, tfjsWith, type TfBackend } from "../engines/tfjs.ts";
import { classes, features, hidden } from "../graphs/mlp.ts";
import { createMlpByHand } from "../handwritten/mlp.ts";
import { mlpPoint, type MlpPoint } from "../inputs.ts";
import { viewRunner, type Runner, type ViewOutputs, type Workload } from "./types.ts";

type Views = { set(values: ArrayLike<number>): void };

/** What every compiled MLP module offers, whatever its batch and float type. */
interface MlpInstance<Value, Grad> {
  readonly inputs: { readonly x: Views; readonly labels: Views };
  readonly params: {
    readonly W1: Views;
    readonly b1: Views;
    readonly W2: Views;
    readonly b2: Views;
  };
  value(): Value;
  grad(): Grad;
}

function loaded<T extends MlpInstance<unknown, unknown>>(instance: T, point: MlpPoint): T {
  instance.inputs.x.set(point.x);
  instance.inputs.labels.set(point.labels);
  instance.params.W1.set(point.W1);
  instance.params.b1.set(point.b1);
  instance.params.W2.set(point.W2);
  instance.params.b2.set(point.b2);
  return instance;
}

/** The batch-64 float64 instance on W4's inputs (also the heap child's). */
export function adjointMlp() {
  return loaded(createW4Mlp(), mlpPoint());
}

function mlpByHand(point: MlpPoint, batch: number) {
  return loaded(createMlpByHand({ batch, features, hidden, classes }), point);
}

interface MlpVariant<Value extends ViewOutputs<Value>, Grad extends ViewOutputs<Grad>> {
  readonly id: string;
  readonly batch: number;
  readonly dtype: "f64" | "f32";
  readonly create: () => MlpInstance<Value, Grad>;
  readonly withValueOnly?: boolean;
}

function mlpWorkload<Value extends ViewOutputs<Value>, Grad extends ViewOutputs<Grad>>(
  variant: MlpVariant<Value, Grad>,
): Workload {
  const { id, batch, dtype, create } = variant;
  const point = mlpPoint(batch);
  const adjoint = () => loaded(create(), point);
  const byHand = () => mlpByHand(point, batch);
  return {
    id,
    title: `MLP ${batch}×${features} → ${hidden} tanh → ${classes}, softmax CE${dtype === "f32" ? ", Adjoint in f32" : ""}`,
    dtype,
    adapters: {
      adjoint: async () => {
        const instance = adjoint();
        return viewRunner(() => instance.grad());
      },
      handwritten: async () => {
        const instance = byHand();
        return viewRunner(() => instance.grad());
      },
      "tfjs-cpu": () => tfjsMlp("cpu", point, batch),
      "tfjs-wasm": () => tfjsMlp("wasm", point, batch),
      "jax-js": () => jaxMlp(point, batch),
    },
    valueOnly: variant.withValueOnly
      ? {
          adjoint: () => {
            const instance = adjoint();
            return viewRunner(() => instance.value());
          },
          handwritten: () => {
            const instance = byHand();
            return viewRunner(() => instance.value());
          },
        }
      : undefined,
  };
}

export const w4 = mlpWorkload({
  id: "W4",
  batch: 64,
  dtype: "f64",
  create: createW4Mlp,
  withValueOnly: true,
});
export const w4f32 = mlpWorkload({ id: "W4F32", batch: 64, dtype: "f32", create: createW4MlpF32 });
export const w4b256 = mlpWorkload({
  id: "W4B256",
  batch: 256,
  dtype: "f64",
  create: createW4MlpB256,
});
export const w4b256f32 = mlpWorkload({
  id: "W4B256F32",
  batch: 256,
  dtype: "f32",
  create: createW4MlpB256F32,
});

async function tfjsMlp(backend: TfBackend, point: MlpPoint, batch: number): Promise<Runner> {
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

async function jaxMlp(point: MlpPoint, batch: number): Promise<Runner> {
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
