// Run-time errors, message by message: a batch of the wrong size, a non-finite value in a float
// feed, an integer or boolean feed out of its range, and a label out of range inside a kernel.
import { beforeAll, describe, expect, it } from "vitest";
import { compile, program, type Compiled, type DynamicInstance } from "adjoint";
import { AdjointRuntimeError, allocateArena, feedInputs, type InputSpec } from "@adjoint/runtime";

/** The message of the AdjointRuntimeError that `fn` throws. */
function runtimeError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AdjointRuntimeError);
    return (error as Error).message;
  }
  throw new Error("expected an AdjointRuntimeError");
}

let compiled: Compiled;
let instance: DynamicInstance;
beforeAll(async () => {
  const p = program("mlp", (g) => {
    const x = g.input("x", [4, 3]);
    const labels = g.input("labels", [4], { dtype: "i32" });
    const rate = g.input("rate");
    const W = g.param("W", [3, 3], { init: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    const loss = g.mean(g.softmaxCrossEntropy(g.matmul(x, W), labels));
    g.entry("train", { fetch: { loss }, update: [[W, g.sub(W, g.mul(rate, g.grad(loss, W)))]] });
  });
  compiled = await compile(p);
  instance = compiled.create();
});

const train = (feeds: Record<string, unknown>) => () =>
  compiled.entry(instance, "train")(feeds as never);
const x = Array.from({ length: 12 }, (_, i) => i / 10);
const good = { x, labels: [0, 1, 2, 1], rate: 0.1 };

describe("feeds of the wrong size", () => {
  it("name the entry, the input, its shape, the values it holds and the number given", () => {
    expect(runtimeError(train({ ...good, x: x.slice(0, 3) }))).toBe(
      'mlp.train: input "x" has shape [4,3] (12 values), got 3 values',
    );
    expect(runtimeError(train({ ...good, labels: [0, 1, 2, 1, 0] }))).toBe(
      'mlp.train: input "labels" has shape [4] (4 values), got 5 values',
    );
  });
});

describe("non-finite values in a float feed", () => {
  it.each([
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
  ])("rejects %s, naming the input, the element and the value", (bad, text) => {
    instance.inputs.x.set(x);
    const fed = [...x];
    fed[7] = bad;
    expect(runtimeError(train({ ...good, x: fed }))).toBe(
      `mlp.train: input "x" (shape [4,3]) holds ${text} at [2,1] (element 7); fed values must be finite`,
    );
    expect(runtimeError(train({ ...good, x: Float64Array.from(fed) }))).toBe(
      `mlp.train: input "x" (shape [4,3]) holds ${text} at [2,1] (element 7); fed values must be finite`,
    );
    // nothing was written: the check runs before any view changes
    expect(Array.from(instance.inputs.x)).toEqual(x);
  });

  it("rejects a non-finite scalar, given as a number or as one element", () => {
    expect(runtimeError(train({ ...good, rate: NaN }))).toBe(
      'mlp.train: input "rate" (shape []) holds NaN; fed values must be finite',
    );
    expect(runtimeError(train({ ...good, rate: [Infinity] }))).toBe(
      'mlp.train: input "rate" (shape []) holds Infinity; fed values must be finite',
    );
  });

  it("reads non-finite values written to the view directly (on purpose, unchecked)", () => {
    const fresh = compiled.create();
    fresh.inputs.x.set(x);
    fresh.inputs.labels.set([0, 1, 2, 1]);
    fresh.inputs.rate[0] = NaN;
    const { loss } = compiled.entry(fresh, "train")();
    expect(Number.isFinite(loss[0])).toBe(true);
    expect(Number.isNaN(fresh.params.W[0])).toBe(true);
  });
});

describe("a label out of range", () => {
  it.each([3, -1])(
    "is refused as it is fed, naming the entry, the input, the op, its line and the range (%s)",
    (label) => {
      instance.inputs.labels.set([2, 2, 2, 2]);
      const W = Array.from(instance.params.W);
      expect(
        runtimeError(train({ ...good, x: x.map((v) => v + 1), labels: [0, 1, label, 1] })),
      ).toBe(
        `mlp.train: input "labels" (shape [4], i32) holds ${label} at [2] (element 2); ` +
          `it indexes oneHot of depth 3 (errors.test.ts:26), which takes whole numbers from 0 to 2`,
      );
      // checked before anything is written: inputs and params are as they were
      expect(Array.from(instance.inputs.labels)).toEqual([2, 2, 2, 2]);
      expect(Array.from(instance.params.W)).toEqual(W);
    },
  );

  it("written to the view directly, stops the kernel that reads it, naming the entry, the op, the line and the input", () => {
    const fresh = compiled.create();
    fresh.inputs.x.set(x);
    fresh.inputs.labels.set([0, 1, 3, 1]);
    fresh.inputs.rate[0] = 0.1;
    const W = Array.from(fresh.params.W);
    expect(runtimeError(() => compiled.entry(fresh, "train")())).toBe(
      'mlp.train: oneHot of depth 3 (errors.test.ts:26) reading input "labels": index 3 is out of range [0, 3)',
    );
    // updates are written last: the params are intact
    expect(Array.from(fresh.params.W)).toEqual(W);
  });
});

describe("integer and boolean feeds", () => {
  const arena = allocateArena("f64", 6);
  const specs: InputSpec[] = [
    { name: "labels", shape: [3], view: arena.subarray(0, 3), dtype: "i32" },
    { name: "mask", shape: [2, 1], view: arena.subarray(3, 5), dtype: "bool" },
    { name: "k", shape: [], view: arena.subarray(5, 6), dtype: "i32" },
  ];
  const feed = (feeds: Record<string, unknown>) => () =>
    feedInputs("m.e", specs, { labels: [0, 1, 2], mask: [1, 0], k: 4, ...feeds });

  it("accept whole numbers and 0/1", () => {
    feed({ labels: [-5, 2147483647, -2147483648], mask: Float64Array.of(0, 1), k: 0 })();
    expect(Array.from(arena)).toEqual([-5, 2147483647, -2147483648, 0, 1, 0]);
  });

  it("reject a fraction, a value beyond int32, NaN, and a bool other than 0 or 1", () => {
    const i32 = "an i32 input takes whole numbers from -2147483648 to 2147483647";
    expect(runtimeError(feed({ labels: [0, 1.5, 2] }))).toBe(
      `m.e: input "labels" (shape [3], i32) holds 1.5 at [1] (element 1); ${i32}`,
    );
    expect(runtimeError(feed({ labels: [0, 1, 2147483648] }))).toBe(
      `m.e: input "labels" (shape [3], i32) holds 2147483648 at [2] (element 2); ${i32}`,
    );
    expect(runtimeError(feed({ k: NaN }))).toBe(`m.e: input "k" (shape [], i32) holds NaN; ${i32}`);
    expect(runtimeError(feed({ mask: [1, 2] }))).toBe(
      'm.e: input "mask" (shape [2,1], bool) holds 2 at [1,0] (element 1); a bool input takes 0 or 1',
    );
  });
});

describe("float32 arenas", () => {
  const arena = allocateArena("f32", 3);
  const specs: InputSpec[] = [
    { name: "a", shape: [2], view: arena.subarray(0, 2) },
    { name: "n", shape: [], view: arena.subarray(2, 3), dtype: "i32" },
  ];

  it("reject a finite value that float32 turns into Infinity", () => {
    feedInputs("m.e", specs, { a: [3.4e38, -1], n: 16777216 });
    expect(Array.from(arena)).toEqual([Math.fround(3.4e38), -1, 16777216]);
    expect(runtimeError(() => feedInputs("m.e", specs, { a: [1, -1e39], n: 0 }))).toBe(
      'm.e: input "a" (shape [2]) holds -1e+39 at [1] (element 1), which overflows float32',
    );
  });

  it("reject an integer that float32 cannot hold exactly", () => {
    expect(runtimeError(() => feedInputs("m.e", specs, { a: [0, 0], n: 16777217 }))).toBe(
      'm.e: input "n" (shape [], i32) holds 16777217; an i32 input of a float32 program takes ' +
        "whole numbers from -16777216 to 16777216",
    );
  });
});
