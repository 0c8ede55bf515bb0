// The seed examples, run through their generated modules, each number next to the one the book gives.
import { createBilinear } from "../generated/bilinear.ts";
import { createControlFlow } from "../generated/control_flow.ts";
import { createDetach } from "../generated/detach.ts";
import { createDotSquare } from "../generated/dot_square.ts";
import { createExpChain } from "../generated/exp_chain.ts";
import { createProduct } from "../generated/product.ts";
import { createQuadratic } from "../generated/quadratic.ts";
import { createSoftmaxSgd } from "../generated/softmax_sgd.ts";
import { createSquaredError } from "../generated/squared_error.ts";
import { createTrace } from "../generated/trace.ts";
import { trainMnist } from "./mnist/train.ts";
import { implicitTable, relative } from "./implicit.ts";
import { printReport, runNewton } from "./newton.ts";
import { fitPendulum, parameterNames, trueParams } from "./pendulum.ts";

let mismatches = 0;

/** Prints a computed value beside the expected one, which the book gives rounded to `digits` decimals. */
function show(
  label: string,
  actual: ArrayLike<number>,
  expected: readonly number[],
  digits = 6,
  source: "book" | "by hand" = "book",
): void {
  const tolerance = 0.5 * 10 ** -digits + 1e-12;
  const ok =
    actual.length === expected.length &&
    expected.every((e, i) => Math.abs(actual[i] - e) <= tolerance);
  if (!ok) mismatches++;
  const format = (values: ArrayLike<number>) =>
    Array.from(values, (v) => Number(v.toFixed(Math.min(digits, 6))).toString()).join(", ");
  console.log(
    `  ${ok ? "ok " : "BAD"} ${label.padEnd(30)} ${format(actual).padEnd(22)} ${source}: ${format(expected)}`,
  );
}

console.log("f(x, y) = x²y + y + 2 at (3, 4)");
const quadratic = createQuadratic();
const fxy = quadratic.grad({ x: 3, y: 4 });
show("f", fxy.f, [42]);
show("∂f/∂x, ∂f/∂y", [fxy.df_dx[0], fxy.df_dy[0]], [24, 10]);
show("f(3 + ε, 4): f, ∂f/∂x", [quadratic.tangent().f[0], quadratic.tangent().f_dot[0]], [42, 24]);
const row = quadratic.hessianRow();
show("∂²f/∂x², ∂²f/∂x∂y", [row.d2f_dxdx[0], row.d2f_dxdy[0]], [8, 6]);

console.log("g(x, y) = 5 + xy at (3, 4): ∂g/∂x compiles to `y`");
const bilinear = createBilinear();
show("∂g/∂x", bilinear.dgdx({ y: 4 }).dg_dx, [4]);

console.log("y = ln(x1) + x1·x2 − sin(x2) at (2, 5)");
const trace = createTrace();
const traced = trace.grad({ x1: 2, x2: 5 });
show("y", traced.y, [11.652], 3);
show("∂y/∂x1, ∂y/∂x2", [traced.dy_dx1[0], traced.dy_dx2[0]], [5.5, 1.716], 3);
show("forward mode ẏ (ẋ1 = 1)", trace.forward().y_dot, [5.5], 3);

console.log("y = 2xᵀx at x = [0, 1, 2, 3]");
const dotSquare = createDotSquare();
dotSquare.inputs.x.set([0, 1, 2, 3]);
const twice = dotSquare.grad();
show("y", twice.y, [28]);
show("∇y = 4x", twice.dy_dx, [0, 4, 8, 12]);
show("∇ sum(x)", dotSquare.sumGrad().dtotal_dx, [1, 1, 1, 1]);
show("∇ sum(x·x) = 2x", dotSquare.squaresGrad().dsquares_dx, [0, 2, 4, 6]);

console.log("z = (⟨x, w⟩ − y)² at x = [1, 2, 3], w = [0.5, −1, 2], y = 1");
const squaredError = createSquaredError();
const z = squaredError.grad({ x: [1, 2, 3], y: 1 });
// ⟨x, w⟩ − y = 0.5 − 2 + 6 − 1 = 3.5, so z = 12.25 and ∂z/∂w = 2·3.5·x = 7x
show("z", z.z, [12.25], 6, "by hand");
show("∂z/∂w = 2(⟨x, w⟩ − y)·x", z.dz_dw, [7, 14, 21], 6, "by hand");
squaredError.step();
show("w after one step (lr 0.05)", squaredError.params.w, [0.15, -1.7, 0.95], 6, "by hand");

console.log("f(v1) = (exp(v1) + 1)·exp(v1) at v1 = 0");
const expChain = createExpChain();
const chain = expChain.derivatives({ v1: 0 });
// f = (1 + 1)·1 = 2, f' = 2e^(2v) + e^v = 3, f'' = 4e^(2v) + e^v = 5
show("f, f', f''", [chain.f[0], chain.df[0], chain.d2f[0]], [2, 3, 5], 6, "by hand");

console.log("detach at x = [0, 1, 2, 3]: z = u·x with u = detach(x·x)");
const detach = createDetach();
const detached = detach.detached({ x: [0, 1, 2, 3] });
show("∇ sum(z) = u", detached.dz_dx, [0, 1, 4, 9]);
show("∇ sum(y) = 2x", detach.attached().dy_dx, [0, 2, 4, 6]);
show("y.backward(ones)", detach.backwardOnes().x_grad, [0, 2, 4, 6]);

console.log("the loop-and-branch function: a.grad == d / a");
const controlFlow = createControlFlow();
for (const a of [0.3, -0.3, 1e-3]) {
  const run = controlFlow.run({ a });
  show(`a = ${a}: dc/da, c/a`, run.dc_da, [run.c[0] / a]);
}

