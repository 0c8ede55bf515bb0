// Newton's method on Rosenbrock's function from (−1.2, 1), with the compiled gradient and Hessian,
// against gradient descent with a backtracking line search to the same tolerance.
// Run: npx tsx examples/newton.ts
import { pathToFileURL } from "node:url";
import { createRosenbrock, type Rosenbrock } from "../generated/rosenbrock.ts";

export type Point = readonly [number, number];

export interface NewtonStep {
  readonly iteration: number;
  readonly point: Point;
  readonly f: number;
  readonly gradientNorm: number;
  /** Distance to the minimum (1, 1). */
  readonly error: number;
}

export interface DescentResult {
  readonly iterations: number;
  /** Whether the error reached the tolerance before the iteration cap. */
  readonly converged: boolean;
  readonly point: Point;
  readonly error: number;
  /** Function and gradient evaluations, line search included. */
  readonly evaluations: number;
}

export interface NewtonResult {
  readonly start: Point;
  readonly tolerance: number;
  /** Newton steps taken until the error was within the tolerance. */
  readonly iterations: number;
  readonly point: Point;
  readonly error: number;
  /** The iterates, starting point first. */
  readonly trace: readonly NewtonStep[];
  readonly gradientDescent: DescentResult;
}

export interface NewtonOptions {
  readonly start?: Point;
  readonly tolerance?: number;
  readonly maxNewtonIterations?: number;
  readonly maxDescentIterations?: number;
}

const minimum: Point = [1, 1];

/** Euclidean distance to the minimum (1, 1). */
export function errorOf([x, y]: Point): number {
  return Math.hypot(x - minimum[0], y - minimum[1]);
}

/**
 * Pure Newton: p ← p − H⁻¹∇f with the compiled 2×2 Hessian, solved by Cramer's rule. No line
 * search is needed from (−1.2, 1): every step lowers the error enough to land in the quadratic basin.
 */
export function runNewton(options: NewtonOptions = {}): NewtonResult {
  const start = options.start ?? [-1.2, 1];
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxNewtonIterations ?? 25;
  const model = createRosenbrock();
  const trace: NewtonStep[] = [];
  let point: Point = start;
  for (let iteration = 0; ; iteration++) {
    const { f, df, d2f } = model.hessian({ p: point });
    const error = errorOf(point);
    trace.push({ iteration, point, f: f[0], gradientNorm: Math.hypot(df[0], df[1]), error });
    if (error <= tolerance || iteration === maxIterations) break;
    const [dx, dy] = solve2x2(d2f, [-df[0], -df[1]]);
    point = [point[0] + dx, point[1] + dy];
  }
  const last = trace[trace.length - 1];
  return {
    start,
    tolerance,
    iterations: last.iteration,
    point: last.point,
    error: last.error,
    trace,
    gradientDescent: runGradientDescent(model, start, tolerance, options.maxDescentIterations),
  };
}

/** Solves [[a, b], [c, d]]·s = r by Cramer's rule (H is row-major [2, 2]). */
function solve2x2(h: ArrayLike<number>, [r0, r1]: Point): Point {
  const [a, b, c, d] = [h[0], h[1], h[2], h[3]];
  const det = a * d - b * c;
  if (det === 0 || !Number.isFinite(det)) {
    throw new Error(`newton: the Hessian [[${a}, ${b}], [${c}, ${d}]] is singular`);
  }
  return [(r0 * d - b * r1) / det, (a * r1 - c * r0) / det];
}

/**
 * Steepest descent p ← p − t∇f with Armijo backtracking (sufficient decrease c = 10⁻⁴, halving t),
 * each search starting from twice the last accepted step (at most 1). Stops when the error is
 * within `tolerance` or after `maxIterations` steps.
 */
export function runGradientDescent(
  model: Rosenbrock,
  start: Point,
  tolerance: number,
  maxIterations = 1_000_000,
): DescentResult {
  let [x, y] = start;
  let step = 1;
  let evaluations = 0;
  let iterations = 0;
  while (iterations < maxIterations && Math.hypot(x - 1, y - 1) > tolerance) {
    const { f, df } = model.gradient({ p: [x, y] });
    const search = backtrack(model, [x, y], f[0], [df[0], df[1]], Math.min(1, 2 * step));
    evaluations += 1 + search.evaluations;
    // no decrease is representable any more: the iterate is as close as rounding allows
    if (search.step === undefined) break;
    step = search.step;
    x -= step * df[0];
    y -= step * df[1];
    iterations++;
  }
  const error = Math.hypot(x - 1, y - 1);
  return { iterations, converged: error <= tolerance, point: [x, y], error, evaluations };
}

/** The first t = t₀, t₀/2, ... with f(p − t∇f) ≤ f(p) − 10⁻⁴·t·|∇f|² (Armijo), if any above 1e-30. */
function backtrack(model: Rosenbrock, [x, y]: Point, f: number, [gx, gy]: Point, initial: number) {
  const slope = gx * gx + gy * gy;
  let evaluations = 0;
  for (let step = initial; step >= 1e-30; step /= 2) {
    evaluations++;
    if (model.value({ p: [x - step * gx, y - step * gy] }).f[0] <= f - 1e-4 * step * slope) {
      return { step, evaluations };
    }
  }
  return { step: undefined, evaluations };
}

export function printReport(result: NewtonResult): void {
  const number = (value: number) => value.toPrecision(12).padStart(20);
  const short = (value: number) => value.toExponential(2).padStart(10);
  console.log(
    `Newton's method on f(x, y) = 100(y − x²)² + (1 − x)² from (${result.start.join(", ")})`,
  );
  console.log(
    `${"iter".padStart(4)} ${"x".padStart(20)} ${"y".padStart(20)} ${"f".padStart(10)} ${"|∇f|".padStart(10)} ${"error".padStart(10)}`,
  );
  for (const step of result.trace) {
    const [x, y] = step.point;
    console.log(
      `${String(step.iteration).padStart(4)} ${number(x)} ${number(y)} ${short(step.f)} ${short(step.gradientNorm)} ${short(step.error)}`,
    );
  }
  console.log(
    `Newton: ${result.iterations} iterations to an error of ${result.error.toExponential(2)} (tolerance ${result.tolerance})`,
  );
  const descent = result.gradientDescent;
  const outcome = descent.converged
    ? "reached the same tolerance"
    : `stopped at an error of ${descent.error.toExponential(2)}`;
  console.log(
    `Gradient descent with backtracking: ${descent.iterations.toLocaleString("en")} iterations ` +
      `(${descent.evaluations.toLocaleString("en")} evaluations) ${outcome}`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printReport(runNewton());
}
