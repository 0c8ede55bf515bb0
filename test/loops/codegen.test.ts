// Generated loops: every scan form and its derivatives compiled under every lowering option and run
// against the reference interpreter; one `for` per scan, whatever the trip count.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lstmProgram } from "../../examples/lstm.graph.ts";
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

describe("the LSTM example's module", () => {
  const example = fileURLToPath(new URL("../../examples/lstm.graph.ts", import.meta.url));
  const exampleLines = readFileSync(example, "utf8").split("\n");
  // the digits (trip counts, tape offsets, 1/T) are all the trip count may change; prettier may
  // break a line at another place when a number's length changes; the hash differs, of course
  const skeleton = (source: string) =>
    source
      .replace(/adjoint-graph-hash: \w+/, "")
      .replace(/\d+/g, "#")
      .replace(/\s+/g, " ");

  it("is the same text at 16 and 1,024 steps but for the digits of its constants", async () => {
    const [short, long] = await Promise.all([compile(lstmProgram(16)), compile(lstmProgram(1024))]);
    expect(skeleton(long.source)).toBe(skeleton(short.source));
    // the forward scan, one function that the objective and the gradient both call, and the
    // gradient's reverse sweep
    const loops = (source: string) => source.match(/for \(let step\w* = 0; step\w* < (\d+);/g);
    expect(loops(short.source)).toHaveLength(2);
    const shared = /function (scan\w+)\(\): void/.exec(short.source)![1];
    expect(short.source.split(`${shared}();`)).toHaveLength(3);
    expect(loops(long.source)?.every((loop) => loop.endsWith("< 1024;"))).toBe(true);
    expect(Math.abs(long.source.length - short.source.length)).toBeLessThan(2000);
  });

  it("names the user's DSL lines in the comments inside its loop bodies", async () => {
    const { source } = await compile(lstmProgram(16));
    const lines = source.split("\n");
    const sweep = lines.findIndex((line) => /const t\w* = 15 - step\w*;/.test(line));
    expect(sweep).toBeGreaterThan(0);
    // every single-op comment in the reverse sweep's body names a line that makes that op
    const end = lines.findIndex(
      (line, k) => k > sweep && line.startsWith("    }") && !line.startsWith("     "),
    );
    const made = { oneHot: "oneHot", matmul: "matmul", logsumexp: "logsumexp", concat: "concat" };
    let checked = 0;
    for (const line of lines.slice(sweep, end)) {
      const match = /\/\/ \w+ = (\w+)\(.*\)  \((?:adjoint, )?lstm\.graph\.ts:(\d+)\)$/.exec(line);
      if (match === null || !(match[1] in made)) continue;
      expect(exampleLines[Number(match[2]) - 1]).toContain(
        `g.${made[match[1] as keyof typeof made]}(`,
      );
      checked++;
    }
    // the forward replay (2 one-hots, 3 matmuls, 2 concats, the logsumexp) and the adjoint matmuls
    expect(checked).toBeGreaterThanOrEqual(8);
    // the fused loops of the adjoint name the cell's lines, as adjoint code
    const cellLine = exampleLines.findIndex((line) => line.includes("const next = g.add(")) + 1;
    expect(lines.slice(sweep, end).join("\n")).toContain(`(adjoint, lstm.graph.ts:${cellLine})`);
  });
});

describe("long initial values", () => {
  it("are written in base64 and read back bit for bit, in f64 and f32", async () => {
    const values = Array.from({ length: 100 }, (_, i) =>
      i === 0 ? -0 : i === 1 ? 5e-324 : i === 2 ? -1.7976931348623157e308 : Math.sin(i) / 3,
    );
    const built = program("weights", (g) => {
      const w = g.param("w", [100], { init: values });
      g.entry("total", { fetch: { total: g.sum(w) } });
    });
    const f64 = await compile(built);
    expect(f64.source).toContain("setBase64Values(");
    expect(f64.source).not.toContain(String(values[5]));
    const weights = f64.create().params.w;
    values.forEach((value, i) => expect(Object.is(weights[i], value)).toBe(true));
    const f32 = await compile(built, { dtype: "f32" });
    const rounded = f32.create().params.w;
    values.forEach((value, i) => expect(Object.is(rounded[i], Math.fround(value))).toBe(true));
  });

  it("stay decimals while they are few", async () => {
    const built = program("few", (g) => {
      const w = g.param("w", [3], { init: [0.5, -1, 2] });
      g.entry("total", { fetch: { total: g.sum(w) } });
    });
    expect((await compile(built)).source).toContain("w.set([0.5, -1, 2]);");
  });
});
