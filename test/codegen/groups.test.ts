// Shared loops: consecutive loops over the same index space become one, values only that loop reads
// live in loop-locals, and whatever may not share (shifted reads, finished folds) keeps its own loop.
import { describe, expect, it } from "vitest";
import { compile, program, type Compiled, type Program } from "adjoint";
import { checkEntry, randomLeaves } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

/** The body of entry `name` in the generated source, from its signature to its return. */
function entryBody(compiled: Compiled, name: string): string {
  const start = compiled.source.indexOf(`function ${name}(`);
  const end = compiled.source.indexOf("return ", start);
  return compiled.source.slice(start, end);
}

const loopsIn = (body: string) => body.match(/^\s*for \(/gm)?.length ?? 0;

function expectInterpreterValues(compiled: Compiled, p: Program): void {
  const instance = compiled.create();
  for (const seed of [1, 2, 3]) {
    const values = randomLeaves(p, seeded(seed));
    for (const entry of p.entries) checkEntry(compiled, instance, p, entry.name, values, 1e-12);
  }
}

// Σ 100·(x_{i+1} − x_i²)² + (1 − x_i)², n = 6: the forward sweep and its adjoint share one loop
const rosenbrock = program("rosenbrock", (g) => {
  const x = g.input("x", [6]);
  const head = g.slice(x, [0], [5]);
  const tail = g.slice(x, [1], [6]);
  const d = g.sub(tail, g.square(head));
  const f = g.sum(g.add(g.mul(100, g.square(d)), g.square(g.sub(1, head))));
  g.entry("value", { fetch: { f } });
  g.entry("grad", { fetch: { f, df_dx: g.grad(f, x) } });
});

describe("Rosenbrock", () => {
  it("computes value, adjoint and the padded sum df_dx in one loop over 5", async () => {
    const compiled = await compile(rosenbrock);
    expect(loopsIn(entryBody(compiled, "value"))).toBe(1);
    const grad = entryBody(compiled, "grad");
    expect(loopsIn(grad)).toBe(1);
    // the fold's accumulator and the zeroed sum come before the loop they share
    expect(grad).toMatch(/let \w+ = 0;\n\s*df_dx\.fill\(0\);\n\s*for \(let i0 = 0; i0 < 5/);
    // the adjoints of the two slices land at i0 + 1 and i0
    expect(grad).toMatch(/df_dx\[i0 \+ 1\]! \+= \w+;/);
    expect(grad).toMatch(/df_dx\[i0\]! \+= \w+;/);
  });

  it("keeps x_{i+1} − x_i², 1 − x_i and the slice adjoints in loop-locals", async () => {
    const compiled = await compile(rosenbrock);
    const { plan } = compiled;
    const nodes = compiled.optimized.program.graph.nodes;
    const locals = [...plan.loopLocal].map((id) => nodes[id]);
    // and the two slice adjoints, which the loop adds into df_dx as it computes them
    expect(locals.map((node) => node.op).sort()).toEqual(["mul", "sub", "sub", "sub"]);
    for (const node of locals) expect(plan.views.has(node.id)).toBe(false);
  });

  it("matches the interpreter, and the unfused code, whose arena is larger", async () => {
    const shared = await compile(rosenbrock);
    const unfused = await compile(rosenbrock, { fusion: false });
    expectInterpreterValues(shared, rosenbrock);
    expectInterpreterValues(unfused, rosenbrock);
    expect(unfused.plan.loopLocal.size).toBe(0);
    expect(shared.arenaLength).toBeLessThan(unfused.arenaLength);
  });
});

describe("loops that may not share", () => {
  it("a shifted read of a value the loop computes starts a loop of its own", async () => {
    // z_i = y_{i+1} + y_i with y = exp(x): element i of z needs element i + 1 of y
    const p = program("shifted", (g) => {
      const x = g.input("x", [5]);
      const y = g.exp(x);
      const w = g.mul(y, 3);
      const z = g.add(g.slice(y, [1], [5]), g.slice(w, [0], [4]));
      g.entry("run", { fetch: { z, w } });
    });
    const compiled = await compile(p);
    expect(loopsIn(entryBody(compiled, "run"))).toBe(2);
    expect(compiled.plan.loopLocal.size).toBe(0);
    expectInterpreterValues(compiled, p);
  });

  it("an elementwise op reading a finished fold (x − mean x) waits for the fold's loop", async () => {
    const p = program("centred", (g) => {
      const x = g.input("x", [2, 3]);
      const e = g.exp(x);
      const centred = g.sub(e, g.mean(e));
      g.entry("run", { fetch: { centred, total: g.sum(g.square(e)) } });
    });
    const compiled = await compile(p);
    const body = entryBody(compiled, "run");
    // exp and the sum inside the mean share the first loop; the centring needs the mean, so it
    // starts the second, which the other fold shares
    expect(loopsIn(body)).toBe(2);
    expectInterpreterValues(compiled, p);
  });

  it("loops over different shapes stay apart", async () => {
    const p = program("shapes", (g) => {
      const a = g.input("a", [2, 3]);
      const b = g.input("b", [3, 2]);
      g.entry("run", { fetch: { u: g.exp(a), v: g.exp(b) } });
    });
    const compiled = await compile(p);
    expect(loopsIn(entryBody(compiled, "run"))).toBe(2);
    expectInterpreterValues(compiled, p);
  });

  it("a value that another entry reads outside the shared loop keeps its buffer", async () => {
    const p = program("entries", (g) => {
      const x = g.input("x", [4]);
      const y = g.sin(x);
      const s = g.sum(y);
      g.entry("fold", { fetch: { s, t: g.sum(g.mul(y, y)) } });
      // here y is read by a matmul-like kernel (dot), which no loop shares
      g.entry("dot", { fetch: { d: g.dot(y, g.cos(x)) } });
    });
    const compiled = await compile(p);
    const nodes = compiled.optimized.program.graph.nodes;
    const sin = nodes.find((node) => node.op === "sin")!;
    expect(compiled.plan.loopLocal.has(sin.id)).toBe(false);
    expect(compiled.plan.views.has(sin.id)).toBe(true);
    expectInterpreterValues(compiled, p);
  });
});

describe("sums of pads scattered by the loop that computes what they pad", () => {
  it("a sum one entry scatters keeps its buffer though another keeps it in a loop-local", async () => {
    // the adjoint of two slices of m = w wᵀ is pad + pad: "run" reads it only in the loop of its two
    // readers, "hv" scatters it from the loop of the slices' sum and reads it after that loop
    const p = program("scattered", (g) => {
      const w = g.input("w", [2]);
      const m = g.outer(w, w);
      const loss = g.sum(g.square(g.add(g.slice(m, [1, 0], [2, 2]), g.slice(m, [0, 0], [1, 2]))));
      g.entry("run", { fetch: { d: g.grad(loss, w) } });
      g.entry("hv", { fetch: { h: g.hvp(loss, w, g.input("v", [2])) } });
    });
    for (const fusion of [true, false]) {
      const compiled = await compile(p, { fusion });
      const sum = compiled.optimized.program.graph.nodes.find(
        (node) => node.op === "add" && node.inputs.every((input) => input.op === "pad"),
      )!;
      expect(compiled.plan.loopLocal.has(sum.id)).toBe(false);
      expect(compiled.plan.views.has(sum.id)).toBe(true);
      expectInterpreterValues(compiled, p);
    }
    // by hand at w = (1, 2), v = (1, 0): loss = (w₂w₁ + w₁²)² + (w₂² + w₁w₂)² = 9 + 36
    const compiled = await compile(p);
    const instance = compiled.create();
    const { d } = compiled.entry(instance, "run")({ w: [1, 2] });
    // ∂/∂w₁ = 2·3·(w₂ + 2w₁) + 2·6·w₂ = 24 + 24, ∂/∂w₂ = 2·3·w₁ + 2·6·(2w₂ + w₁) = 6 + 60
    expect([...d]).toEqual([48, 66]);
    const { h } = compiled.entry(instance, "hv")({ w: [1, 2], v: [1, 0] });
    // ∂²/∂w₁² = 2(w₂ + 2w₁)² + 2·3·2 + 2w₂² = 32 + 12 + 8; ∂²/∂w₁∂w₂ = 2(w₂ + 2w₁)w₁ + 6 + 2w₂(2w₂ + w₁) + 12
    expect([...h]).toEqual([52, 46]);
  });

  it("three overlapping windows of a matrix, along both axes", async () => {
    // y = Σ over three shifted 3×3 windows of a 4×5 input: the adjoint pads each window back
    const p = program("windows", (g) => {
      const x = g.input("x", [4, 5]);
      const w = g.input("w", [3, 3]);
      const windows = [
        g.slice(x, [0, 0], [3, 3]),
        g.slice(x, [1, 1], [4, 4]),
        g.slice(x, [1, 2], [4, 5]),
      ];
      const y = g.sum(g.mul(g.tanh(g.add(g.add(windows[0], windows[1]), windows[2])), w));
      g.entry("grad", { fetch: { y, x_bar: g.grad(y, x) } });
    });
    const compiled = await compile(p);
    const body = entryBody(compiled, "grad");
    expect(body).toMatch(/x_bar\.fill\(0\);/);
    expect(body.match(/x_bar\[[^\]]+\]! \+= /g)?.length).toBe(3);
    expectInterpreterValues(compiled, p);
  });

  it("a pad read by anything but the sum keeps the pull loop", async () => {
    const p = program("reread", (g) => {
      const x = g.input("x", [4]);
      const a = g.exp(x);
      const padded = g.pad(a, [1], [0]);
      const total = g.add(padded, g.pad(g.sin(x), [0], [1]));
      g.entry("run", { fetch: { total, twice: g.mul(padded, 2) } });
    });
    const compiled = await compile(p);
    expect(entryBody(compiled, "run")).not.toMatch(/total\w*\[[^\]]*\]!? \+= /);
    expectInterpreterValues(compiled, p);
  });

  it("pads of values from different loops keep the pull loop", async () => {
    const p = program("apart", (g) => {
      const x = g.input("x", [4]);
      const v = g.input("v", [2, 2]);
      const a = g.exp(x);
      const b = g.reshape(g.matmul(v, v), [4]); // a kernel between: another loop
      g.entry("run", { fetch: { total: g.add(g.pad(a, [1], [0]), g.pad(g.sin(b), [0], [1])) } });
    });
    const compiled = await compile(p);
    expect(entryBody(compiled, "run")).not.toMatch(/total\w*\[[^\]]*\]!? \+= /);
    expectInterpreterValues(compiled, p);
  });
});

it("loops that a scattered sum separated come together: three hvps of a Hessian in one loop", async () => {
  // Rosenbrock's Hessian is tridiagonal: three colors, three hvps, each a loop over n − 1 whose
  // adjoint sum is scattered; with the sums gone, the three loops are consecutive and share one
  const p = program("hessian", (g) => {
    const x = g.input("x", [8]);
    const head = g.slice(x, [0], [7]);
    const tail = g.slice(x, [1], [8]);
    const d = g.sub(tail, g.square(head));
    const f = g.sum(g.add(g.mul(100, g.square(d)), g.square(g.sub(1, head))));
    g.entry("hessian", { fetch: { H: g.hessian(f, x) } });
  });
  const compiled = await compile(p);
  const body = entryBody(compiled, "hessian");
  expect(body.match(/for \(let i0 = 0; i0 < 7; i0\+\+\)/g)?.length).toBe(1);
  expect(body.match(/\.fill\(0\);/g)?.length).toBeGreaterThanOrEqual(3);
  expectInterpreterValues(compiled, p);
});
