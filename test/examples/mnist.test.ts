// The MNIST example on short runs: training lowers the loss, a few dozen steps classify far better
// than chance with every optimizer, a seed fixes the whole run, a non-finite loss stops training
// with a message, and weights survive a save and a load.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { optimizers } from "../../examples/mnist.graph.ts";
import { curveSvg } from "../../examples/mnist/curve.ts";
import { loadDigits, splitDigits } from "../../examples/mnist/data.ts";
import { loadWeights, saveWeights } from "../../examples/mnist/files.ts";
import {
  createModel,
  evaluate,
  shiftInto,
  weightsOf,
  type Mnist,
} from "../../examples/mnist/model.ts";
import { barLine, plainLine } from "../../examples/mnist/progress.ts";
import { trainMnist, TrainingDiverged } from "../../examples/mnist/train.ts";
import { encodeParams } from "../../runtime/params.ts";

/** A small run: 2,000 digits to train on, 1,000 held out. */
const small = { trainCount: 2000, heldOutCount: 1000 };

describe("data", () => {
  it("holds the package's 10,000 digits, every label 0..9, grey levels in [0, 1]", () => {
    const digits = loadDigits();
    expect(digits.count).toBe(10000);
    expect(digits.images.length).toBe(10000 * 784);
    const counts = new Array<number>(10).fill(0);
    for (const label of digits.labels) counts[label]++;
    expect(counts.every((n) => n > 800)).toBe(true);
    expect(Math.min(...digits.images.subarray(0, 784 * 50))).toBe(0);
    expect(Math.max(...digits.images.subarray(0, 784 * 50))).toBe(1);
  });

  it("splits by a seeded shuffle: disjoint, the same for a seed, different across seeds", () => {
    const digits = loadDigits();
    const a = splitDigits(digits, 4, 8000, 2000);
    const b = splitDigits(digits, 4, 8000, 2000);
    const c = splitDigits(digits, 5, 8000, 2000);
    expect(sameBytes(a.train.labels, b.train.labels)).toBe(true);
    expect(sameBytes(a.heldOut.images, b.heldOut.images)).toBe(true);
    expect(sameBytes(a.train.labels, c.train.labels)).toBe(false);
    // every digit lands in exactly one set: the label counts add up to the whole
    const count = (labels: Float64Array, digit: number) => labels.filter((l) => l === digit).length;
    for (let digit = 0; digit < 10; digit++) {
      const total = count(digits.labels, digit);
      expect(count(a.train.labels, digit) + count(a.heldOut.labels, digit)).toBe(total);
    }
  });
});

describe("augmentation", () => {
  it("moves an image by whole pixels, filling what it uncovers with 0", () => {
    const image = Float64Array.from({ length: 784 }, (_, i) => i + 1);
    const moved = new Float64Array(784 + 5).fill(-1);
    shiftInto(moved, 5, image, 1, -2); // one right, two up
    const at = (row: number, column: number) => moved[5 + row * 28 + column];
    expect(at(0, 1)).toBe(image[2 * 28 + 0]);
    expect(at(25, 27)).toBe(image[27 * 28 + 26]);
    expect(at(10, 0)).toBe(0);
    expect(at(26, 5)).toBe(0);
    expect(at(27, 27)).toBe(0);
    expect(moved.subarray(0, 5).every((v) => v === -1)).toBe(true);
    const same = new Float64Array(784);
    shiftInto(same, 0, image, 0, 0);
    expect(sameBytes(same, image)).toBe(true);
  });
});

