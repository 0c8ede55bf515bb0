// W4 by hand: forward and backward of a 784 → 128 (tanh) → 10 MLP with mean softmax
// cross-entropy, on preallocated float64 buffers.
//   Z = X·W1 + b1, H = tanh Z, L = H·W2 + b2, loss = mean_i (logsumexp L_i − L_i[y_i])
//   L̄ = (softmax L − onehot y) / B;  W2̄ = Hᵀ·L̄;  b2̄ = Σ_i L̄_i
//   H̄ = L̄·W2ᵀ;  Z̄ = H̄ ⊙ (1 − H²);  W1̄ = Xᵀ·Z̄;  b1̄ = Σ_i Z̄_i
import { float64, int32 } from "./buffers.ts";
import { matmul, matmulTransA, matmulTransB } from "./matmul.ts";

export interface MlpSizes {
  readonly batch: number;
  readonly features: number;
  readonly hidden: number;
  readonly classes: number;
}

export function createMlpByHand(sizes: MlpSizes) {
  const { batch, features, hidden, classes } = sizes;
  const inputs = {
    x: float64(batch * features),
    labels: int32(batch),
  };
  const params = {
    W1: float64(features * hidden),
    b1: float64(hidden),
    W2: float64(hidden * classes),
    b2: float64(classes),
  };
  const h = float64(batch * hidden); // Z, then tanh Z in place
  const logits = float64(batch * classes); // L, then L̄ in place
  const h_bar = float64(batch * hidden); // H̄, then Z̄ in place
  const outputs = {
    loss: float64(1),
    W1_bar: float64(features * hidden),
    b1_bar: float64(hidden),
    W2_bar: float64(hidden * classes),
    b2_bar: float64(classes),
  };

  function forward(): number {
    matmul(h, inputs.x, params.W1, batch, features, hidden);
    for (let i = 0; i < batch; i++) {
      for (let j = 0; j < hidden; j++)
        h[i * hidden + j] = Math.tanh(h[i * hidden + j] + params.b1[j]);
    }
    matmul(logits, h, params.W2, batch, hidden, classes);
    let total = 0;
    for (let i = 0; i < batch; i++) {
      const row = i * classes;
      for (let c = 0; c < classes; c++) logits[row + c] += params.b2[c];
      total += logSumExp(logits, row, classes) - logits[row + inputs.labels[i]];
    }
    return total / batch;
  }

  /** Turns each row of logits into (softmax − onehot) / batch, in place. */
  function logitsAdjoint(): void {
    for (let i = 0; i < batch; i++) {
      const row = i * classes;
      const shift = logSumExp(logits, row, classes);
      for (let c = 0; c < classes; c++) logits[row + c] = Math.exp(logits[row + c] - shift) / batch;
      logits[row + inputs.labels[i]] -= 1 / batch;
    }
  }

  function backward(): void {
    logitsAdjoint();
    matmulTransA(outputs.W2_bar, h, logits, batch, hidden, classes);
    columnSums(outputs.b2_bar, logits, batch, classes);
    matmulTransB(h_bar, logits, params.W2, batch, classes, hidden);
    for (let i = 0; i < batch * hidden; i++) h_bar[i] *= 1 - h[i] * h[i];
    matmulTransA(outputs.W1_bar, inputs.x, h_bar, batch, features, hidden);
    columnSums(outputs.b1_bar, h_bar, batch, hidden);
  }

  return {
    inputs,
    params,
    value(): { readonly loss: Float64Array } {
      outputs.loss[0] = forward();
      return outputs;
    },
    grad(): typeof outputs {
      outputs.loss[0] = forward();
      backward();
      return outputs;
    },
  };
}

/** log Σ_c exp(values[row + c]), shifted by the row's maximum. */
function logSumExp(values: Float64Array, row: number, length: number): number {
  let max = -Infinity;
  for (let c = 0; c < length; c++) max = Math.max(max, values[row + c]);
  let sum = 0;
  for (let c = 0; c < length; c++) sum += Math.exp(values[row + c] - max);
  return max + Math.log(sum);
}

function columnSums(out: Float64Array, matrix: Float64Array, rows: number, columns: number): void {
  out.fill(0);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) out[j] += matrix[i * columns + j];
  }
}
