// Long entries are split into helper functions small enough for V8 to optimise, and entry points
// allocate nothing: no arrays, objects or closures are created per call.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile, interpret, program } from "adjoint";
import { seeded } from "../support/random.ts";

/** A scalar DAG of about `size` forward nodes over 8 inputs, with its gradient. */
function scalarDag(size: number) {
  return program("dag", (g) => {
    const xs = Array.from({ length: 8 }, (_, i) => g.input(`x${i}`));
    const values = [...xs];
    let total = xs[0];
    for (let i = 0; values.length < size; i++) {
      const a = values[(i * 7919) % values.length];
      const b = values[(i * 104729 + 3) % values.length];
      const v = i % 3 === 0 ? g.mul(a, b) : i % 3 === 1 ? g.add(g.sin(a), b) : g.tanh(g.sub(a, b));
      values.push(v);
      total = g.add(total, g.mul(0.001, v));
    }
    g.entry("grad", {
      fetch: { f: total, grads: Object.fromEntries(g.grad(total, xs).map((d, i) => [`x${i}`, d])) },
    });
  });
}

/** Line counts of the functions nested in the module's factory, by name. */
function functionLengths(source: string): Map<string, number> {
  const lengths = new Map<string, number>();
  const lines = source.split("\n");
  lines.forEach((line, start) => {
    const match = /^ {2}function (\w+)\(/.exec(line);
    if (match === null) return;
    const end = lines.findIndex((other, index) => index > start && other === "  }");
    lengths.set(match[1], end - start - 1);
  });
  return lengths;
}

describe("splitting", () => {
  it("is on by default at 500 lines, well below V8's limit of about 60 KB of bytecode", async () => {
    const { defaultMaxFunctionLines } = await import("../../compiler/codegen/generate.ts");
    expect(defaultMaxFunctionLines).toBe(500);
  });

  it("keeps every function of a long gradient within the limit, with the interpreter's values", async () => {
    // small enough for the test's prettier check of the module; the limit scaled down to match
    const p = scalarDag(400);
    const maxFunctionLines = 60;
    const compiled = await compile(p, { maxFunctionLines });
    const lengths = functionLengths(compiled.source);
    const parts = [...lengths.keys()].filter((name) => name.startsWith("gradPart"));
    expect(parts.length).toBeGreaterThan(5);
    // every part holds at most the limit, plus the blank lines around loops
    for (const [name, length] of lengths) {
      if (name.startsWith("gradPart"))
        expect(length, name).toBeLessThanOrEqual(maxFunctionLines + 10);
    }
    expect(compiled.source).toMatch(/spill\[\d+\] = /);
    const random = seeded(7);
    const feeds = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [`x${i}`, random() * 2 - 1]),
    );
    const out = compiled.entry(compiled.create(), "grad")(feeds);
    const fetched = p.entries[0].fetch;
    const want = interpret(
      fetched.map(([, node]) => node),
      feeds,
    );
    // outputs nest by dotted path: "grads.x0" is out.grads.x0
    const at = (path: string) =>
      path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], out);
    fetched.forEach(([name], i) =>
      expect((at(name) as Float64Array)[0]).toBeCloseTo(want[i][0], 10),
    );
  });
});

describe("entry points allocate nothing", () => {
  const dir = new URL("../../generated/", import.meta.url);
  const modules = readdirSync(dir).filter((file) => file.endsWith(".ts"));

  it.each(modules)(
    "%s: no new, no literal arrays or objects, no closures inside entries",
    (file) => {
      const source = readFileSync(new URL(file, dir), "utf8");
      const lengths = functionLengths(source);
      expect(lengths.size).toBeGreaterThan(0);
      const lines = source.split("\n");
      for (const name of lengths.keys()) {
        const start = lines.findIndex((line) => line.startsWith(`  function ${name}(`));
        const body = lines.slice(start + 1, start + 1 + lengths.get(name)!).join("\n");
        const code = body.replace(/\/\/[^\n]*/g, "").replace(/"[^"\n]*"/g, '""');
        expect(code, `${file} ${name}`).not.toMatch(/\bnew\b|=>|\bfunction\b|[=(,]\s*[[{]/);
      }
    },
  );
});