describe("training", () => {
  it("a few steps lower the held-out loss from its value at the seeded start", async () => {
    const { heldOut } = splitDigits(loadDigits(), 7, small.trainCount, small.heldOutCount);
    let initial = NaN;
    const result = await trainMnist({
      ...small,
      seed: 7,
      optimizer: "sgd",
      maxSteps: 15,
      prepare: (model) => (initial = evaluate(model, heldOut).loss),
    });
    // random 10-way logits start near log 10 ≈ 2.3
    expect(initial).toBeGreaterThan(1.5);
    expect(result.loss).toBeLessThan(0.75 * initial);
    expect(result.steps).toBe(15);
  });

  it.each(optimizers)("%s: 40 steps classify held-out digits far above chance", async (name) => {
    const result = await trainMnist({ ...small, seed: 2, optimizer: name, maxSteps: 40 });
    expect(result.accuracy).toBeGreaterThan(0.6);
    expect(Number.isFinite(result.loss)).toBe(true);
  });

  it("is deterministic for a seed: the same weights and curve; another seed differs", async () => {
    const run = (seed: number) =>
      trainMnist({ ...small, seed, optimizer: "adam", maxSteps: 6, lossWindow: 2 });
    const [first, second, other] = [await run(11), await run(11), await run(12)];
    const bytes = (result: typeof first) => encodeParams(weightsOf(result.model));
    expect(sameBytes(bytes(second), bytes(first))).toBe(true);
    expect(second.curve).toEqual(first.curve);
    expect(first.curve.filter((point) => point.trainLoss !== undefined)).toHaveLength(3);
    expect(sameBytes(bytes(other), bytes(first))).toBe(false);
  });

  it("feeds a learning rate falling linearly to a tenth of its start", async () => {
    let model: Mnist | undefined;
    const rates: number[] = [];
    await trainMnist({
      ...small,
      optimizer: "adam",
      learningRate: 0.002,
      maxSteps: 5,
      prepare: (created) => (model = created),
      onProgress: (progress) => {
        if (!progress.evaluated) rates.push(model!.inputs.learningRate[0]);
      },
    });
    // step k (from 0) of 5 uses 0.002·(1 − 0.9·k/5)
    const expected = [0, 1, 2, 3, 4].map((k) => 0.002 * (1 - (0.9 * k) / 5));
    expectCloseTo(rates, expected);
  });

  it("stops on a non-finite loss, naming the step and what to try", async () => {
    const error = await trainMnist({
      ...small,
      optimizer: "momentum",
      learningRate: 0.05,
      maxSteps: 5,
      prepare: (model) => model.params.W2.fill(Infinity),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TrainingDiverged);
    const message = (error as Error).message;
    expect(message).toContain("the training loss is NaN at step 1 (epoch 1) with momentum");
    expect(message).toContain("starting at learning rate 0.05: training diverged");
    expect(message).toContain("Try a smaller learning rate (--lr 0.005)");
    expect(message).toContain("--optimizer sgd or adam");
  });
});

describe("saved weights", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mnist-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("load back exactly and evaluate the same", async () => {
    const result = await trainMnist({ ...small, seed: 3, optimizer: "sgd", maxSteps: 5 });
    const file = path.join(dir, "weights.adjp");
    const bytes = saveWeights(result.model, file);
    expect(readFileSync(file).length).toBe(bytes);
    const model = createModel(99);
    loadWeights(model, file);
    const saved = encodeParams(weightsOf(result.model));
    expect(sameBytes(encodeParams(weightsOf(model)), saved)).toBe(true);
    const { heldOut } = splitDigits(loadDigits(), 3, small.trainCount, small.heldOutCount);
    expect(evaluate(model, heldOut)).toEqual(evaluate(result.model, heldOut));
  });

  it("a file from a model of another shape is rejected, naming the param and both shapes", () => {
    const file = path.join(dir, "narrow.adjp");
    const narrow = { W1: new Float64Array(784 * 64), b1: new Float64Array(64) };
    const { W2, b2 } = weightsOf(createModel(1));
    const shapes = {
      W1: { shape: [784, 64] },
      b1: { shape: [64] },
      W2: { shape: [64, 20] },
      b2: { shape: [10] },
    };
    writeFileSync(file, encodeParams({ ...narrow, W2, b2 }, shapes));
    expect(() => loadWeights(createModel(1), file)).toThrow(
      `mnist: ${file}: decodeParams: param "W1" has shape [784,128] here, but [784,64] in the file`,
    );
  });
});

describe("curve and progress", () => {
  const curve = [
    { step: 50, trainLoss: 1 },
    { step: 100, trainLoss: 0.4, heldOutLoss: 0.5, heldOutAccuracy: 0.95 },
    { step: 200, trainLoss: 0.2, heldOutLoss: 0.3, heldOutAccuracy: 0.975 },
  ];

  it("places points by epoch and value, and the same data gives the same bytes", () => {
    const svg = curveSvg({ title: "t < 1 & more", curve, stepsPerEpoch: 100 });
    expect(svg).toBe(curveSvg({ title: "t < 1 & more", curve, stepsPerEpoch: 100 }));
    expect(svg).toContain("t &lt; 1 &amp; more");
    // epochs 0..2 over x 64..616; accuracy 90..100% over y 400..250: 95% at epoch 1 is (340, 325)
    expect(svg).toContain('<circle cx="340.0" cy="325.0"');
    // loss 0..1 (the largest) over y 198..48: the training loss 0.4 at epoch 1 is (340, 138)
    expect(svg).toMatch(/<polyline points="[^"]*340\.0,138\.0[^"]*" fill="none" stroke="#4c78a8"/);
  });

  it("plain lines for logs, a bar for terminals", () => {
    const progress = {
      step: 375,
      totalSteps: 1500,
      epoch: 3,
      epochs: 12,
      loss: 0.21234,
      accuracy: 0.9435,
      evaluated: true,
    };
    expect(plainLine(progress)).toBe("epoch 3/12  step 375/1500  loss 0.2123  held-out 94.35%");
    // 120 columns: room for the widest bar (24 cells), 6 of them filled at 25%
    expect(barLine(progress, 120)).toBe(`[######${".".repeat(18)}]  25%  ${plainLine(progress)}`);
  });

  it("fits the terminal's width, one cell short of the edge, and is full only at the end", () => {
    const at = (step: number) => ({
      step,
      totalSteps: 1500,
      epoch: 12,
      epochs: 12,
      loss: 0.2123,
      accuracy: 0.9435,
      evaluated: false,
    });
    // the text after the bar is "  98%  " and the plain line: 7 + 57 characters
    const text = `  98%  ${plainLine(at(1470))}`;
    expect(text).toHaveLength(64);
    for (const columns of [40, 72, 80, 200]) {
      expect(barLine(at(1470), columns).length).toBeLessThanOrEqual(columns - 1);
    }
    // 80 columns leave 79 - 64 - 2 = 13 cells for the bar; 98% of 13 is 12.74, floored to 12
    expect(barLine(at(1470), 80)).toBe(`[${"#".repeat(12)}.]${text}`);
    expect(barLine(at(1500), 80)).toBe(
      `[${"#".repeat(13)}]${text.replace("  98%", " 100%").replace("1470/", "1500/")}`,
    );
    // too narrow for the text: the bar keeps its 10 cells and the line is cut at 39
    expect(barLine(at(1470), 40)).toBe(`[#########.]${text}`.slice(0, 39));
  });
});

/** Whether two typed arrays hold the same bytes (a deep toEqual is slow on a million elements). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const bytes = (view: ArrayBufferView) =>
    Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return bytes(a).equals(bytes(b));
}

function expectCloseTo(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 15));
}
