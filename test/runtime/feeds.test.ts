// The runtime: checked feeds with messages that name the entry, the input and its shape; calls
// without feeds read the views; and the runtime file depends on nothing.
import { readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { compile, program, type Compiled, type DynamicInstance } from "adjoint";
import { AdjointRuntimeError, allocateArena, feedInputs, type InputSpec } from "@adjoint/runtime";

let compiled: Compiled;
let instance: DynamicInstance;
beforeAll(async () => {
  // y = sum(w ∘ v)·s + ⟨v, w⟩ ... kept small: v is [2,3], s is a scalar
  const p = program("fed", (g) => {
    const v = g.input("v", [2, 3]);
    const s = g.input("s");
    const w = g.param("w", [2, 3], { init: [1, 2, 3, 4, 5, 6] });
    g.entry("run", { fetch: { y: g.mul(g.sum(g.mul(w, v)), s), v2: g.mul(v, 2) } });
    g.entry("scale", { fetch: { s3: g.mul(s, 3) } });
  });
  compiled = await compile(p);
  instance = compiled.create();
});

const run = (feeds?: unknown) => compiled.entry(instance, "run")(feeds as never);
const good = { v: [1, 1, 1, 1, 1, 1], s: 2 };

describe("feedInputs through a generated entry point", () => {
  it("accepts arrays, matching typed arrays and numbers", () => {
    const out = run({ v: [1, 0, 0, 0, 0, 2], s: 0.5 });
    expect(out.y[0]).toBe((1 + 12) * 0.5);
    expect(Array.from(out.v2)).toEqual([2, 0, 0, 0, 0, 4]);
    expect(run({ v: Float64Array.of(1, 1, 1, 1, 1, 1), s: Float64Array.of(2) }).y[0]).toBe(42);
    expect(Array.from(instance.inputs.v)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  const cases: [string, unknown, string[]][] = [
    ["a missing input", { v: good.v }, ['fed.run: missing input "s" (shape [])']],
    [
      "an unknown input",
      { ...good, u: 1 },
      ['fed.run: unknown input "u"', '"v" (shape [2,3])', '"s" (shape [])'],
    ],
    [
      "a wrong length",
      { ...good, v: [1, 2, 3] },
      ['fed.run: input "v" has shape [2,3] (6 values), got 3 values'],
    ],
    [
      "a typed array of the wrong length",
      { ...good, v: new Int32Array(5) },
      ['fed.run: input "v" has shape [2,3] (6 values), got 5 values'],
    ],
    [
      "a typed array of bigints",
      { ...good, v: new BigInt64Array(6) },
      ['fed.run: input "v" (shape [2,3]) must be a number', "got BigInt64Array"],
    ],
    [
      "a DataView",
      { ...good, v: new DataView(new ArrayBuffer(48)) },
      ['fed.run: input "v" (shape [2,3]) must be a number', "got DataView"],
    ],
    [
      "a NaN in a typed array",
      { ...good, v: Float32Array.of(1, 2, NaN, 4, 5, 6) },
      ['fed.run: input "v" (shape [2,3]) holds NaN at [0,2] (element 2)'],
    ],
    [
      "non-number elements",
      { ...good, v: [1, 2, 3, "4", 5, 6] },
      ['fed.run: input "v" (shape [2,3]) must be a number', "non-number elements"],
    ],
    [
      "a string for a scalar",
      { ...good, s: "2" },
      ['fed.run: input "s" (shape []) must be a number', "got string"],
    ],
    [
      "a number for a non-scalar input",
      { ...good, v: 3 },
      ['fed.run: input "v" has shape [2,3] (6 values); a single number fits only one value'],
    ],
    ["feeds that are not an object", 7, ["fed.run: feeds must be an object of inputs, got number"]],
  ];

  it.each(cases)("rejects %s, naming the entry, the input and its shape", (_, feeds, parts) => {
    instance.inputs.v.set([9, 9, 9, 9, 9, 9]);
    let error: unknown;
    try {
      run(feeds);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AdjointRuntimeError);
    for (const part of parts) expect((error as Error).message).toContain(part);
    // the check comes first: a rejected call leaves the views as they were
    expect(Array.from(instance.inputs.v)).toEqual([9, 9, 9, 9, 9, 9]);
  });

  it("names the right entry point", () => {
    expect(() => compiled.entry(instance, "scale")({ u: good.v, s: 1 } as never)).toThrow(
      'fed.scale: unknown input "u"; it reads "s" (shape []), and ignores the program\'s other inputs "v"',
    );
  });

  it("accepts an input the program declares and this entry does not read, and ignores it", () => {
    instance.inputs.v.set([9, 9, 9, 9, 9, 9]);
    // scale reads s alone: v is accepted, neither checked nor written
    const out = compiled.entry(instance, "scale")({ v: [1, 2, 3], s: 2 });
    expect(out.s3[0]).toBe(6);
    expect(Array.from(instance.inputs.v)).toEqual([9, 9, 9, 9, 9, 9]);
  });

  it("accepts any typed array of numbers, converted by the view, and checks its elements", () => {
    instance.params.w.set([1, 2, 3, 4, 5, 6]);
    // y = (Σ w·v)·s: v = 1..6 gives 91; s = 2
    for (const v of [Int32Array.of(1, 2, 3, 4, 5, 6), Float32Array.of(1, 2, 3, 4, 5, 6)]) {
      expect(run({ v, s: Uint8Array.of(2) }).y[0]).toBe(182);
      expect(Array.from(instance.inputs.v)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    expect(run({ v: Uint8ClampedArray.of(0, 0, 0, 0, 0, 1), s: Int16Array.of(-1) }).y[0]).toBe(-6);
  });

  it("looks feeds up as own properties: an input named like an Object method is missing when left out", async () => {
    const p = program("own", (g) => {
      const valueOf = g.input("valueOf", [2]);
      g.entry("run", { fetch: { y: g.mul(valueOf, g.input("hasOwnProperty")) } });
    });
    const own = await compile(p);
    const ownRun = own.entry(own.create(), "run");
    expect(Array.from(ownRun({ valueOf: [1, 2], hasOwnProperty: 3 }).y)).toEqual([3, 6]);
    expect(() => ownRun({ hasOwnProperty: 3 })).toThrow(
      'own.run: missing input "valueOf" (shape [2])',
    );
    expect(() => ownRun({ valueOf: [1, 2] })).toThrow(
      'own.run: missing input "hasOwnProperty" (shape [])',
    );
    // an inherited property is no feed either
    const inherited = Object.assign(Object.create({ valueOf: [5, 5] }) as object, {
      hasOwnProperty: 1,
    });
    expect(() => ownRun(inherited as never)).toThrow('own.run: missing input "valueOf"');
  });
});

describe("entry points called without feeds", () => {
  it("read whatever the input and param views hold", () => {
    instance.inputs.v.set([1, 2, 3, 4, 5, 6]);
    instance.inputs.s[0] = -1;
    instance.params.w.set([1, 0, 0, 0, 0, 1]);
    const out = run();
    expect(out.y[0]).toBe(-(1 + 6));
    expect(Array.from(out.v2)).toEqual([2, 4, 6, 8, 10, 12]);
    // feeding writes the views, so a later call without feeds sees the fed values
    run({ v: [0, 0, 0, 0, 0, 1], s: 10 });
    expect(Array.from(instance.inputs.v)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(run().y[0]).toBe(10);
    expect(compiled.entry(instance, "scale")().s3[0]).toBe(30);
  });
});

describe("runtime functions", () => {
  it("allocates arenas of the requested type and length", () => {
    const f64 = allocateArena("f64", 5);
    const f32 = allocateArena("f32", 3);
    expect(f64).toBeInstanceOf(Float64Array);
    expect(f32).toBeInstanceOf(Float32Array);
    expect([f64.length, f32.length]).toEqual([5, 3]);
    expect(Array.from(f64)).toEqual([0, 0, 0, 0, 0]);
  });

  it("feeds into a float32 view: typed arrays and arrays accepted, rounded to float32", () => {
    const arena = allocateArena("f32", 3);
    const specs: InputSpec[] = [
      { name: "a", shape: [2], view: arena.subarray(0, 2) },
      { name: "b", shape: [], view: arena.subarray(2, 3) },
    ];
    feedInputs("m.e", specs, { a: Float32Array.of(1.5, 2.5), b: 0.1 });
    expect(Array.from(arena)).toEqual([1.5, 2.5, Math.fround(0.1)]);
    feedInputs("m.e", specs, { a: [3, 4], b: [5] });
    expect(Array.from(arena)).toEqual([3, 4, 5]);
    feedInputs("m.e", specs, { a: Float64Array.of(0.1, 2), b: Int32Array.of(7) });
    expect(Array.from(arena)).toEqual([Math.fround(0.1), 2, 7]);
    expect(() => feedInputs("m.e", [], { a: 1 })).toThrow(
      'm.e: unknown input "a"; it reads no inputs',
    );
  });
});

describe("runtime/", () => {
  const dir = new URL("../../runtime/", import.meta.url);
  const files = readdirSync(dir).filter((file) => file.endsWith(".ts"));
  const code = (file: string) =>
    readFileSync(new URL(file, dir), "utf8").replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, "");

  it.each(files)("%s imports only runtime files and uses no Node-only API", (file) => {
    const text = code(file);
    const specifiers = [...text.matchAll(/\bfrom\s+"([^"]+)"|\bimport\s*\(\s*"([^"]+)"/g)].map(
      (match) => match[1] ?? match[2],
    );
    for (const specifier of specifiers) expect(specifier, file).toMatch(/^\.\/[\w-]+\.ts$/);
    for (const name of ["process", "require", "Buffer", "__dirname", "globalThis"]) {
      expect(text, `${file}: ${name}`).not.toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it("core.ts holds the feed checks and imports only the kernel bytes and the special functions; index.ts re-exports it", () => {
    expect(code("core.ts")).toContain("export function feedInputs");
    // a generated module loads four files: itself, core, the kernel library's bytes and the
    // special functions (erf, lgamma, ...), which import nothing
    const imports = [...code("core.ts").matchAll(/\bfrom\s+"([^"]+)"|\bimport\s*\(/g)];
    expect(imports.map((match) => match[1])).toEqual(["./kernel-bytes.ts", "./special.ts"]);
    expect(code("kernel-bytes.ts")).not.toMatch(/\bfrom\s+"|\bimport\s*\(/);
    expect(code("special.ts")).not.toMatch(/\bfrom\s+"|\bimport\s*\(/);
    expect(code("index.ts")).toContain('export * from "./core.ts";');
  });
});
