// W2: f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at (2, 5) = 11.652, gradient (5.5, 1.716).
import { createW2LogSin } from "../../generated/bench/w2_log_sin.ts";
import { jaxFloat32, jaxRunner, jaxWasm, type JaxArray } from "../engines/jax.ts";
import { tfjsRunner, tfjsWith, type TfBackend } from "../engines/tfjs.ts";
import { createLogSinByHand } from "../handwritten/scalar.ts";
import { logSinPoint } from "../inputs.ts";
import { viewRunner, type Runner, type Workload } from "./types.ts";

const { x1: x1_0, x2: x2_0 } = logSinPoint;

export const w2: Workload = {
  id: "W2",
  title: `ln x1 + x1·x2 − sin x2 at (${x1_0}, ${x2_0})`,
  adapters: {
    adjoint: async () => {
      const instance = createW2LogSin();
      instance.inputs.x1[0] = x1_0;
      instance.inputs.x2[0] = x2_0;
      return viewRunner(() => instance.grad());
    },
    handwritten: async () => {
      const byHand = createLogSinByHand();
      byHand.inputs.x1[0] = x1_0;
      byHand.inputs.x2[0] = x2_0;
      return viewRunner(() => byHand.grad());
    },
    "tfjs-cpu": () => tfjsLogSin("cpu"),
    "tfjs-wasm": () => tfjsLogSin("wasm"),
    "jax-js": jaxLogSin,
  },
};

async function tfjsLogSin(backend: TfBackend): Promise<Runner> {
  const tf = await tfjsWith(backend);
  const x1 = tf.scalar(x1_0);
  const x2 = tf.scalar(x2_0);
  const valueAndGrads = tf.valueAndGrads((x1, x2) => x1.log().add(x1.mul(x2)).sub(x2.sin()));
  return tfjsRunner(tf, () => {
    const { value, grads } = valueAndGrads([x1, x2]);
    return { f: value, df_dx1: grads[0], df_dx2: grads[1] };
  }, [x1, x2]);
}

async function jaxLogSin(): Promise<Runner> {
  const jax = await jaxWasm();
  const np = jax.numpy;
  const x1 = jaxFloat32(jax, [x1_0], []);
  const x2 = jaxFloat32(jax, [x2_0], []);
  const f = (x1: JaxArray, x2: JaxArray) => np.log(x1.ref).add(x1.mul(x2.ref)).sub(np.sin(x2));
  const valueAndGrad = jax.jit(jax.valueAndGrad(f, { argnums: [0, 1] }));
  const runner = jaxRunner(() => {
    const [value, [df_dx1, df_dx2]] = valueAndGrad(x1.ref, x2.ref);
    return { f: value, df_dx1, df_dx2 };
  }, [x1, x2]);
  return { ...runner, dispose: () => (runner.dispose(), valueAndGrad.dispose()) };
}
