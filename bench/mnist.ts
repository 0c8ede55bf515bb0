// MNIST training throughput: `npm run example:mnist` with its defaults (momentum, 10 epochs over
// 8,000 digits, 1,250 steps of 64), in this process; steps/s counts training time only, the
// held-out accuracy shows the speed was not bought with a different computation.
import os from "node:os";
import { trainMnist } from "../examples/mnist.ts";
import { firstLine } from "./measure.ts";
import type { Failed } from "./results.ts";

export interface MnistResult {
  readonly steps: number;
  readonly stepsPerSecond: number;
  readonly trainSeconds: number;
  readonly accuracy: number;
  readonly loss: number;
  readonly loadAverage: readonly [number, number];
}

export async function measureMnist(): Promise<MnistResult | Failed> {
  const before = os.loadavg()[0];
  try {
    const result = await trainMnist();
    return {
      steps: result.steps,
      stepsPerSecond: result.stepsPerSecond,
      trainSeconds: result.trainSeconds,
      accuracy: result.accuracy,
      loss: result.loss,
      loadAverage: [before, os.loadavg()[0]],
    };
  } catch (error) {
    return { error: firstLine(error) };
  }
}
