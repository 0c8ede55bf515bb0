// W3 and W3H by hand. With d_i = x_{i+1} − x_i² and e_i = 1 − x_i (i < n − 1):
//   f = Σ 100·d_i² + e_i²
//   ∂f/∂x_i = −400·x_i·d_i − 2·e_i (i < n − 1)  +  200·d_{i−1} (i > 0)
//   ∂²f/∂x_i² = 1200·x_i² − 400·x_{i+1} + 2 (i < n − 1)  +  200 (i > 0)
//   ∂²f/∂x_i∂x_{i+1} = −400·x_i, every other entry 0.

import { float64 } from "./buffers.ts";

export function createRosenbrockByHand(n: number) {
  const x = float64(n);
  const outputs = { f: float64(1), df_dx: float64(n) };
  return {
    inputs: { x },
    value(): { readonly f: Float64Array } {
      let f = 0;
      for (let i = 0; i < n - 1; i++) {
        const xi = x[i];
        const d = x[i + 1] - xi * xi;
        const e = 1 - xi;
        f += 100 * d * d + e * e;
      }
      outputs.f[0] = f;
      return outputs;
    },
    grad(): typeof outputs {
      const g = outputs.df_dx;
      let f = 0;
      g[0] = 0;
      // one sweep: g[i] already holds the 200·d_{i−1} of the previous term
      for (let i = 0; i < n - 1; i++) {
        const xi = x[i];
        const d = x[i + 1] - xi * xi;
        const e = 1 - xi;
        f += 100 * d * d + e * e;
        g[i] += -400 * xi * d - 2 * e;
        g[i + 1] = 200 * d;
      }
      outputs.f[0] = f;
      return outputs;
    },
  };
}

/** The dense n × n Hessian (row-major), written into a preallocated matrix. */
export function createRosenbrockHessianByHand(n: number) {
  const x = float64(n);
  const outputs = { d2f_dx2: float64(n * n) };
  return {
    inputs: { x },
    hessian(): typeof outputs {
      const H = outputs.d2f_dx2;
      H.fill(0);
      for (let i = 0; i < n; i++) {
        let diagonal = i > 0 ? 200 : 0;
        if (i < n - 1) {
          diagonal += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
          H[i * n + i + 1] = -400 * x[i];
          H[(i + 1) * n + i] = -400 * x[i];
        }
        H[i * n + i] = diagonal;
      }
      return outputs;
    },
  };
}
