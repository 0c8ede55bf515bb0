// whileLoop: a bounded loop that stops when its condition fails, differentiated through the steps
// that ran; the textbook's f(a), and loops that stop at different counts for different inputs.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile, interpret, program, type Node } from "../../compiler/index.ts";
import { programText } from "../../compiler/ir/text.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import { checkEntry } from "../support/oracle.ts";
import { errorsIn } from "../support/errors.ts";

const expectError = errorsIn(import.meta.url);

/** b = 2a; while |b| < 1000: b = 2b; c = b if sum(b) > 0 else 100b. */
const textbook = program("textbook", (g) => {
  const a = g.input("a");
  const { value: b, iterations } = g.whileLoop(
    (b: Node) => g.lt(g.sqrt(g.sum(g.square(b))), 1000),
    (b: Node) => g.mul(b, 2),
    g.mul(a, 2),
    { maxIterations: 64 },
  );
  const c = g.cond(
    g.gt(g.sum(b), 0),
    () => b,
    () => g.mul(b, 100),
  );
  const [a_bar] = g.grad(c, [a]);
  g.entry("run", { fetch: { c, a_bar, iterations } });
});

const run = (a: number) => {
  const fetched = textbook.entries[0].fetch;
  const values = interpret(
    fetched.map(([, node]) => node),
    { a },
  );
  return Object.fromEntries(fetched.map(([name], k) => [name, values[k][0]]));
};

describe("whileLoop", () => {
  it.each([
    [0.3, 11, 1228.8],
    [-0.3, 11, -122880],
    [0.001, 19, 1048.576],
  ])("the textbook's f(a) at a = %d: %d doublings, a.grad = c/a", (a, doublings, c) => {
    const result = run(a);
    expect(result.iterations).toBe(doublings);
    expect(result.c).toBeCloseTo(c, 9);
    expect(result.a_bar).toBe(result.c / a);
  });

  it.each([
    ["default", {}],
    ["fusion off", { fusion: false }],
    ["small functions", { maxFunctionLines: 10 }],
  ])("compiles to loops that agree with the interpreter (%s)", async (_, options) => {
    const compiled = await compile(textbook, options);
    const instance = compiled.create();
    for (const a of [0.3, -0.3, 0.001, 700, 2000])
      checkEntry(compiled, instance, textbook, "run", { a: [a] }, 0);
  });

  it("stops at its bound when the condition still holds", () => {
    const bounded = program("bounded", (g) => {
      const x = g.input("x");
      const { value, iterations } = g.whileLoop(
        (v: Node) => g.lt(v, 1e9),
        (v: Node) => g.add(g.mul(v, 1.5), 1),
        x,
        { maxIterations: 5 },
      );
      const [dx] = g.grad(value, [x]);
      g.entry("run", { fetch: { value, iterations, dx } });
    });
    const [value, iterations, dx] = interpret(
      bounded.entries[0].fetch.map(([, node]) => node),
      { x: 2 },
    ).map((data) => data[0]);
    let v = 2;
    for (let i = 0; i < 5; i++) v = v * 1.5 + 1;
    expect([value, iterations, dx]).toEqual([v, 5, 1.5 ** 5]);
  });

  it("rejects a missing or non-positive maxIterations", () => {
    expectError(
      (g) => {
        const x = g.input("x");
        const [test, step] = [(v: Node) => g.lt(v, 1), (v: Node) => g.mul(v, 2)];
        g.whileLoop(test, step, x, { maxIterations: 0 }); // @zero
      },
      ["whileLoop: maxIterations must be a positive integer, got 0"],
      "zero",
    );
    expectError(
      (g) => {
        const x = g.input("x");
        const [test, step] = [(v: Node) => g.lt(v, 1), (v: Node) => g.mul(v, 2)];
        g.whileLoop(test, step, x, {} as never); // @missing
      },
      ["whileLoop: maxIterations must be a positive integer, got undefined"],
      "missing",
    );
  });

  it("rejects an onMaxIterations that is neither stop nor error", () => {
    expectError(
      (g) => {
        const x = g.input("x");
        const [test, step] = [(v: Node) => g.lt(v, 1), (v: Node) => g.mul(v, 2)];
        g.whileLoop(test, step, x, { maxIterations: 3, onMaxIterations: "wrap" as never }); // @mode
      },
      ['whileLoop: onMaxIterations must be "stop" or "error", got "wrap"'],
      "mode",
    );
  });

  it("rejects a condition that is not a bool scalar", () => {
    expectError(
      (g) => {
        const x = g.input("x", [2]);
        const [test, step] = [(v: Node) => g.lt(v, 1), (v: Node) => g.mul(v, 2)];
        g.whileLoop(test, step, x, { maxIterations: 3 }); // @vector
      },
      ["whileLoop: the condition must return a bool scalar (a comparison), got bool[2]"],
      "vector",
    );
    expectError(
      (g) => {
        const x = g.input("x");
        const [test, step] = [(v: Node) => g.sub(v, 1), (v: Node) => g.mul(v, 2)];
        g.whileLoop(test as never, step, x, { maxIterations: 3 }); // @real
      },
      ["whileLoop: the condition must return a bool scalar (a comparison), got f64[]"],
      "real",
    );
  });

  it("rejects a body that changes the carry's shape or dtype", () => {
    expectError(
      (g) => {
        const x = g.input("x", [2]);
        const test = (v: Node) => g.lt(g.sum(v), 1);
        g.whileLoop(test, (v: Node) => g.concat([v, v]), x, { maxIterations: 3 }); // @shape
      },
      ["whileLoop: the carry enters the body as f64[2] and leaves it as f64[4]"],
      "shape",
    );
    expectError(
      (g) => {
        const n = g.input("n", [], { dtype: "i32" });
        const test = (k: Node) => g.lt(k, g.constant(3, [], "i32"));
        g.whileLoop(test, (k: Node) => g.cast(k, "f64"), n, { maxIterations: 3 }); // @dtype
      },
      ["whileLoop: the carry enters the body as i32[] and leaves it as f64[]"],
      "dtype",
    );
  });
});

