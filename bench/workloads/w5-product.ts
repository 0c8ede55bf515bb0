// W5: f(θ) = ∏ θ_i and its gradient, n = 1000, θ_i = 1 ± 0.01.
import { createW5Product } from "../../generated/bench/w5_product.ts";
import { jaxFloat32, jaxRunner, jaxWasm, type JaxArray } from "../engines/jax.ts";
import { tfjsRunner, tfjsWith, type TfBackend } from "../engines/tfjs.ts";
import { n } from "../graphs/w5_product.graph.ts";
import { createProductByHand } from "../handwritten/product.ts";
import { productPoint } from "../inputs.ts";
import { viewRunner, type Runner, type Workload } from "./types.ts";

const point = productPoint(n);

function adjointProduct() {
  const instance = createW5Product();
  instance.inputs.theta.set(point);
  return instance;
}

function productByHand() {
  const byHand = createProductByHand(n);
  byHand.inputs.theta.set(point);
  return byHand;
}

export const w5: Workload = {
  id: "W5",
  title: `∏ θᵢ, n = ${n}`,
  adapters: {
    adjoint: async () => {
      const instance = adjointProduct();
      return viewRunner(() => instance.grad());
    },
    handwritten: async () => {
      const byHand = productByHand();
      return viewRunner(() => byHand.grad());
    },
    "tfjs-cpu": () => tfjsProduct("cpu"),
    "tfjs-wasm": () => tfjsProduct("wasm"),
    "jax-js": jaxProduct,
  },
  valueOnly: {
    adjoint: () => {
      const instance = adjointProduct();
      return viewRunner(() => instance.value());
    },
    handwritten: () => {
      const byHand = productByHand();
      return viewRunner(() => byHand.value());
    },
  },
};

async function tfjsProduct(backend: TfBackend): Promise<Runner> {
  const tf = await tfjsWith(backend);
  const theta = tf.tensor1d(Float32Array.from(point));
  const valueAndGrad = tf.valueAndGrad((theta: import("@tensorflow/tfjs").Tensor) => theta.prod());
  return tfjsRunner(tf, () => {
    const { value, grad } = valueAndGrad(theta);
    return { f: value, df_dtheta: grad };
  }, [theta]);
}

async function jaxProduct(): Promise<Runner> {
  const jax = await jaxWasm();
  const theta = jaxFloat32(jax, point, [n]);
  const valueAndGrad = jax.jit(jax.valueAndGrad((theta: JaxArray) => jax.numpy.prod(theta)));
  const runner = jaxRunner(() => {
    const [f, df_dtheta] = valueAndGrad(theta.ref);
    return { f, df_dtheta };
  }, [theta]);
  return { ...runner, dispose: () => (runner.dispose(), valueAndGrad.dispose()) };
}
