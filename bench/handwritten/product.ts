// W5 by hand: f = ∏ θ_i and ∂f/∂θ_i = ∏_{j≠i} θ_j as prefix times suffix products: 3n
// multiplications, no division (exact when some θ_i is 0).

import { float64 } from "./buffers.ts";

export function createProductByHand(n: number) {
  const theta = float64(n);
  const outputs = { f: float64(1), df_dtheta: float64(n) };
  return {
    inputs: { theta },
    value(): { readonly f: Float64Array } {
      let f = 1;
      for (let i = 0; i < n; i++) f *= theta[i];
      outputs.f[0] = f;
      return outputs;
    },
    grad(): typeof outputs {
      const g = outputs.df_dtheta;
      let prefix = 1;
      for (let i = 0; i < n; i++) {
        g[i] = prefix;
        prefix *= theta[i];
      }
      let suffix = 1;
      for (let i = n - 1; i >= 0; i--) {
        g[i] *= suffix;
        suffix *= theta[i];
      }
      outputs.f[0] = prefix;
      return outputs;
    },
  };
}
