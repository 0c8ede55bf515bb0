// Trains the compiled MNIST perceptron (examples/mnist.graph.ts -> generated/mnist.ts) on 8,000
// digits, evaluates it on 2,000 held out, draws the curves and saves or loads the weights.
//
//   npm run example:mnist -- [--optimizer sgd|momentum|adam] [--lr RATE] [--epochs N] [--steps N]
//     [--time SECONDS] [--seed N] [--shift N] [--save FILE] [--load FILE] [--curve FILE | --no-curve]
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { optimizers, type OptimizerName } from "./mnist.graph.ts";
import { curveSvg } from "./mnist/curve.ts";
import { loadDigits, splitDigits } from "./mnist/data.ts";
import { loadWeights, saveWeights } from "./mnist/files.ts";
import { createModel, evaluate } from "./mnist/model.ts";
import { interactive, percent, progressReporter } from "./mnist/progress.ts";
import { defaultOptimizer, trainMnist, type TrainResult } from "./mnist/train.ts";

export { trainMnist, type TrainOptions, type TrainResult } from "./mnist/train.ts";

const usage = `usage: npm run example:mnist -- [options]
  --optimizer NAME  ${optimizers.join(", ")} (default ${defaultOptimizer})
  --lr RATE         the learning rate to start from (default: the optimizer's tuned value);
                    it falls linearly to a tenth of that over the run
  --epochs N        passes over the 8,000 training digits (default 10)
  --steps N         stop after N steps
  --time SECONDS    stop after this much training time (default 60)
  --shift N         move training images by up to N pixels, a fresh shift each time (default 1)
  --seed N          seeds the split, the initial weights and the batches (default 1)
  --save FILE       write the trained weights to FILE
  --load FILE       load weights from FILE and only evaluate them
  --curve FILE      where to draw the loss and accuracy curves (default docs/mnist-curve.svg)
  --no-curve        draw no curves`;

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      optimizer: { type: "string", default: defaultOptimizer },
      epochs: { type: "string", default: "10" },
      lr: { type: "string" },
      steps: { type: "string" },
      time: { type: "string", default: "60" },
      seed: { type: "string", default: "1" },
      shift: { type: "string", default: "1" },
      save: { type: "string" },
      load: { type: "string" },
      curve: { type: "string", default: "docs/mnist-curve.svg" },
      "no-curve": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const seed = integer("--seed", values.seed);
  if (values.load !== undefined) {
    evaluateSaved(values.load, seed);
    return;
  }
  const optimizer = values.optimizer as OptimizerName;
  if (!optimizers.includes(optimizer)) {
    throw new Error(`--optimizer must be one of ${optimizers.join(", ")}, got "${optimizer}"`);
  }
  const progress = progressReporter({
    isTTY: interactive(process.stdout),
    // read at every redraw, so a resized terminal is followed
    get columns() {
      return process.stdout.columns;
    },
    write: (text) => process.stdout.write(text),
  });
  console.log(`training 784-128-10 with ${optimizer} (seed ${seed})`);
  let result: TrainResult;
  try {
    result = await trainMnist({
      optimizer,
      seed,
      epochs: integer("--epochs", values.epochs),
      maxSteps: values.steps === undefined ? undefined : integer("--steps", values.steps),
      timeBudgetSeconds: Number(values.time),
      maxShift: integer("--shift", values.shift),
      learningRate: values.lr === undefined ? undefined : Number(values.lr),
      onProgress: progress.update,
    });
  } finally {
    progress.done();
  }
  printResult(result);
  if (!values["no-curve"]) writeCurve(result, values.curve);
  if (values.save !== undefined) {
    const bytes = saveWeights(result.model, values.save);
    console.log(`saved the weights to ${values.save} (${bytes} bytes)`);
  }
}

function printResult(result: TrainResult): void {
  const correct = Math.round(result.accuracy * result.heldOutCount);
  console.log(
    `held-out accuracy ${percent(result.accuracy)} (${correct}/${result.heldOutCount}), ` +
      `loss ${result.loss.toFixed(4)}`,
  );
  console.log(
    `${result.steps} steps (${result.epochs.toFixed(2)} epochs) in ${result.trainSeconds.toFixed(1)} s ` +
      `of training, ${result.stepsPerSecond.toFixed(1)} steps/s; ${result.totalSeconds.toFixed(1)} s in all`,
  );
  console.log(
    result.stepsTo95 === undefined
      ? "the held-out accuracy did not reach 95%"
      : `reached 95% held-out accuracy after ${result.stepsTo95} steps`,
  );
}

function writeCurve(result: TrainResult, file: string): void {
  const title =
    `MNIST 784-128-10, ${result.optimizer}, seed ${result.seed}: ` +
    `${percent(result.accuracy)} held-out after ${result.steps} steps`;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(
    file,
    curveSvg({ title, curve: result.curve, stepsPerEpoch: result.stepsPerEpoch }),
  );
  console.log(`drew the curves in ${file}`);
}

function evaluateSaved(file: string, seed: number): void {
  const model = createModel(seed + 1);
  loadWeights(model, file);
  const { heldOut } = splitDigits(loadDigits(), seed, 8000, 2000);
  const result = evaluate(model, heldOut);
  console.log(
    `${file}: held-out accuracy ${percent(result.accuracy)}, loss ${result.loss.toFixed(4)} ` +
      `(the 2,000 digits held out by seed ${seed}: use the seed the weights were trained with)`,
  );
}

function integer(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new Error(`${flag} must be an integer, got "${text}"`);
  return value;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
