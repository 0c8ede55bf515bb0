// The kernel library's matmul on odd shapes and every transpose against a naive loop, bit for bit
// against the generated JS loops in float64, and its committed bytes against their source.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { compile, program } from "adjoint";
import { assemble, bytesFile, bytesSource } from "../../kernels/build.ts";
import { kernelMemory, setKernels, simdSupported } from "../../runtime/core.ts";
import { seeded } from "../support/random.ts";

afterEach(() => setKernels("auto"));

type Shape3 = readonly [number, number, number];
const shapes: readonly Shape3[] = [
  [1, 1, 1],
  [3, 5, 7],
  [65, 129, 33],
  [4, 0, 5],
  [8, 2, 8],
  [5, 3, 1],
];
const flags = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/** out = op(A)·op(B), summed from 0 in the order p = 0 .. k - 1, in float64. */
function naive(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  [m, k, n]: Shape3,
  tA: boolean,
  tB: boolean,
) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let total = 0;
      for (let p = 0; p < k; p++)
        total += a[tA ? p * m + i : i * k + p] * b[tB ? j * k + p : p * n + j];
      out[i * n + j] = total;
    }
  return out;
}

it("runs where this engine has WebAssembly SIMD, as every engine these tests run on does", () => {
  expect(simdSupported()).toBe(true);
});

