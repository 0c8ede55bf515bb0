// W1: f(x, y) = x²y + y + 2 at (3, 4) = 42, gradient (24, 10).
import { createW1Quadratic } from "../../generated/bench/w1_quadratic.ts";
import { jaxFloat32, jaxRunner, jaxWasm, type JaxArray } from "../engines/jax.ts";
import { tfjsRunner, tfjsWith, type TfBackend } from "../engines/tfjs.ts";
import { createQuadraticByHand } from "../handwritten/scalar.ts";
import { quadraticPoint } from "../inputs.ts";
import { viewRunner, type Runner, type Workload } from "./types.ts";

const { x: x0, y: y0 } = quadraticPoint;

export const w1: Workload = {
  id: "W1",
  title: `x²y + y + 2 at (${x0}, ${y0})`,
  adapters: {
    adjoint: async () => {
      const instance = createW1Quadratic();
      instance.inputs.x[0] = x0;
      instance.inputs.y[0] = y0;
      return viewRunner(() => instance.grad());
    },
    handwritten: async () => {
      const byHand = createQuadraticByHand();
      byHand.inputs.x[0] = x0;
      byHand.inputs.y[0] = y0;
      return viewRunner(() => byHand.grad());
    },
    "tfjs-cpu": () => tfjsQuadratic("cpu"),
    "tfjs-wasm": () => tfjsQuadratic("wasm"),
    "jax-js": jaxQuadratic,
  },
};

async function tfjsQuadratic(backend: TfBackend): Promise<Runner> {
  const tf = await tfjsWith(backend);
  const x = tf.scalar(x0);
  const y = tf.scalar(y0);
  const valueAndGrads = tf.valueAndGrads((x, y) => x.mul(x).mul(y).add(y).add(2));
  return tfjsRunner(tf, () => {
    const { value, grads } = valueAndGrads([x, y]);
    return { f: value, df_dx: grads[0], df_dy: grads[1] };
  }, [x, y]);
}

async function jaxQuadratic(): Promise<Runner> {
  const jax = await jaxWasm();
  const x = jaxFloat32(jax, [x0], []);
  const y = jaxFloat32(jax, [y0], []);
  const f = (x: JaxArray, y: JaxArray) => x.ref.mul(x).mul(y.ref).add(y).add(2);
  const valueAndGrad = jax.jit(jax.valueAndGrad(f, { argnums: [0, 1] }));
  const runner = jaxRunner(() => {
    const [value, [df_dx, df_dy]] = valueAndGrad(x.ref, y.ref);
    return { f: value, df_dx, df_dy };
  }, [x, y]);
  return { ...runner, dispose: () => (runner.dispose(), valueAndGrad.dispose()) };
}
