// Gradient accumulation: g.gradBuffer declares persistent zero buffers, an entry's `accumulate` adds
// gradients into them on every call (as PyTorch adds into .grad), and `zero` clears them.
import { beforeAll, describe, expect, it } from "vitest";
import { compile, interpret, program, type Compiled, type Node } from "adjoint";
import { thrown } from "../support/build.ts";
import { expectClose } from "../support/oracle.ts";
import { seeded, uniform } from "../support/random.ts";

describe("accumulated gradients", () => {
  let compiled: Compiled;
  const nodes: Record<string, Node> = {};
  beforeAll(async () => {
    compiled = await compile(
      program("fit", (g) => {
        const x = g.input("x", [3, 2]);
        const y = g.input("y", [3]);
        const w = g.param("w", [2], { init: [0.5, -0.25] });
        const c = g.param("c", [], { init: 0.125 });
        const prediction = g.add(g.reshape(g.matmul(x, g.reshape(w, [2, 1])), [3]), c);
        const loss = g.meanSquaredError(prediction, y);
        const [w_bar, c_bar] = g.grad(loss, [w, c]);
        const [w_grad, c_grad] = g.gradBuffer([w, c]);
        Object.assign(nodes, { loss, w_bar, c_bar });
        g.entry("backward", {
          fetch: { loss },
          accumulate: [
            [
              [w_grad, c_grad],
              [w_bar, c_bar],
            ],
          ],
        });
        g.entry("zeroGrad", { zero: [w_grad, c_grad] });
        g.entry("step", {
          update: [
            [w, g.sub(w, g.mul(0.5, w_grad))],
            [c, g.sub(c, g.mul(0.5, c_grad))],
          ],
        });
      }),
    );
  });

  const random = seeded(5);
  const batches = [0, 1].map(() => ({ x: uniform(random, 6), y: uniform(random, 3) }));
  /** The interpreter's gradient at the initial params for one batch. */
  const gradient = (batch: (typeof batches)[number]) => {
    const leaves = { ...batch, w: [0.5, -0.25], c: 0.125 };
    const [w_bar, c_bar] = interpret([nodes.w_bar, nodes.c_bar], leaves);
    return { w: [...w_bar], c: c_bar[0] };
  };

  it("starts at zero and holds the gradient after one call", () => {
    const instance = compiled.create();
    expect([...instance.params.w_grad, ...instance.params.c_grad]).toEqual([0, 0, 0]);
    compiled.entry(instance, "backward")(batches[0]);
    const once = gradient(batches[0]);
    expectClose(instance.params.w_grad, once.w, 1e-15, "w_grad");
    expectClose(instance.params.c_grad, [once.c], 1e-15, "c_grad");
  });

  it("holds twice the gradient after two calls on one batch, the sum over two batches", () => {
    const instance = compiled.create();
    const backward = compiled.entry(instance, "backward");
    backward(batches[0]);
    backward(batches[0]);
    const once = gradient(batches[0]);
    expectClose(
      instance.params.w_grad,
      once.w.map((v) => 2 * v),
      1e-15,
      "w_grad after 2 calls",
    );
    expectClose(instance.params.c_grad, [2 * once.c], 1e-15, "c_grad after 2 calls");

    const other = compiled.create();
    compiled.entry(other, "backward")(batches[0]);
    compiled.entry(other, "backward")(batches[1]);
    const second = gradient(batches[1]);
    const sum = once.w.map((v, i) => v + second.w[i]);
    expectClose(other.params.w_grad, sum, 1e-15, "w_grad over two batches");
    expectClose(other.params.c_grad, [once.c + second.c], 1e-15, "c_grad over two batches");
  });

  it("clears the buffers with zeroGrad, and accumulates afresh after it", () => {
    const instance = compiled.create();
    const backward = compiled.entry(instance, "backward");
    backward(batches[0]);
    backward(batches[1]);
    compiled.entry(instance, "zeroGrad")();
    expect([...instance.params.w_grad, ...instance.params.c_grad]).toEqual([0, 0, 0]);
    backward(batches[1]);
    const second = gradient(batches[1]);
    expectClose(instance.params.w_grad, second.w, 1e-15, "w_grad after zeroGrad");
    expectClose(instance.params.c_grad, [second.c], 1e-15, "c_grad after zeroGrad");
  });

  it("steps with the accumulated gradient and leaves the params alone while accumulating", () => {
    const instance = compiled.create();
    compiled.entry(instance, "backward")(batches[0]);
    compiled.entry(instance, "backward")(batches[1]);
    expect([...instance.params.w, ...instance.params.c]).toEqual([0.5, -0.25, 0.125]);
    compiled.entry(instance, "step")();
    const [first, second] = batches.map(gradient);
    expectClose(
      instance.params.w,
      [0, 1].map((i) => [0.5, -0.25][i] - 0.5 * (first.w[i] + second.w[i])),
      1e-15,
      "w after the step",
    );
  });

  it("zeroes with fills, and reads no old value of a buffer it only clears", () => {
    const body = /function zeroGrad\(\)[^{]*\{([\s\S]*?)\n {2}\}/.exec(compiled.source)![1];
    expect(
      body
        .trim()
        .split("\n")
        .map((line) => line.trim()),
    ).toEqual(["w_grad.fill(0);", "c_grad_buf[0] = 0;", "return zeroGradOutputs;"]);
  });
});

describe("gradient buffers and accumulate", () => {
  it("name a buffer after its param, nested ones inside their group", async () => {
    const compiled = await compile(
      program("named", (g) => {
        const params = g.params({ layer: { W: [2] }, bias: [] });
        const buffers = g.gradBuffer(params);
        const loss = g.sum(g.mul(params.layer.W, params.bias));
        g.entry("backward", { accumulate: [[buffers, g.grad(loss, params)]] });
        g.entry("zeroGrad", { zero: buffers });
      }),
    );
    const instance = compiled.create() as unknown as {
      params: { layer: Record<string, Float64Array>; bias: Float64Array; bias_grad: Float64Array };
    };
    expect(Object.keys(instance.params)).toEqual(["layer", "bias", "bias_grad"]);
    expect(Object.keys(instance.params.layer)).toEqual(["W", "W_grad"]);
    instance.params.layer.W.set([3, 4]);
    instance.params.bias[0] = 2;
    compiled.entry(instance as never, "backward")();
    compiled.entry(instance as never, "backward")();
    // ∂(Σ W·b)/∂W = b, ∂/∂b = ΣW: twice each
    expect([...instance.params.layer.W_grad]).toEqual([4, 4]);
    expect([...instance.params.bias_grad]).toEqual([14]);
  });

  it("reject what cannot be accumulated or cleared", () => {
    const attempt = (body: Parameters<typeof program>[1]) =>
      thrown(() => program("p", body)).message.split("\n")[0];
    expect(
      attempt((g) => {
        const x = g.input("x", [2]);
        g.gradBuffer(g.exp(x));
      }),
    ).toBe("gradBuffer: expects params or real inputs, got a f64 exp node");
    expect(
      attempt((g) => {
        const w = g.param("w", [2]);
        const [buffer] = g.gradBuffer([w]);
        g.entry("e", { accumulate: [[buffer, g.sum(w)]] });
      }),
    ).toBe('entry "e" update: param "w_grad" has shape [2], new value has []');
    expect(
      attempt((g) => {
        const w = g.param("w", [2]);
        g.entry("e", { accumulate: [[g.exp(w), w]] });
      }),
    ).toBe('entry "e" update: only params can be updated, not a node of op exp');
    expect(
      attempt((g) => {
        const w = g.param("w", [2]);
        const [buffer] = g.gradBuffer([w]);
        g.entry("e", { accumulate: [[[buffer], [w, w]]] });
      }),
    ).toBe('entry "e" accumulate: 1 buffers but 2 values');
    expect(
      attempt((g) => {
        const w = g.param("w", [2]);
        const [buffer] = g.gradBuffer([w]);
        g.entry("e", { accumulate: [[buffer, w]], zero: buffer });
      }),
    ).toBe('entry "e" updates param "w_grad" twice');
    expect(
      attempt((g) => {
        const w = g.param("w", [2]);
        g.param("w_grad", [2]);
        g.gradBuffer(w);
      }),
    ).toBe('param "w_grad": the name is already declared in this program');
  });
});
