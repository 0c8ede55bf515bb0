// Tensor code: matmul in all transpose forms, reductions, scalar operands in loops, param updates,
// copied outputs, and buffer reuse, checked against hand-derived values and the interpreter.
import { beforeAll, describe, expect, it } from "vitest";
import { compile, program, type Compiled, type Node, type Program } from "adjoint";
import { checkEntry, expectClose, randomLeaves, writeLeaves } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

const tight = 1e-12;

/** op(M) for a row-major `rows`×`cols` matrix, as nested arrays. */
function matrix(
  data: readonly number[],
  rows: number,
  cols: number,
  transpose: boolean,
): number[][] {
  const m = Array.from({ length: rows }, (_, i) => data.slice(i * cols, (i + 1) * cols));
  return transpose ? m[0].map((_, j) => m.map((row) => row[j])) : m;
}

function product(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((total, x, p) => total + x * b[p][j], 0)));
}

function transpose(m: number[][]): number[][] {
  return m[0].map((_, j) => m.map((row) => row[j]));
}

describe("matmul", () => {
  const flags = [
    { transA: false, transB: false },
    { transA: true, transB: false },
    { transA: false, transB: true },
    { transA: true, transB: true },
  ];
  const a = [1, 2, 3, 4];
  const b = [5, 6, 7, 8];
  // hand-derived: A = [[1,2],[3,4]], B = [[5,6],[7,8]]
  const byHand = [
    [19, 22, 43, 50], // A·B
    [26, 30, 38, 44], // Aᵀ·B
    [17, 23, 39, 53], // A·Bᵀ
    [23, 31, 34, 46], // Aᵀ·Bᵀ = (B·A)ᵀ
  ];

  it.each(flags.map((f, i) => [f, byHand[i]] as const))(
    "multiplies 2x2 matrices with %o",
    async (options, expected) => {
      const p = program("mm2", (g) => {
        const A = g.input("A", [2, 2]);
        const B = g.input("B", [2, 2]);
        g.entry("run", { fetch: { C: g.matmul(A, B, options) } });
      });
      const compiled = await compile(p);
      const out = compiled.entry(compiled.create(), "run")({ A: a, B: b });
      expect(Array.from(out.C)).toEqual(expected);
    },
  );

  // op(A) is m×k = 2×3 and op(B) is k×n = 3×4; loss = sum(op(A)·op(B) ∘ W)
  const [m, k, n] = [2, 3, 4];
  it.each(flags)("computes op(A)·op(B) and both adjoints with %o", async (options) => {
    const p = program("mm", (g) => {
      const A = g.input("A", options.transA ? [k, m] : [m, k]);
      const B = g.input("B", options.transB ? [n, k] : [k, n]);
      const W = g.input("W", [m, n]);
      const C = g.matmul(A, B, options);
      const loss = g.sum(g.mul(C, W));
      const [dA, dB] = g.grad(loss, [A, B]);
      g.entry("run", { fetch: { C, loss, dA, dB } });
    });
    const compiled = await compile(p);
    const instance = compiled.create();
    for (const seed of [11, 12]) {
      const values = randomLeaves(p, seeded(seed));
      checkEntry(compiled, instance, p, "run", values, tight);
      // independent formulas: C = op(A)·op(B), op(A)‾ = W·op(B)ᵀ, op(B)‾ = op(A)ᵀ·W
      const opA = matrix(values.A, options.transA ? k : m, options.transA ? m : k, options.transA);
      const opB = matrix(values.B, options.transB ? n : k, options.transB ? k : n, options.transB);
      const Wm = matrix(values.W, m, n, false);
      const opA_bar = product(Wm, transpose(opB));
      const opB_bar = product(transpose(opA), Wm);
      const out = compiled.entry(instance, "run")();
      expectClose(out.C, product(opA, opB).flat(), tight, "C");
      expectClose(out.dA, (options.transA ? transpose(opA_bar) : opA_bar).flat(), tight, "dA");
      expectClose(out.dB, (options.transB ? transpose(opB_bar) : opB_bar).flat(), tight, "dB");
    }
  });
});

