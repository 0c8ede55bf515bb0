// W1 and W2 by hand: the value and the gradient as formulas, inputs and outputs in typed arrays
// like Adjoint's arena views (off-heap, held in locals of the closure), nothing allocated per call.

import { float64 } from "./buffers.ts";

/** f(x, y) = x²y + y + 2; ∂f/∂x = 2xy, ∂f/∂y = x² + 1. */
export function createQuadraticByHand() {
  const x = float64(1);
  const y = float64(1);
  const f = float64(1);
  const df_dx = float64(1);
  const df_dy = float64(1);
  const outputs = { f, df_dx, df_dy };
  return {
    inputs: { x, y },
    value(): { readonly f: Float64Array } {
      f[0] = x[0] * x[0] * y[0] + y[0] + 2;
      return outputs;
    },
    grad(): typeof outputs {
      const x0 = x[0];
      const y0 = y[0];
      const xx = x0 * x0;
      f[0] = xx * y0 + y0 + 2;
      df_dx[0] = 2 * x0 * y0;
      df_dy[0] = xx + 1;
      return outputs;
    },
  };
}

/** f(x1, x2) = ln x1 + x1·x2 − sin x2; ∂f/∂x1 = 1/x1 + x2, ∂f/∂x2 = x1 − cos x2. */
export function createLogSinByHand() {
  const x1 = float64(1);
  const x2 = float64(1);
  const f = float64(1);
  const df_dx1 = float64(1);
  const df_dx2 = float64(1);
  const outputs = { f, df_dx1, df_dx2 };
  return {
    inputs: { x1, x2 },
    value(): { readonly f: Float64Array } {
      f[0] = Math.log(x1[0]) + x1[0] * x2[0] - Math.sin(x2[0]);
      return outputs;
    },
    grad(): typeof outputs {
      const a = x1[0];
      const b = x2[0];
      f[0] = Math.log(a) + a * b - Math.sin(b);
      df_dx1[0] = 1 / a + b;
      df_dx2[0] = a - Math.cos(b);
      return outputs;
    },
  };
}
