// whileLoop: a bounded loop that stops when its condition fails, differentiated through the steps
// that ran; the textbook's f(a), and loops that stop at different counts for different inputs.
import { describe, expect, it } from "vitest";
import { compile, interpret, program, type Node } from "../../compiler/index.ts";
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
});