/** The line of this file that ends with `// @marker`. */
function markedLine(marker: string): number {
  const lines = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
  return lines.findIndex((line) => line.endsWith(`// @${marker}`)) + 1;
}

/** v ← 1.5·v + 1 while v < 100, at most 5 steps; the value, the count and dv/dx. */
const grows = (onMaxIterations: "stop" | "error") =>
  program(`grows_${onMaxIterations}`, (g) => {
    const x = g.input("x");
    const [test, step] = [(v: Node) => g.lt(v, 100), (v: Node) => g.add(g.mul(v, 1.5), 1)];
    const { value, iterations } = g.whileLoop(test, step, x, { maxIterations: 5, onMaxIterations }); // @grows
    const [dx] = g.grad(value, [x]);
    const [tangent] = g.jvp([value], [x], [g.constant(1)]);
    g.entry("run", { fetch: { value, iterations, dx, tangent } });
  });

/** The same recurrence by hand: the steps it takes before v ≥ 100 (or the bound), and dv/dx. */
function byHand(x: number, max: number) {
  let [v, steps] = [x, 0];
  while (v < 100 && steps < max) [v, steps] = [1.5 * v + 1, steps + 1];
  return { value: v, iterations: steps, dx: 1.5 ** steps, tangent: 1.5 ** steps, holds: v < 100 };
}

describe("whileLoop at its bound", () => {
  const message = () =>
    `whileLoop (while.test.ts:${markedLine("grows")}): the condition still holds after ` +
    `maxIterations = 5 iterations (onMaxIterations: "error")`;
  const interpreted = (built: ReturnType<typeof grows>, x: number) => {
    const fetched = built.entries[0].fetch;
    const values = interpret(
      fetched.map(([, node]) => node),
      { x },
    );
    return Object.fromEntries(fetched.map(([name], k) => [name, values[k][0]]));
  };

  // 2 needs more than 5 steps, 12 exactly 5, 50 two, 300 none
  it.each([2, 12, 50, 300])("stops there, or when the condition fails, at x = %d", async (x) => {
    const { holds, ...want } = byHand(x, 5);
    expect(holds).toBe(x === 2);
    expect(interpreted(grows("stop"), x)).toEqual(want);
    const compiled = await compile(grows("stop"));
    const outputs = compiled.entry(compiled.create(), "run")({ x });
    expect(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v[0]]))).toEqual(want);
  });

  it("fails at run time with onMaxIterations: error, naming the loop and its line", async () => {
    const built = grows("error");
    expect(() => interpreted(built, 2)).toThrow(message());
    const compiled = await compile(built);
    const run = compiled.entry(compiled.create(), "run");
    expect(() => run({ x: 2 })).toThrow(message());
    try {
      run({ x: 2 });
    } catch (error) {
      expect((error as Error).name).toBe("AdjointRuntimeError");
    }
    // a condition that fails at the bound is no error
    for (const x of [12, 50, 300]) {
      const { holds: _, ...want } = byHand(x, 5);
      expect(interpreted(built, x)).toEqual(want);
      expect(run({ x }).value[0]).toBe(want.value);
    }
  });
});

