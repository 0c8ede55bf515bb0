// Fits a damped pendulum's damping, frequency and initial state to 50 noisy observations of its
// angle, through the compiled 1,000-step RK4 scan (examples/pendulum.graph.ts): Gauss–Newton with
// the compiled residual Jacobian, then Newton with the compiled Hessian once near the minimum, and
// gradient descent to compare. Draws observations, the true and the fitted curve in an SVG.
// Run: npm run example:pendulum
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { createPendulum, type Pendulum } from "../generated/pendulum.ts";
import { Rng } from "../runtime/random.ts";
import { choleskySolve } from "./irls.ts";
import { dt, observations, start, steps, stride } from "./pendulum.graph.ts";
import { pendulumSvg } from "./pendulum_svg.ts";

export const parameterNames = ["γ", "ω", "θ₀", "v₀"] as const;
/** The parameters the observations are drawn from: γ = 0.3 /s, ω = 2 rad/s, θ₀ = 1 rad, v₀ = 0. */
export const trueParams: readonly number[] = [0.3, 2, 1, 0];
/** The standard deviation of the observation noise, in radians. */
export const noise = 0.05;

export interface FitStep {
  readonly iteration: number;
  /** The step taken from this iterate (none from the last). */
  readonly method: "Gauss–Newton" | "Newton";
  readonly loss: number;
  readonly gradientNorm: number;
  readonly params: readonly number[];
}

export interface FitResult {
  readonly observed: readonly number[];
  readonly params: readonly number[];
  readonly loss: number;
  readonly gradientNorm: number;
  /** Standard errors from the Gauss–Newton covariance s²(JᵀJ)⁻¹ at the fit, s² = Σr²/(n − 4). */
  readonly standardErrors: readonly number[];
  readonly trace: readonly FitStep[];
  /** Model evaluations (value, Jacobian or Hessian entries) in the fit, line searches included. */
  readonly evaluations: number;
}

export interface FitOptions {
  readonly seed?: number;
  /** Stop when |∇ℓ| is below this. */
  readonly tolerance?: number;
  /** Switch from Gauss–Newton to Newton when |∇ℓ| is below this. */
  readonly newtonBelow?: number;
  readonly maxIterations?: number;
}

/** θ at t = 0.2 s, 0.4 s, ..., 10 s for the true parameters, plus seeded Gaussian noise. */
export function makeObservations(model: Pendulum, seed = 1): number[] {
  model.params.p.set(trueParams);
  const angles = model.trajectory().angles;
  const rng = new Rng(seed);
  return Array.from(
    { length: observations },
    (_, k) => angles[stride * (k + 1) - 1] + noise * rng.normal(),
  );
}

/** The angle at t = 0, dt, ..., steps·dt for parameters `p` (θ₀ first, then the scan's outputs). */
export function curveOf(model: Pendulum, p: readonly number[]): number[] {
  model.params.p.set(p);
  return [p[2], ...model.trajectory().angles];
}

/**
 * From `start`: Gauss–Newton steps JᵀJ·δ = −∇ℓ (∇ℓ = Jᵀr) halved until the loss decreases, and once
 * |∇ℓ| < newtonBelow, pure Newton steps ∇²ℓ·δ = −∇ℓ (quadratic convergence where GN is linear for
 * a nonzero residual). Ends when |∇ℓ| < tolerance.
 */
export function fitPendulum(options: FitOptions = {}): FitResult {
  const tolerance = options.tolerance ?? 1e-10;
  const newtonBelow = options.newtonBelow ?? 1e-3;
  const maxIterations = options.maxIterations ?? 50;
  const model = createPendulum();
  const observed = makeObservations(model, options.seed);
  model.inputs.observed.set(observed);
  const p = model.params.p;
  p.set(start);
  const trace: FitStep[] = [];
  let evaluations = 0;
  for (let iteration = 0; ; iteration++) {
    const gn = model.gaussNewton();
    evaluations++;
    const loss = gn.loss[0];
    const gradient = Array.from(gn.gradient);
    const gradientNorm = Math.hypot(...gradient);
    const method = gradientNorm < newtonBelow ? "Newton" : "Gauss–Newton";
    trace.push({ iteration, method, loss, gradientNorm, params: Array.from(p) });
    if (gradientNorm < tolerance || iteration === maxIterations) break;
    if (method === "Newton") {
      const step = choleskySolve(model.newton().hessian, gradient, 4);
      evaluations++;
      for (let k = 0; k < 4; k++) p[k] -= step[k];
      continue;
    }
    const step = choleskySolve(normalMatrix(gn.jacobian), gradient, 4);
    const before = Array.from(p);
    for (let t = 1; t >= 1 / 1024; t /= 2) {
      for (let k = 0; k < 4; k++) p[k] = before[k] - t * step[k];
      evaluations++;
      if (model.value().loss[0] < loss) break;
    }
  }
  const last = trace[trace.length - 1];
  const jacobian = model.gaussNewton().jacobian;
  const variance = (2 * last.loss) / (observations - 4);
  const covariance = inverse4(normalMatrix(jacobian));
  return {
    observed,
    params: last.params,
    loss: last.loss,
    gradientNorm: last.gradientNorm,
    standardErrors: [0, 1, 2, 3].map((k) => Math.sqrt(variance * covariance[k * 4 + k])),
    trace,
    evaluations,
  };
}

