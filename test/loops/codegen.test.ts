// Generated loops: every scan form and its derivatives compiled under every lowering option and run
// against the reference interpreter; one `for` per scan, whatever the trip count.
import { describe, expect, it } from "vitest";
import { compile, program, type GenerateOptions } from "../../compiler/index.ts";
import { checkEntry } from "../support/oracle.ts";
import { derivatives, forms, looped } from "./forms.ts";

const lowerings: readonly (readonly [string, GenerateOptions, number])[] = [
  ["default", {}, 1e-12],
  ["fusion off", { fusion: false }, 1e-12],
  ["small functions", { maxFunctionLines: 12 }, 1e-12],
  // f32 arena against the f64 interpreter: a float32 rounding per stored value
  ["f32", { dtype: "f32" }, 1e-4],
];

describe.each(forms)("$name", (form) => {
  it.each(lowerings)("runs as the interpreter says, %s", async (_, options, tolerance) => {
    const { program: built } = derivatives(form, looped);
    const compiled = await compile(built, options);
    const leaves = { ...form.leaves, ...form.ints } as Record<string, number[]>;
    const round = options.dtype === "f32" ? Math.fround : (x: number) => x;
    const fed = Object.fromEntries(
      Object.entries(leaves).map(([name, values]) => [name, values.map(round)]),
    );
    checkEntry(compiled, compiled.create(), built, "all", fed, tolerance);
  });
});

/** x ← x·k + 0.1·sin(x) for `steps` steps, its value and gradient. */
function iterated(steps: number) {
  return program("iterated", (g) => {
    const x0 = g.input("x0", [2]);
    const k = g.input("k", [2]);
    const [xT] = g.scan((x) => [g.add(g.mul(x, k), g.mul(0.1, g.sin(x))), []], x0, undefined, {
      length: steps,
    });
    const f = g.sum(g.exp(xT));
    g.entry("value", { fetch: { f, grad: g.grad(f, { x0, k }) } });
  });
}

describe("a generated loop", () => {
  it("is one for loop per scan, its module the same size whatever the trip count", async () => {
    const short = await compile(iterated(3));
    const long = await compile(iterated(3000));
    const loops = (source: string) => source.match(/for \(let step\w* = 0; step\w* < \d+;/g) ?? [];
    // the forward scan and the reverse sweep of its gradient
    expect(loops(short.source)).toHaveLength(2);
    expect(loops(long.source)).toHaveLength(2);
    expect(long.source.split("\n").length).toBe(short.source.split("\n").length);
    const instance = long.create();
    const [x0, k] = [
      [0.3, -0.2],
      [0.89, 0.93],
    ];
    instance.inputs.x0.set(x0);
    instance.inputs.k.set(k);
    const values = long.entry(instance, "value")();
    // the same recurrence and its derivatives by hand: ∂x′/∂x = k + 0.1·cos x, ∂x′/∂k = x
    let f = 0;
    for (let i = 0; i < 2; i++) {
      let [x, dx0, dk] = [x0[i], 1, 0];
      for (let t = 0; t < 3000; t++) {
        const slope = k[i] + 0.1 * Math.cos(x);
        [x, dx0, dk] = [x * k[i] + 0.1 * Math.sin(x), slope * dx0, x + slope * dk];
      }
      f += Math.exp(x);
      expect((values.grad as unknown as Record<string, Float64Array>).x0[i]).toBeCloseTo(
        Math.exp(x) * dx0,
        12,
      );
      expect((values.grad as unknown as Record<string, Float64Array>).k[i]).toBeCloseTo(
        Math.exp(x) * dk,
        12,
      );
    }
    expect(values.f[0]).toBeCloseTo(f, 12);
  });
});

describe("compiling a program with loops", () => {
  it("gives the same module every time, whatever was compiled before", async () => {
    const built = iterated(4);
    const first = await compile(built);
    await compile(built, { fusion: false });
    await compile(iterated(4));
    const again = await compile(built);
    expect(again.source).toBe(first.source);
  });
});