describe("reductions, broadcast and scalar operands", () => {
  let compiled: Compiled;
  beforeAll(async () => {
    const p = program("mixed", (g) => {
      const u = g.input("u", [3]);
      const v = g.input("v", [3]);
      const s = g.input("s");
      const d = g.dot(u, v);
      g.entry("run", {
        fetch: {
          d,
          total: g.sum(v),
          spread: g.broadcastTo(s, [2, 2]),
          scaled: g.mul(s, v),
          plusTwo: g.add(v, 2),
          twoMinus: g.sub(2, v),
          over: g.div(v, s),
          bySum: g.mul(g.sum(v), u),
          cubes: g.pow(v, 3),
          du: g.grad(g.mul(d, s), u),
        },
      });
    });
    compiled = await compile(p);
  });

  it("gives the hand-derived values at u = [1,2,3], v = [4,5,6], s = 0.5", () => {
    const out = compiled.entry(compiled.create(), "run")({ u: [1, 2, 3], v: [4, 5, 6], s: 0.5 });
    const plain = Object.fromEntries(
      Object.entries(out).map(([key, view]) => [key, Array.from(view)]),
    );
    expect(plain).toEqual({
      d: [32],
      total: [15],
      spread: [0.5, 0.5, 0.5, 0.5],
      scaled: [2, 2.5, 3],
      plusTwo: [6, 7, 8],
      twoMinus: [-2, -3, -4],
      over: [8, 10, 12],
      bySum: [15, 30, 45],
      cubes: [64, 125, 216],
      du: [2, 2.5, 3],
    });
  });
});

describe("param updates", () => {
  it("takes SGD steps in place, fetching the loss from before the step", async () => {
    // loss = (⟨w, x⟩ − 1)², ∇w = 2(⟨w, x⟩ − 1)·x; at w = [1, −1], x = [3, 1]: loss 1, ∇w = [6, 2]
    const p = program("sgd", (g) => {
      const x = g.input("x", [2]);
      const w = g.param("w", [2], { init: [1, -1] });
      const loss = g.pow(g.sub(g.dot(w, x), 1), 2);
      g.entry("step", { fetch: { loss, w }, update: [[w, g.sub(w, g.mul(0.1, g.grad(loss, w)))]] });
    });
    const compiled = await compile(p);
    const instance = compiled.create();
    const step = compiled.entry(instance, "step");
    const first = step({ x: [3, 1] });
    expect([first.loss[0], ...first.w]).toEqual([1, 1, -1]);
    expectClose(instance.params.w, [0.4, -1.2], 1e-15, "w after one step");
    // now ⟨w, x⟩ − 1 = −1: loss 1 again, ∇w = [−6, −2], and the step goes back to [1, −1]
    const second = step();
    expectClose([second.loss[0], ...second.w], [1, 0.4, -1.2], 1e-15, "second call");
    expectClose(instance.params.w, [1, -1], 1e-15, "w after two steps");
  });

  let swaps: Compiled;
  beforeAll(async () => {
    const p = program("swaps", (g) => {
      const a = g.param("a", [2], { init: [1, 2] });
      const b = g.param("b", [2], { init: [10, 20] });
      const c = g.param("c", [2], { init: [100, 200] });
      const p = g.param("p", [], { init: 3 });
      const q = g.param("q", [], { init: 4 });
      g.entry("swap", {
        update: [
          [a, b],
          [b, a],
        ],
      });
      g.entry("rotate", {
        update: [
          [a, b],
          [b, c],
          [c, a],
        ],
      });
      g.entry("mix", {
        update: [
          [a, g.add(a, b)],
          [b, g.sub(a, b)],
        ],
      });
      g.entry("shiftThenCopy", {
        update: [
          [b, g.add(b, 1)],
          [a, b],
        ],
      });
      g.entry("swapScalars", {
        fetch: { p, q },
        update: [
          [p, q],
          [q, p],
        ],
      });
    });
    swaps = await compile(p);
  });
  const params = (instance: ReturnType<Compiled["create"]>) =>
    Object.fromEntries(
      Object.entries(instance.params).map(([key, view]) => [key, Array.from(view)]),
    );

  it("computes every new value before writing any param", () => {
    const cases: [string, Record<string, number[]>][] = [
      ["swap", { a: [10, 20], b: [1, 2], c: [100, 200], p: [3], q: [4] }],
      ["rotate", { a: [10, 20], b: [100, 200], c: [1, 2], p: [3], q: [4] }],
      ["mix", { a: [11, 22], b: [-9, -18], c: [100, 200], p: [3], q: [4] }],
      ["shiftThenCopy", { a: [10, 20], b: [11, 21], c: [100, 200], p: [3], q: [4] }],
      ["swapScalars", { a: [1, 2], b: [10, 20], c: [100, 200], p: [4], q: [3] }],
    ];
    for (const [entry, expected] of cases) {
      const instance = swaps.create();
      swaps.entry(instance, entry)();
      expect(params(instance), entry).toEqual(expected);
    }
  });

  it("keeps updating correctly on repeated and alternating calls", () => {
    const instance = swaps.create();
    swaps.entry(instance, "swap")();
    swaps.entry(instance, "swap")();
    expect(params(instance).a).toEqual([1, 2]);
    swaps.entry(instance, "mix")(); // a = [11, 22], b = [−9, −18]
    swaps.entry(instance, "swap")(); // a = [−9, −18], b = [11, 22]
    swaps.entry(instance, "rotate")(); // a = b, b = c, c = a
    expect(params(instance)).toMatchObject({ a: [11, 22], b: [100, 200], c: [-9, -18] });
    const out = swaps.entry(instance, "swapScalars")();
    expect([out.p[0], out.q[0]]).toEqual([3, 4]); // fetched before the update
    expect([instance.params.p[0], instance.params.q[0]]).toEqual([4, 3]);
  });
});

