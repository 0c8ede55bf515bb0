// An entry that runs after another reads the values that one computed instead of recomputing them.
import { beforeAll, describe, expect, it } from "vitest";
import {
  compile,
  interpret,
  program,
  programText,
  type Compiled,
  type Node,
  type Program,
} from "adjoint";
import { AdjointRuntimeError } from "@adjoint/runtime";
import { failure } from "../support/errors.ts";

describe("backward after forward", () => {
  let mlp: Program;
  let compiled: Compiled;
  const x = [0.5, -1, 2, 0.25, -0.75, 1.5];
  const W = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6];
  beforeAll(async () => {
    mlp = program("mlp", (g) => {
      const input = g.input("x", [2, 3]);
      const weights = g.param("W", [3, 2], { init: W });
      const h = g.name(g.tanh(g.matmul(input, weights)), "h");
      const scale = g.name(g.exp(g.sum(h)), "scale");
      const loss = g.mul(scale, g.sum(g.mul(h, h)));
      g.entry("forward", { fetch: { loss } });
      g.entry("backward", { fetch: { W_bar: g.grad(loss, weights) }, after: "forward" });
      g.entry("predict", { fetch: { h } });
    });
    compiled = await compile(mlp);
  });

  it("reads forward's tensors and scalars instead of computing them again", () => {
    const [forward, backward] = compiled.plan.entries;
    const computedByForward = new Set(forward.schedule.map((node) => node.id));
    expect(backward.schedule.length).toBeGreaterThan(0);
    expect(backward.schedule.filter((node) => computedByForward.has(node.id))).toEqual([]);
    // h (a tensor) and scale (a scalar) persist between the calls
    const saved = [...compiled.plan.saved].map((id) => compiled.plan.names.get(id));
    expect(saved).toEqual(expect.arrayContaining(["h", "scale"]));
    expect(compiled.source).toContain("scale_saved[0] = scale;");
    expect(compiled.source).toContain("const scale: number = scale_saved[0]!;");
    expect(programText(mlp)).toContain("entry backward (after forward): W_bar=");
  });

  it("gives the interpreter's gradient when called after forward", () => {
    const instance = compiled.create();
    const forward = compiled.entry(instance, "forward");
    const backward = compiled.entry(instance, "backward");
    const { loss } = forward({ x });
    const { W_bar } = backward();
    const fetched = (entry: number, name: string): Node =>
      mlp.entries[entry].fetch.find(([key]) => key === name)![1];
    const [wantLoss, wantGrad] = interpret([fetched(0, "loss"), fetched(1, "W_bar")], { x, W });
    expect(loss[0]).toBeCloseTo(wantLoss[0], 12);
    expect(W_bar.length).toBe(6);
    for (let i = 0; i < wantGrad.length; i++) expect(W_bar[i]).toBeCloseTo(wantGrad[i], 12);
  });

  it("throws when backward is not called right after forward", () => {
    const instance = compiled.create();
    const backward = compiled.entry(instance, "backward");
    const message =
      "mlp.backward: call forward() first (and no other entry in between): backward() reads the values it computed";
    expect(() => backward()).toThrow(new AdjointRuntimeError(message));
    compiled.entry(instance, "forward")({ x });
    compiled.entry(instance, "predict")({ x });
    expect(() => backward()).toThrow(message);
    compiled.entry(instance, "forward")({ x });
    expect(() => backward()).not.toThrow();
    // backward feeds nothing: x reaches it only through the values forward saved
    expect(compiled.source).toMatch(/function backward\(\): MlpBackwardOutputs/);
  });

  it("names an entry that is not declared before it", () => {
    const error = failure((g) => {
      const v = g.input("v");
      g.entry("backward", { fetch: { v }, after: "forward" });
    });
    expect(error.message).toContain(
      'entry "backward" runs after "forward", which is not an entry declared before it (declared: none yet)',
    );
  });
});