describe("a generated while loop", () => {
  const doubling = (max: number) =>
    program("doubling", (g) => {
      const a = g.input("a");
      const { value, iterations } = g.whileLoop(
        (b: Node) => g.lt(g.abs(b), 1000),
        (b: Node) => g.mul(b, 2),
        a,
        { maxIterations: max },
      );
      g.entry("run", { fetch: { value, iterations, da: g.grad(value, a) } });
    });

  it("is a for (;;) with a break, its module the same size whatever the bound", async () => {
    const [small, large] = [await compile(doubling(64)), await compile(doubling(6400))];
    // the forward loop and the reverse sweep
    expect(small.source.match(/for \(;;\) \{/g)).toHaveLength(2);
    expect(small.source.match(/\) break;/g)?.length).toBeGreaterThanOrEqual(2);
    expect(large.source.split("\n").length).toBe(small.source.split("\n").length);
    // a·2^k with k the first count at which |a|·2^k ≥ 1000
    for (const a of [0.3, -7, 999, 1000, 5e-5]) {
      const k = Math.max(0, Math.ceil(Math.log2(1000 / Math.abs(a))));
      const out = large.entry(large.create(), "run")({ a });
      expect([out.value[0], out.iterations[0], out.da[0]]).toEqual([a * 2 ** k, k, 2 ** k]);
    }
  });
});

describe("a while loop's text form and passes", () => {
  const built = program("w", (g) => {
    const x = g.input("x");
    const c = g.input("c");
    const test = (v: Node) => g.lt(v, c);
    const step = (v: Node) => g.add(g.mul(g.mul(v, 1), g.exp(c)), g.mul(v, 1));
    const { value } = g.whileLoop(test, step, x, { maxIterations: 7 }); // @text
    g.entry("run", { fetch: { value } });
  });

  it("prints the condition and the body under the loop", () => {
    const line = markedLine("text");
    expect(programText(built).split("\n").slice(3, 17)).toEqual([
      `%2: f64[9] = while %0 %1 %1 {carries=1, split=1, maxIterations=7, onMaxIterations=stop, site=while.test.ts:${line}, tape=true}`,
      "  condition:",
      "    args %0 %1",
      '    %0: f64[] = input "carry0"',
      '    %1: f64[] = input "c0"',
      "    %2: bool[] = lt %0 %1",
      "    results %2",
      "  body:",
      "    args %0 %3",
      '    %0: f64[] = input "carry0"',
      "    %1: f64[] = const 1",
      "    %2: f64[] = mul %0 %1",
      '    %3: f64[] = input "c0"',
      "    %4: f64[] = exp %3",
    ]);
  });

  it("simplifies and shares inside both regions, and drops an unread tape", () => {
    const optimized = optimize(built, { verifyEachPass: true }).program;
    const loop = optimized.graph.nodes.find((node) => node.op === "while")!;
    expect(loop.op === "while" && loop.attrs.tape).toBe(false);
    const ops = loop.op === "while" ? loop.attrs.body.graph.nodes.map((n) => n.op) : [];
    // v·1 is v, and the two v·1 were one node already
    expect(ops.filter((op) => op === "mul")).toHaveLength(1);
    expect(ops).not.toContain("const");
    for (const x of [0.5, 3])
      expect(interpret([optimized.entries[0].fetch[0][1]], { x, c: 2 })).toEqual(
        interpret([built.entries[0].fetch[0][1]], { x, c: 2 }),
      );
  });
});
