// W3: the Rosenbrock function and its gradient, n = 1000.
import { createW3Rosenbrock } from "../../generated/bench/w3_rosenbrock.ts";
import { jaxFloat32, jaxRunner, jaxWasm, type Jax, type JaxArray } from "../engines/jax.ts";
import { tfjsRunner, tfjsWith, type Tf, type TfBackend } from "../engines/tfjs.ts";
import { n } from "../graphs/w3_rosenbrock.graph.ts";
import { createRosenbrockByHand } from "../handwritten/rosenbrock.ts";
import { rosenbrockPoint } from "../inputs.ts";
import { viewRunner, type Runner, type Workload } from "./types.ts";

const point = rosenbrockPoint(n);

function adjointRosenbrock() {
  const instance = createW3Rosenbrock();
  instance.inputs.x.set(point);
  return instance;
}

function rosenbrockByHand() {
  const byHand = createRosenbrockByHand(n);
  byHand.inputs.x.set(point);
  return byHand;
}

export const w3: Workload = {
  id: "W3",
  title: `Rosenbrock, n = ${n}`,
  adapters: {
    adjoint: async () => {
      const instance = adjointRosenbrock();
      return viewRunner(() => instance.grad());
    },
    handwritten: async () => {
      const byHand = rosenbrockByHand();
      return viewRunner(() => byHand.grad());
    },
    "tfjs-cpu": () => tfjsRosenbrock("cpu"),
    "tfjs-wasm": () => tfjsRosenbrock("wasm"),
    "jax-js": jaxRosenbrock,
  },
  valueOnly: {
    adjoint: () => {
      const instance = adjointRosenbrock();
      return viewRunner(() => instance.value());
    },
    handwritten: () => {
      const byHand = rosenbrockByHand();
      return viewRunner(() => byHand.value());
    },
  },
};

async function tfjsRosenbrock(backend: TfBackend): Promise<Runner> {
  const tf = await tfjsWith(backend);
  const x = tf.tensor1d(Float32Array.from(point));
  const valueAndGrad = tf.valueAndGrad((x: import("@tensorflow/tfjs").Tensor) => tfjsF(tf, x));
  return tfjsRunner(tf, () => {
    const { value, grad } = valueAndGrad(x);
    return { f: value, df_dx: grad };
  }, [x]);
}

function tfjsF(tf: Tf, x: import("@tensorflow/tfjs").Tensor) {
  const head = x.slice(0, n - 1);
  const tail = x.slice(1, n - 1);
  const valley = tail.sub(head.square()).square().mul(100);
  return valley.add(tf.sub(1, head).square()).sum();
}

/** The Rosenbrock function in jax-js, every array used once (or through .ref). */
export function jaxRosenbrockF(jax: Jax) {
  const np = jax.numpy;
  return (x: JaxArray): JaxArray => {
    const head = x.ref.slice([0, -1]);
    const tail = x.slice([1]);
    const valley = np.square(tail.sub(np.square(head.ref))).mul(100);
    return valley.add(np.square(np.subtract(1, head))).sum();
  };
}

async function jaxRosenbrock(): Promise<Runner> {
  const jax = await jaxWasm();
  const x = jaxFloat32(jax, point, [n]);
  const valueAndGrad = jax.jit(jax.valueAndGrad(jaxRosenbrockF(jax)));
  const runner = jaxRunner(() => {
    const [f, df_dx] = valueAndGrad(x.ref);
    return { f, df_dx };
  }, [x]);
  return { ...runner, dispose: () => (runner.dispose(), valueAndGrad.dispose()) };
}
