// Logistic regression fitted by Newton's method (iteratively reweighted least squares) with the
// compiled gradient and Hessian, on a data set drawn from known weights with the seeded Rng.
// Run: npx tsx examples/irls.ts
import { pathToFileURL } from "node:url";
import { createLogistic } from "../generated/logistic.ts";
import { Rng } from "../runtime/random.ts";
import { features, samples } from "./logistic.graph.ts";

/** The weights the labels are drawn from: w₁, w₂, w₃ and the bias last. */
export const trueTheta: readonly number[] = [1.5, -2, 0.75, -0.5];

export interface DataSet {
  /** [samples, features], row-major. */
  readonly X: Float64Array;
  /** 0 or 1 per sample. */
  readonly y: Float64Array;
}

/** Standard normal features; each label is 1 with probability σ(x·w + b) for the true weights. */
export function makeData(seed = 1): DataSet {
  const rng = new Rng(seed);
  const X = new Float64Array(samples * features);
  const y = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    let z = trueTheta[features];
    for (let j = 0; j < features; j++) {
      X[i * features + j] = rng.normal();
      z += X[i * features + j] * trueTheta[j];
    }
    y[i] = rng.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y };
}

export interface IrlsStep {
  readonly iteration: number;
  readonly loss: number;
  readonly gradientNorm: number;
}

export interface IrlsResult {
  readonly data: DataSet;
  /** Newton steps taken until the gradient norm was below the tolerance. */
  readonly iterations: number;
  readonly loss: number;
  readonly gradientNorm: number;
  readonly theta: readonly number[];
  readonly trace: readonly IrlsStep[];
}

export interface IrlsOptions {
  readonly seed?: number;
  readonly tolerance?: number;
  readonly maxIterations?: number;
}

/** Newton from θ = 0: θ ← θ − H⁻¹∇ℓ with the compiled Hessian, solved by Cholesky. */
export function runIrls(options: IrlsOptions = {}): IrlsResult {
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 50;
  const data = makeData(options.seed);
  const model = createLogistic();
  // written once: every call reads the same data from the input views
  model.inputs.X.set(data.X);
  model.inputs.y.set(data.y);
  const theta = model.params.theta.fill(0);
  const trace: IrlsStep[] = [];
  for (let iteration = 0; ; iteration++) {
    const { loss, gradient, hessian } = model.newton();
    const gradientNorm = Math.hypot(...gradient);
    trace.push({ iteration, loss: loss[0], gradientNorm });
    if (gradientNorm < tolerance || iteration === maxIterations) break;
    const step = choleskySolve(hessian, Array.from(gradient), theta.length);
    for (let k = 0; k < theta.length; k++) theta[k] -= step[k];
  }
  const last = trace[trace.length - 1];
  return {
    data,
    iterations: last.iteration,
    loss: last.loss,
    gradientNorm: last.gradientNorm,
    theta: Array.from(theta),
    trace,
  };
}

/** Solves A·x = b for a symmetric positive definite A (row-major n×n) by A = LLᵀ. */
export function choleskySolve(a: ArrayLike<number>, b: readonly number[], n: number): number[] {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(sum > 0)) throw new Error(`irls: the Hessian is not positive definite (pivot ${i})`);
        L[i * n + i] = Math.sqrt(sum);
      } else {
        L[i * n + j] = sum / L[j * n + j];
      }
    }
  }
  // L·u = b, then Lᵀ·x = u
  const u = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= L[i * n + k] * u[k];
    u[i] = sum / L[i * n + i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = u[i];
    for (let k = i + 1; k < n; k++) sum -= L[k * n + i] * x[k];
    x[i] = sum / L[i * n + i];
  }
  return x;
}

function printReport(result: IrlsResult): void {
  console.log(
    `Logistic regression by Newton/IRLS: ${samples} samples, ${features} features and a bias`,
  );
  console.log(`${"iter".padStart(4)} ${"loss".padStart(22)} ${"|∇ℓ|".padStart(10)}`);
  for (const step of result.trace) {
    console.log(
      `${String(step.iteration).padStart(4)} ${step.loss.toPrecision(17).padStart(22)} ${step.gradientNorm.toExponential(2).padStart(10)}`,
    );
  }
  console.log(
    `${result.iterations} iterations: loss ${result.loss.toPrecision(12)}, gradient norm ${result.gradientNorm.toExponential(2)}`,
  );
  const names = [...Array.from({ length: features }, (_, j) => `w${j + 1}`), "b"];
  console.log(`${"".padStart(4)} ${"fitted".padStart(12)} ${"true".padStart(8)}`);
  names.forEach((name, k) =>
    console.log(
      `${name.padStart(4)} ${result.theta[k].toFixed(6).padStart(12)} ${trueTheta[k].toFixed(2).padStart(8)}`,
    ),
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printReport(runIrls());
}
