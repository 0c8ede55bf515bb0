// W5 by hand: f = ∏ θ_i and ∂f/∂θ_i = ∏_{j≠i} θ_j as prefix times suffix products: 3n
// multiplications, no division (exact when some θ_i is 0), the two chains in one sweep.

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
      // both chains in one loop, from either end, so the CPU overlaps them: the front half stores
      // its prefix, the back half multiplies its suffix in (the middle one gets both when n is odd)
      const g = outputs.df_dtheta;
      const half = n >> 1;
      let prefix = 1;
      let suffix = 1;
      for (let k = 0; k < half; k++) {
        const j = n - 1 - k;
        g[k] = prefix;
        prefix *= theta[k];
        g[j] = suffix;
        suffix *= theta[j];
      }
      if (n % 2 === 1) {
        g[half] = prefix * suffix;
        prefix *= theta[half];
        suffix *= theta[half];
      }
      for (let k = n - half; k < n; k++) {
        const j = n - 1 - k;
        g[k] *= prefix;
        prefix *= theta[k];
        g[j] *= suffix;
        suffix *= theta[j];
      }
      outputs.f[0] = prefix;
      return outputs;
    },
  };
}