/** JᵀJ for the [observations, 4] Jacobian, row-major 4×4. */
function normalMatrix(jacobian: ArrayLike<number>): Float64Array {
  const product = new Float64Array(16);
  for (let i = 0; i < observations; i++) {
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) product[a * 4 + b] += jacobian[i * 4 + a] * jacobian[i * 4 + b];
    }
  }
  return product;
}

/** A⁻¹ of a symmetric positive definite 4×4, column by column. */
function inverse4(a: Float64Array): number[] {
  const columns = [0, 1, 2, 3].map((j) =>
    choleskySolve(
      a,
      [0, 1, 2, 3].map((i) => (i === j ? 1 : 0)),
      4,
    ),
  );
  return [0, 1, 2, 3].flatMap((i) => columns.map((column) => column[i]));
}

export interface DescentResult {
  readonly iterations: number;
  readonly converged: boolean;
  readonly loss: number;
  readonly gradientNorm: number;
}

/**
 * Steepest descent with Armijo backtracking from the same start to the same loss as the fit (within
 * 1e-9 relative), each search starting from twice the last accepted step; at most `maxIterations`.
 */
export function descendPendulum(
  observed: readonly number[],
  target: number,
  maxIterations = 5000,
): DescentResult {
  const model = createPendulum();
  model.inputs.observed.set(observed);
  const p = model.params.p;
  p.set(start);
  let step = 1e-3;
  let iterations = 0;
  for (;;) {
    const { loss, gradient } = model.gradient();
    const value = loss[0];
    const g = Array.from(gradient);
    const slope = g.reduce((sum, x) => sum + x * x, 0);
    if (value <= target * (1 + 1e-9) || iterations === maxIterations) {
      return {
        iterations,
        converged: value <= target * (1 + 1e-9),
        loss: value,
        gradientNorm: Math.sqrt(slope),
      };
    }
    const before = Array.from(p);
    for (step *= 2; step > 1e-30; step /= 2) {
      for (let k = 0; k < 4; k++) p[k] = before[k] - step * g[k];
      if (model.value().loss[0] <= value - 1e-4 * step * slope) break;
    }
    iterations++;
  }
}

export function printFit(result: FitResult): void {
  console.log(
    `Damped pendulum θ'' = −ω²·sin θ − γ·θ', RK4 over ${steps} steps of ${dt} s in one scan; ` +
      `${observations} observations with noise σ = ${noise}`,
  );
  const names = parameterNames.map((name) => name.padStart(9)).join(" ");
  console.log(
    `${"iter".padStart(4)} ${"step".padEnd(12)} ${"loss".padStart(20)} ${"|∇ℓ|".padStart(9)} ${names}`,
  );
  result.trace.forEach((step, i) => {
    const method = i === result.trace.length - 1 ? "(done)" : step.method;
    const params = step.params.map((v) => v.toFixed(6).padStart(9)).join(" ");
    console.log(
      `${String(step.iteration).padStart(4)} ${method.padEnd(12)} ${step.loss.toPrecision(15).padStart(20)} ${step.gradientNorm.toExponential(2).padStart(9)} ${params}`,
    );
  });
  console.log(
    `${"".padStart(4)} ${"fitted".padStart(10)} ${"± s.e.".padStart(9)} ${"true".padStart(6)}`,
  );
  parameterNames.forEach((name, k) =>
    console.log(
      `${name.padStart(4)} ${result.params[k].toFixed(5).padStart(10)} ${result.standardErrors[k].toFixed(5).padStart(9)} ${trueParams[k].toFixed(2).padStart(6)}`,
    ),
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = fitPendulum();
  printFit(result);
  const descent = descendPendulum(result.observed, result.loss);
  const outcome = descent.converged
    ? `reached the same loss (to 1e-9 relative)`
    : `stopped at loss ${descent.loss.toPrecision(8)} (|∇ℓ| ${descent.gradientNorm.toExponential(2)})`;
  console.log(
    `Gauss–Newton then Newton: ${result.trace.length - 1} iterations; gradient descent with backtracking: ` +
      `${descent.iterations.toLocaleString("en")} iterations ${outcome}`,
  );
  const model = createPendulum();
  const svg = pendulumSvg({
    observed: result.observed,
    truth: curveOf(model, trueParams),
    fitted: curveOf(model, result.params),
    dt,
    stride,
  });
  writeFileSync("docs/pendulum-fit.svg", svg);
  console.log("drew observations, true and fitted curves in docs/pendulum-fit.svg");
}
