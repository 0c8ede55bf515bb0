// The training loop: seeded minibatches through one generated train entry point (forward, backward
// and the optimizer's update in place), a held-out evaluation after every epoch, and a stop on a
// non-finite loss that says which step and what to try.
import {
  batchSize,
  hyperParameters,
  optimizers,
  trainEntry,
  type OptimizerName,
} from "../mnist.graph.ts";
import { Rng } from "../../runtime/random.ts";
import { loadDigits, permutation, splitDigits, type Digits } from "./data.ts";
import { createModel, evaluate, feedBatch, type Augmentation, type Mnist } from "./model.ts";

/** The optimizer that reaches 95% held-out accuracy in the fewest steps (measured). */
export const defaultOptimizer: OptimizerName = "momentum";

export interface TrainOptions {
  readonly optimizer?: OptimizerName;
  /** Seeds the split, the initial weights and the minibatch order. */
  readonly seed?: number;
  /** Passes over the training digits; training may stop sooner (maxSteps, timeBudgetSeconds). */
  readonly epochs?: number;
  /** Stop after this many steps (a short run), then evaluate. */
  readonly maxSteps?: number;
  /** Stop after the step that passes this many seconds of training, then evaluate. */
  readonly timeBudgetSeconds?: number;
  /** Digits to train on (8,000 unless given) and to hold out (2,000; a multiple of 1,000). */
  readonly trainCount?: number;
  readonly heldOutCount?: number;
  /** The learning rate at the first step; the optimizer's tuned value unless given. */
  readonly learningRate?: number;
  /** The learning rate falls linearly to this fraction of its start over the run (0.1 unless given). */
  readonly finalRateFraction?: number;
  /** Move each training image by up to this many pixels (seeded; 1 unless given, 0: never). */
  readonly maxShift?: number;
  /** Training loss is averaged over this many steps for the curve and the progress report. */
  readonly lossWindow?: number;
  /** Called after every step and after every evaluation. */
  readonly onProgress?: (progress: Progress) => void;
  /** Called with the seeded model before the first step (to start from saved weights, say). */
  readonly prepare?: (model: Mnist) => void;
}

export interface Progress {
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly epochs: number;
  /** Training loss averaged over the last steps. */
  readonly loss: number;
  /** The latest held-out accuracy, once an evaluation has run. */
  readonly accuracy?: number;
  /** True when this report follows an evaluation. */
  readonly evaluated: boolean;
}

/** A point of the curves, placed by training step so the same seed always draws the same chart. */
export interface CurvePoint {
  readonly step: number;
  readonly trainLoss?: number;
  readonly heldOutLoss?: number;
  readonly heldOutAccuracy?: number;
}

export interface TrainResult {
  readonly optimizer: OptimizerName;
  readonly seed: number;
  readonly steps: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly heldOutCount: number;
  /** Held-out accuracy (fraction) and mean loss at the end. */
  readonly accuracy: number;
  readonly loss: number;
  /** Seconds spent in train steps (with copying each batch in), and in the whole run. */
  readonly trainSeconds: number;
  readonly totalSeconds: number;
  readonly stepsPerSecond: number;
  /** The first step after which the held-out accuracy reached 95%, if it did. */
  readonly stepsTo95?: number;
  readonly curve: readonly CurvePoint[];
  readonly model: Mnist;
}

/** Thrown when the loss stops being a finite number. */
export class TrainingDiverged extends Error {
  override readonly name = "TrainingDiverged";
}

/** Trains the model from a seeded start and evaluates it on the held-out digits. */
export async function trainMnist(options: TrainOptions = {}): Promise<TrainResult> {
  const started = performance.now();
  const settings = resolve(options);
  const split = splitDigits(
    loadDigits(),
    settings.seed,
    settings.trainCount,
    settings.heldOutCount,
  );
  const model = createModel(settings.seed + 1);
  settings.prepare?.(model);
  const run = new Run(model, settings, split.train, split.heldOut);
  await run.train();
  const final = run.finish();
  const stepsPerEpoch = Math.floor(settings.trainCount / batchSize);
  return {
    optimizer: settings.optimizer,
    seed: settings.seed,
    steps: run.step,
    epochs: run.step / stepsPerEpoch,
    stepsPerEpoch,
    heldOutCount: settings.heldOutCount,
    accuracy: final.accuracy,
    loss: final.loss,
    trainSeconds: run.trainSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    stepsPerSecond: run.step / run.trainSeconds,
    stepsTo95: run.stepsTo95,
    curve: run.curve,
    model,
  };
}

type Hooks = "onProgress" | "prepare";
type Settings = Required<Omit<TrainOptions, Hooks>> & Pick<TrainOptions, Hooks>;

