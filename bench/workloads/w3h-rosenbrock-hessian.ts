// W3H: the dense Hessian of the Rosenbrock function, n = 100.
import { createW3hRosenbrockHessian } from "../../generated/bench/w3h_rosenbrock_hessian.ts";
import { jaxFloat32, jaxRunner, jaxWasm } from "../engines/jax.ts";
import { tfjsNoHessian } from "../engines/tfjs.ts";
import { n } from "../graphs/w3h_rosenbrock_hessian.graph.ts";
import { createRosenbrockHessianByHand } from "../handwritten/rosenbrock.ts";
import { rosenbrockPoint } from "../inputs.ts";
import { Unavailable, viewRunner, type Runner, type Workload } from "./types.ts";
import { jaxRosenbrockF } from "./w3-rosenbrock.ts";

const point = rosenbrockPoint(n);

export const w3h: Workload = {
  id: "W3H",
  title: `Rosenbrock dense Hessian, n = ${n}`,
  adapters: {
    adjoint: async () => {
      const instance = createW3hRosenbrockHessian();
      instance.inputs.x.set(point);
      return viewRunner(() => instance.hessian());
    },
    handwritten: async () => {
      const byHand = createRosenbrockHessianByHand(n);
      byHand.inputs.x.set(point);
      return viewRunner(() => byHand.hessian());
    },
    "tfjs-cpu": async () => {
      throw new Unavailable(tfjsNoHessian);
    },
    "tfjs-wasm": async () => {
      throw new Unavailable(tfjsNoHessian);
    },
    "jax-js": jaxHessian,
  },
};

async function jaxHessian(): Promise<Runner> {
  const jax = await jaxWasm();
  const x = jaxFloat32(jax, point, [n]);
  // jax-js defines hessian as jacfwd(grad(f)): forward over reverse, like Adjoint's
  const hessian = jax.jit(jax.hessian(jaxRosenbrockF(jax)));
  const runner = jaxRunner(() => ({ d2f_dx2: hessian(x.ref) }), [x]);
  return { ...runner, dispose: () => (runner.dispose(), hessian.dispose()) };
}
