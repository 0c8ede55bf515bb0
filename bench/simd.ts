// The matmul kernel library against the generated JS loops, interleaved in one process: GFLOP/s of
// single products (W4's two large ones and a square one), then W4's gradient in float64 and
// float32, each timed in rounds that alternate both paths; medians over rounds, load average.
//   tsx bench/simd.ts [--rounds 5]
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { compile, program, type Program } from "adjoint";
import w4 from "./graphs/w4_mlp.graph.ts";
import { mlpPoint } from "./inputs.ts";
import { timeInterleaved, type TimingOptions } from "./timing.ts";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" } } });
const rounds = Number(values.rounds);
const timing: TimingOptions = {
  sampleMs: 20,
  samples: 9,
  minSamples: 5,
  budgetMs: 600,
  warmupMs: 150,
  maxWarmupMs: 2000,
};

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The program compiled with the library alone and with the JS loops alone (the code before it). */
async function both(p: Program, dtype: "f64" | "f32") {
  const compiled = {
    wasm: await compile(p, { dtype, kernels: "wasm" }),
    js: await compile(p, { dtype, kernels: "js" }),
  };
  const instances = { wasm: compiled.wasm.create(), js: compiled.js.create() };
  const call = (path: "wasm" | "js", entry: string) => () =>
    void compiled[path].entry(instances[path], entry)();
  return { instances, call };
}

/** Rounds of interleaved timings of [js, wasm] calls: per-path median µs and median ratio. */
function compare(calls: readonly (() => void)[]) {
  const perRound = Array.from({ length: rounds }, () =>
    timeInterleaved(calls, timing).map((t) => t.medianUs),
  );
  return {
    us: calls.map((_, i) => median(perRound.map((round) => round[i]))),
    speedup: median(perRound.map((round) => round[0] / round[1])),
  };
}

const lines: string[] = [
  `load average before: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
];
const products: readonly {
  name: string;
  a: readonly number[];
  b: readonly number[];
  attrs: { transA?: boolean; transB?: boolean };
}[] = [
  { name: "x·W1 64×784·784×128", a: [64, 784], b: [784, 128], attrs: {} },
  { name: "xᵀ·Z̄ 784×64·64×128 (transA)", a: [64, 784], b: [64, 128], attrs: { transA: true } },
  { name: "Ȳ·W2ᵀ 64×10·10×128 (transB)", a: [64, 10], b: [128, 10], attrs: { transB: true } },
  { name: "256×256·256×256", a: [256, 256], b: [256, 256], attrs: {} },
] as const;
lines.push(
  "",
  "| product | dtype | JS loops GFLOP/s | library GFLOP/s | speed-up |",
  "|---|---|---:|---:|---:|",
);
for (const { name, a, b, attrs } of products) {
  for (const dtype of ["f64", "f32"] as const) {
    const p = program("mm", (g) => {
      const x = g.input("x", a);
      const y = g.input("y", b);
      g.entry("run", { fetch: { z: g.matmul(x, y, attrs) } });
    });
    const { instances, call } = await both(p, dtype);
    for (const instance of [instances.wasm, instances.js])
      for (const view of Object.values(instance.inputs as Record<string, Float64Array>))
        for (let i = 0; i < view.length; i++) view[i] = Math.sin(i);
    const m = attrs.transA ? a[1] : a[0];
    const k = attrs.transA ? a[0] : a[1];
    const n = attrs.transB ? b[0] : b[1];
    const flops = 2 * m * k * n;
    const { us, speedup } = compare([call("js", "run"), call("wasm", "run")]);
    const gflops = us.map((t) => (flops / (t * 1e3)).toFixed(1));
    lines.push(`| ${name} | ${dtype} | ${gflops[0]} | ${gflops[1]} | ${speedup.toFixed(2)}× |`);
  }
}

lines.push("", "| W4 grad | JS loops (µs) | library (µs) | speed-up |", "|---|---:|---:|---:|");
const point = mlpPoint();
for (const dtype of ["f64", "f32"] as const) {
  const { instances, call } = await both(w4, dtype);
  for (const instance of [instances.wasm, instances.js]) {
    const views = { ...instance.inputs, ...instance.params } as Record<string, Float64Array>;
    for (const key of ["x", "labels", "W1", "b1", "W2", "b2"] as const) views[key].set(point[key]);
  }
  const { us, speedup } = compare([call("js", "grad"), call("wasm", "grad")]);
  lines.push(`| ${dtype} | ${us[0].toFixed(0)} | ${us[1].toFixed(0)} | ${speedup.toFixed(2)}× |`);
}
lines.push(
  "",
  `load average after: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
console.log(lines.join("\n"));