describe("outputs that are leaves or constants", () => {
  it("copies them into output views of their own", async () => {
    const p = program("copies", (g) => {
      const x = g.input("x", [2]);
      const s = g.input("s");
      const w = g.param("w", [2], { init: [7, 8] });
      g.entry("run", {
        fetch: { x, s, w, c: g.constant([1, 2, 3]), z: g.constant(9, [2]), k: g.constant(-0.5) },
        update: [[w, g.mul(w, 2)]],
      });
    });
    const compiled = await compile(p);
    const instance = compiled.create();
    const out = compiled.entry(instance, "run")({ x: [5, 6], s: 4 });
    const plain = () =>
      Object.fromEntries(Object.entries(out).map(([key, view]) => [key, Array.from(view)]));
    expect(plain()).toEqual({ x: [5, 6], s: [4], w: [7, 8], c: [1, 2, 3], z: [9, 9], k: [-0.5] });
    expect(Array.from(instance.params.w)).toEqual([14, 16]);
    // copies, not the leaves' own views: changing the leaves leaves the outputs alone
    expect(out.x).not.toBe(instance.inputs.x);
    expect(out.w).not.toBe(instance.params.w);
    instance.inputs.x.set([-1, -2]);
    instance.inputs.s[0] = -3;
    expect(plain()).toMatchObject({ x: [5, 6], s: [4], w: [7, 8] });
    // the next call copies the current values (w was doubled by the first call)
    const again = compiled.entry(instance, "run")();
    expect([...again.x, ...again.s, ...again.w]).toEqual([-1, -2, -3, 14, 16]);
  });
});