function resolve(options: TrainOptions): Settings {
  const optimizer = options.optimizer ?? defaultOptimizer;
  if (!optimizers.includes(optimizer)) {
    throw new Error(
      `mnist: unknown optimizer ${JSON.stringify(optimizer)}; choose ${optimizers.join(", ")}`,
    );
  }
  const settings = {
    optimizer,
    seed: options.seed ?? 1,
    epochs: options.epochs ?? 10,
    maxSteps: options.maxSteps ?? Infinity,
    timeBudgetSeconds: options.timeBudgetSeconds ?? Infinity,
    trainCount: options.trainCount ?? 8000,
    heldOutCount: options.heldOutCount ?? 2000,
    learningRate: options.learningRate ?? hyperParameters[optimizer].learningRate,
    finalRateFraction: options.finalRateFraction ?? 0.1,
    maxShift: options.maxShift ?? 1,
    lossWindow: options.lossWindow ?? 25,
    onProgress: options.onProgress,
    prepare: options.prepare,
  };
  const positive = [
    "epochs",
    "maxSteps",
    "timeBudgetSeconds",
    "lossWindow",
    "learningRate",
  ] as const;
  for (const key of positive) {
    if (!(settings[key] > 0)) throw new Error(`mnist: ${key} must be > 0, got ${settings[key]}`);
  }
  if (!(settings.finalRateFraction >= 0 && settings.finalRateFraction <= 1)) {
    throw new Error(
      `mnist: finalRateFraction must be in [0, 1], got ${settings.finalRateFraction}`,
    );
  }
  if (!Number.isInteger(settings.maxShift) || settings.maxShift < 0 || settings.maxShift > 4) {
    throw new Error(`mnist: maxShift must be an integer from 0 to 4, got ${settings.maxShift}`);
  }
  if (!Number.isInteger(settings.seed) || settings.seed < 0 || settings.seed > 1e9) {
    throw new Error(`mnist: seed must be an integer from 0 to 10⁹, got ${settings.seed}`);
  }
  if (settings.trainCount < batchSize) {
    throw new Error(
      `mnist: trainCount ${settings.trainCount} is less than one batch of ${batchSize}`,
    );
  }
  return settings;
}

/** The state of one training run. */
class Run {
  step = 0;
  trainSeconds = 0;
  stepsTo95: number | undefined;
  readonly curve: CurvePoint[] = [];
  private readonly stepsPerEpoch: number;
  private readonly totalSteps: number;
  private readonly shuffle: Rng;
  private readonly augment: Augmentation;
  private recentLosses: number[] = [];
  private accuracy: number | undefined;

  constructor(
    private readonly model: Mnist,
    private readonly settings: Settings,
    private readonly trainDigits: Digits,
    private readonly heldOut: Digits,
  ) {
    this.stepsPerEpoch = Math.floor(trainDigits.count / batchSize);
    this.totalSteps = Math.min(settings.maxSteps, settings.epochs * this.stepsPerEpoch);
    this.shuffle = new Rng(settings.seed + 2);
    this.augment = { maxShift: settings.maxShift, rng: new Rng(settings.seed + 3) };
  }

  async train(): Promise<void> {
    const trainStep = this.model[trainEntry[this.settings.optimizer]];
    for (let epoch = 0; epoch < this.settings.epochs && !this.outOfSteps(); epoch++) {
      const order = permutation(this.trainDigits.count, this.shuffle);
      for (let batch = 0; batch < this.stepsPerEpoch && !this.outOfSteps(); batch++) {
        const began = performance.now();
        feedBatch(this.model, this.trainDigits, order, batch * batchSize, this.augment);
        this.model.inputs.learningRate[0] = this.learningRate();
        const loss = trainStep().loss[0];
        this.trainSeconds += (performance.now() - began) / 1000;
        this.step++;
        this.checkFinite(loss);
        this.recordLoss(loss);
      }
      if (!this.outOfSteps()) this.evaluateHeldOut();
      // lets a caller's timers and output run between epochs
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The final evaluation (again only if training stopped mid-epoch). */
  finish() {
    const last = this.curve.at(-1);
    if (last?.step === this.step && last.heldOutAccuracy !== undefined) {
      return { accuracy: last.heldOutAccuracy, loss: last.heldOutLoss! };
    }
    return this.evaluateHeldOut();
  }

  /** The rate for the next step: linear from the start to its final fraction over the run. */
  private learningRate(): number {
    const { learningRate, finalRateFraction } = this.settings;
    return learningRate * (1 - ((1 - finalRateFraction) * this.step) / this.totalSteps);
  }

  private outOfSteps(): boolean {
    return this.step >= this.totalSteps || this.trainSeconds >= this.settings.timeBudgetSeconds;
  }

  private evaluateHeldOut() {
    const result = evaluate(this.model, this.heldOut);
    this.accuracy = result.accuracy;
    if (this.stepsTo95 === undefined && result.accuracy >= 0.95) this.stepsTo95 = this.step;
    this.curve.push({
      step: this.step,
      heldOutLoss: result.loss,
      heldOutAccuracy: result.accuracy,
    });
    this.report(true);
    return result;
  }

  private recordLoss(loss: number): void {
    this.recentLosses.push(loss);
    if (this.recentLosses.length === this.settings.lossWindow) {
      this.curve.push({ step: this.step, trainLoss: mean(this.recentLosses) });
      this.recentLosses = [];
    }
    this.report(false);
  }

  private report(evaluated: boolean): void {
    const lastLoss = this.curve.filter((point) => point.trainLoss !== undefined).at(-1)?.trainLoss;
    this.settings.onProgress?.({
      step: this.step,
      totalSteps: this.totalSteps,
      epoch: Math.ceil(this.step / this.stepsPerEpoch),
      epochs: Math.ceil(this.totalSteps / this.stepsPerEpoch),
      loss: this.recentLosses.length > 0 ? mean(this.recentLosses) : (lastLoss ?? NaN),
      accuracy: this.accuracy,
      evaluated,
    });
  }

  private checkFinite(loss: number): void {
    if (Number.isFinite(loss)) return;
    const { optimizer, learningRate } = this.settings;
    const epoch = Math.ceil(this.step / this.stepsPerEpoch);
    const others = optimizers.filter((name) => name !== optimizer).join(" or ");
    throw new TrainingDiverged(
      `mnist: the training loss is ${loss} at step ${this.step} (epoch ${epoch}) with ${optimizer} ` +
        `starting at learning rate ${learningRate}: training diverged. Try a smaller learning ` +
        `rate (--lr ${learningRate / 10}), another seed (--seed), or another optimizer ` +
        `(--optimizer ${others}).`,
    );
  }
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