describe.each(["F64", "F32"] as const)("matmul%s on the arena", (kind) => {
  it.each(shapes.flatMap((shape) => flags.map(([tA, tB]) => [shape, tA, tB] as const)))(
    "%j transA=%s transB=%s matches a naive loop and writes only its output",
    (shape, tA, tB) => {
      const [m, k, n] = shape;
      const memory = kernelMemory(1 << 20)!;
      const arena =
        kind === "F64" ? new Float64Array(memory.buffer) : new Float32Array(memory.buffer);
      // odd offsets: operands are aligned to their elements only, not to 16 bytes
      const a = 3;
      const b = a + m * k + 1;
      const out = b + k * n + 5;
      const random = seeded(m * 1000 + k * 10 + n);
      for (let i = 0; i < m * k; i++) arena[a + i] = random() * 2 - 1;
      for (let i = 0; i < k * n; i++) arena[b + i] = random() * 2 - 1;
      arena.fill(NaN, out - 5, out + m * n + 5);
      memory.kernels[`matmul${kind}`](a, b, out, m, k, n, Number(tA), Number(tB));
      const want = naive(arena.subarray(a, a + m * k), arena.subarray(b, b + k * n), shape, tA, tB);
      const got = arena.subarray(out, out + m * n);
      const tolerance = kind === "F64" ? 1e-13 * Math.max(k, 1) : 1e-6 * Math.max(k, 1);
      for (let i = 0; i < m * n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(tolerance);
      // the elements on either side of the output are untouched
      for (const at of [out - 5, out - 1, out + m * n, out + m * n + 4])
        expect(arena[at]).toBeNaN();
    },
  );
});

describe("the library against the generated JS loops, float64", () => {
  const products = [
    { name: "plain", a: [65, 129], b: [129, 33], attrs: {} },
    { name: "transA", a: [129, 65], b: [129, 33], attrs: { transA: true } },
    { name: "transB", a: [65, 129], b: [33, 129], attrs: { transB: true } },
    { name: "both", a: [129, 65], b: [33, 129], attrs: { transA: true, transB: true } },
    { name: "stacked batch", a: [3, 7, 5], b: [5, 9], attrs: {} },
    { name: "broadcast batch", a: [2, 1, 6, 3], b: [4, 3, 5], attrs: {} },
    {
      name: "broadcast batch, both",
      a: [2, 1, 3, 6],
      b: [4, 5, 3],
      attrs: { transA: true, transB: true },
    },
  ] as const;
  it.each(products)("$name: equal bit for bit", async ({ a, b, attrs }) => {
    const p = program("mm", (g) => {
      const x = g.input("x", a);
      const y = g.input("y", b);
      g.entry("run", { fetch: { z: g.matmul(x, y, attrs) } });
    });
    const auto = await compile(p);
    expect(auto.source).toContain("kernels.matmulF64(");
    const run = (mode: "js" | "wasm") => {
      setKernels(mode);
      const instance = auto.create();
      const random = seeded(7);
      const inputs = instance.inputs as Record<string, Float64Array>;
      for (const view of [inputs.x, inputs.y])
        for (let i = 0; i < view.length; i++) view[i] = random() - 0.5;
      return Float64Array.from(auto.entry(instance, "run")().z);
    };
    const js = run("js");
    const wasm = run("wasm");
    expect(wasm.length).toBe(js.length);
    // equal bit for bit: Object.is tells -0 from 0
    const differing = [...js].filter((value, i) => !Object.is(value, wasm[i])).length;
    expect(differing).toBe(0);
  });
});

describe("kernels option", () => {
  const p = program("mm", (g) => {
    const x = g.input("x", [3, 4]);
    const y = g.input("y", [4, 2]);
    g.entry("run", { fetch: { z: g.matmul(x, y) } });
  });
  it("wasm: the call alone, with the operands' arena offsets; js: the loops alone", async () => {
    const wasm = await compile(p, { kernels: "wasm" });
    expect(wasm.source).toContain('allocateKernelArena("f64", 26, "wasm")');
    expect(wasm.source).toContain("kernels.matmulF64(0, 12, 20, 3, 4, 2, 0, 0); // z = x * y");
    expect(wasm.source).not.toContain("for (");
    const js = await compile(p, { kernels: "js" });
    expect(js.source).toContain('allocateArena("f64", 26)');
    expect(js.source).not.toContain("kernels");
    for (const compiled of [wasm, js]) {
      const instance = compiled.create();
      (instance.inputs as Record<string, Float64Array>).x.set([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
      ]);
      (instance.inputs as Record<string, Float64Array>).y.set([1, 0, 0, 1, 1, 1, 2, -1]);
      // rows of x times y: [1+3+8, 2+3-4], [5+7+16, 6+7-8], [9+11+24, 10+11-12]
      expect(Array.from(compiled.entry(instance, "run")().z)).toEqual([12, 1, 28, 5, 44, 9]);
    }
  });
  it("auto: the arena of a library instance is a view of WebAssembly memory, a JS one otherwise", async () => {
    const auto = await compile(p);
    setKernels("wasm");
    expect(auto.create().arena.buffer.byteLength % 65536).toBe(0);
    setKernels("js");
    expect(auto.create().arena.buffer.byteLength).toBe(26 * 8);
  });
  it("rejects an unknown choice", async () => {
    await expect(compile(p, { kernels: "simd" as never })).rejects.toThrow(
      'kernels must be "wasm", "js" or "auto", got "simd"',
    );
  });
});

describe("an engine without WebAssembly", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });
  it("auto gives a plain arena and no library; wasm says why it cannot run", async () => {
    vi.stubGlobal("WebAssembly", undefined);
    vi.resetModules();
    // a fresh copy of the runtime, which looks WebAssembly up as it loads
    const core = await import("../../runtime/core.ts");
    expect(core.simdSupported()).toBe(false);
    const { arena, kernels } = core.allocateKernelArena("f64", 10, "auto");
    expect(kernels).toBeNull();
    expect(arena.buffer.byteLength).toBe(80);
    expect(() => core.allocateKernelArena("f32", 10, "wasm")).toThrow(
      new core.AdjointRuntimeError(
        'the matmul kernel library cannot run: this engine has no WebAssembly SIMD; generate with kernels "auto" or "js" to run the JS loops',
      ),
    );
  });
});

it("the committed bytes are what kernels/matmul.ts assembles to (npm run kernels)", async () => {
  expect(readFileSync(bytesFile, "utf8")).toBe(bytesSource(await assemble()));
});