describe("buffer reuse", () => {
  let chain: Program;
  let compiled: Compiled;
  beforeAll(async () => {
    // a chain of elementwise ops whose inputs die at their only use, then matmuls whose inputs die at them
    chain = program("chain", (g) => {
      const x = g.input("x", [3, 4]);
      const W = g.input("W", [4, 5]);
      const V = g.input("V", [5, 2]);
      const h1 = g.mul(x, 2);
      const h2 = g.sin(h1);
      const h3 = g.add(h2, x);
      const h4 = g.tanh(h3);
      const h5 = g.mul(h4, h4);
      const m1 = g.matmul(h5, W);
      const m2 = g.matmul(g.exp(g.neg(m1)), V);
      const loss = g.sum(g.mul(m2, m2));
      const [dx, dW, dV] = g.grad(loss, [x, W, V]);
      g.entry("value", { fetch: { loss, m2 } });
      g.entry("grad", { fetch: { loss, dx, dW, dV } });
    });
    // unfused, so that every elementwise op has a buffer whose slot can be shared
    compiled = await compile(chain, { fusion: false });
  });

  it("shares slots: the arena is smaller than one slot per value", () => {
    const { plan } = compiled;
    expect(plan.arenaLength).toBeLessThan(plan.unsharedLength);
    const offsets = [...plan.views.values()].map((view) => view.offset);
    expect(new Set(offsets).size).toBeLessThan(offsets.length);
    expect(compiled.create().arena.length).toBe(plan.arenaLength);
    // in place: elementwise ops write over an operand that dies at them, exactly its range;
    // no other op's output overlaps one of its operands
    const inPlace = new Set<string>();
    for (const node of plan.entries.flatMap((entry) => entry.schedule)) {
      const out = plan.views.get(node.id);
      for (const input of node.inputs) {
        const operand = plan.views.get(input.id);
        if (out === undefined || operand === undefined) continue;
        if (
          out.offset >= operand.offset + operand.length ||
          operand.offset >= out.offset + out.length
        )
          continue;
        expect(["add", "sub", "mul", "neg", "exp", "sin", "cos", "tanh"]).toContain(node.op);
        expect([out.offset, out.length]).toEqual([operand.offset, operand.length]);
        inPlace.add(`${node.op}%${node.id}`);
      }
    }
    expect(inPlace.size).toBeGreaterThanOrEqual(3);
    // sin(2x) dies at the add that reads it (cos(2x) is the backward's): the add writes over it
    expect([...inPlace].some((node) => node.startsWith("add%"))).toBe(true);
  });

  it("never writes a matmul into the slot of one of its operands", () => {
    const overlaps = (a: Node, b: Node) => {
      const va = compiled.plan.views.get(a.id)!;
      const vb = compiled.plan.views.get(b.id)!;
      return va.offset < vb.offset + vb.length && vb.offset < va.offset + va.length;
    };
    const matmuls = compiled.plan.entries.flatMap((entry) =>
      entry.schedule.filter((node) => node.op === "matmul"),
    );
    expect(matmuls.length).toBeGreaterThanOrEqual(4);
    for (const node of matmuls)
      for (const input of node.inputs) expect(overlaps(node, input)).toBe(false);
  });

  it("gives a matmul a slot apart from a same-sized operand that dies at it", async () => {
    // tanh(x) dies at the first matmul and exp(m) at the second: all [3,3], all candidates to share
    const square = program("square", (g) => {
      const x = g.input("x", [3, 3]);
      const W = g.input("W", [3, 3]);
      const m = g.matmul(g.tanh(x), W);
      const n = g.matmul(g.exp(m), W, { transA: true, transB: true });
      g.entry("run", { fetch: { total: g.sum(g.mul(n, n)) } });
    });
    const squareCompiled = await compile(square);
    const views = squareCompiled.plan.views;
    for (const node of squareCompiled.plan.entries[0].schedule.filter((n) => n.op === "matmul")) {
      const out = views.get(node.id)!;
      for (const input of node.inputs) expect(views.get(input.id)!.offset).not.toBe(out.offset);
    }
    const instance = squareCompiled.create();
    for (const seed of [41, 42]) {
      checkEntry(
        squareCompiled,
        instance,
        square,
        "run",
        randomLeaves(square, seeded(seed)),
        tight,
      );
    }
  });

  it("matches the interpreter, on repeated calls and alternating entry points", () => {
    const instance = compiled.create();
    const random = seeded(7);
    for (let round = 0; round < 3; round++) {
      for (const name of ["value", "grad", "grad", "value"]) {
        checkEntry(compiled, instance, chain, name, randomLeaves(chain, random), tight);
      }
    }
  });

  it("returns the same values from one call to the next, and with feeds as with views", () => {
    const instance = compiled.create();
    const values = randomLeaves(chain, seeded(8));
    writeLeaves(chain, instance, values);
    const grad = compiled.entry(instance, "grad");
    const snapshot = (out: Record<string, ArrayLike<number>>) =>
      Object.fromEntries(Object.entries(out).map(([key, view]) => [key, Array.from(view)]));
    const first = snapshot(grad());
    compiled.entry(instance, "value")();
    expect(snapshot(grad())).toEqual(first);
    expect(snapshot(grad(values))).toEqual(first);
    const fresh = compiled.create();
    expect(snapshot(compiled.entry(fresh, "grad")(values))).toEqual(first);
  });
});