console.log("f(θ) = ∏θᵢ, n = 1000, exact where some θᵢ are zero");
const product = createProduct();
const theta = new Float64Array(1000).fill(1);
theta.set([2, 3, 0.5]);
const full = product.grad({ theta });
show(
  "f, ∂f/∂θ0, ∂f/∂θ2, ∂f/∂θ9",
  [full.f[0], full.df_dtheta[0], full.df_dtheta[2], full.df_dtheta[9]],
  [3, 1.5, 6, 3],
  6,
  "by hand",
);
theta[2] = 0;
const zero = product.grad({ theta });
show(
  "θ2 = 0: f, ∂f/∂θ2, ∂f/∂θ0",
  [zero.f[0], zero.df_dtheta[2], zero.df_dtheta[0]],
  [0, 6, 0],
  6,
  "by hand",
);

console.log("softmax regression, minibatch SGD: θ := θ − α/B Σ ∇l");
trainSoftmaxRegression();

function trainSoftmaxRegression(): void {
  // three well-separated clusters, two points each
  const x = [2, 0, 2.5, 0.5, 0, 2, -0.5, 2.5, -2, -2, -2.5, -1.5];
  const labels = [0, 0, 1, 1, 2, 2];
  const model = createSoftmaxSgd();
  const first = model.gradients({ x, labels });
  // at W = 0, b = 0 every class has probability 1/3: l = log 3, ∇W = xᵀ(1/3 − onehot)/B
  const W_bar = new Array<number>(6).fill(0);
  labels.forEach((label, i) => {
    for (let f = 0; f < 2; f++) {
      for (let c = 0; c < 3; c++)
        W_bar[f * 3 + c] += (x[i * 2 + f] * (1 / 3 - (c === label ? 1 : 0))) / 6;
    }
  });
  show("loss at θ = 0 is log 3", first.loss, [Math.log(3)], 6, "by hand");
  show("∇W = xᵀ(softmax − onehot)/B", first.W_bar, W_bar, 6, "by hand");
  // outputs are views into the arena: keep the number before the next call overwrites it
  const initialLoss = first.loss[0];
  let loss = initialLoss;
  for (let step = 0; step < 100; step++) loss = model.step().loss[0];
  const probabilities = model.predict().probabilities;
  const correct = labels.filter((label, i) => {
    const row = probabilities.subarray(i * 3, i * 3 + 3);
    return row.indexOf(Math.max(...row)) === label;
  }).length;
  console.log(
    `  100 SGD steps: loss ${initialLoss.toFixed(4)} -> ${loss.toFixed(4)}, ${correct}/6 classified`,
  );
  if (!(loss < 0.1 && correct === 6)) mismatches++;
}

console.log("\nNewton's method with the compiled gradient and Hessian (examples/newton.ts)");
const newton = runNewton();
printReport(newton);
if (!(newton.iterations <= 25 && newton.error <= newton.tolerance)) mismatches++;

console.log("\nA damped pendulum fitted through a 1,000-step RK4 scan (npm run example:pendulum)");
const pendulum = fitPendulum();
console.log(
  `  Gauss–Newton then Newton: ${pendulum.trace.length - 1} iterations to |∇ℓ| ${pendulum.gradientNorm.toExponential(1)}; ` +
    parameterNames
      .map((name, k) => `${name} ${pendulum.params[k].toFixed(3)} (true ${trueParams[k]})`)
      .join(", "),
);
// the least-squares estimate lies within 4 standard errors of the truth but for bad luck (< 1e-4)
if (
  !pendulum.params.every((v, k) => Math.abs(v - trueParams[k]) < 4 * pendulum.standardErrors[k])
) {
  console.log("  BAD a fitted parameter is more than 4 standard errors from the true one");
  mismatches++;
}

console.log(
  "Newton for x³ + p·x − 1 = 0 in a whileLoop, dx/dp through it (npm run example:implicit)",
);
const roots = implicitTable();
const worstFirst = Math.max(...roots.map((row) => relative(row.dx_dp, row.ift)));
const worstSecond = Math.max(...roots.map((row) => relative(row.d2x_dp2, row.ift2)));
console.log(
  `  ${roots.length} values of p from ${roots[0].p} to ${roots[roots.length - 1].p}: dx/dp and d²x/dp² ` +
    `within ${worstFirst.toExponential(1)} and ${worstSecond.toExponential(1)} of the implicit-function theorem`,
);
if (!(worstFirst < 1e-12 && worstSecond < 1e-12)) mismatches++;

await shortMnistRun();

/** A few seconds of the MNIST example: 300 momentum steps of 64 digits, then the 2,000 held out. */
async function shortMnistRun(): Promise<void> {
  const steps = 300;
  console.log(`\nMNIST, 784-128-10, ${steps} steps (npm run example:mnist trains the full run)`);
  const result = await trainMnist({ maxSteps: steps, timeBudgetSeconds: 30 });
  console.log(
    `  held-out accuracy ${(100 * result.accuracy).toFixed(2)}% of ${result.heldOutCount} digits, ` +
      `loss ${result.loss.toFixed(4)}, ${result.steps} steps in ${result.trainSeconds.toFixed(1)} s`,
  );
  // chance is 10%; this short run lands near 95%
  if (!(result.accuracy > 0.85)) {
    console.log("  BAD accuracy after the short run is below 85%");
    mismatches++;
  }
}

if (mismatches > 0) {
  console.error(`${mismatches} value(s) differ from the expected ones`);
  process.exitCode = 1;
} else {
  console.log("every value matches");
}
