// The report as Markdown: printed on stdout and written into BENCHMARKS.md between markers.
import { bytes, judgeTargets, signedBytes } from "./targets.ts";
import { fitExponent, label, type CompileTimeRow } from "./compile-time.ts";
import { micros, millis, ratioText, table } from "./format.ts";
import { precisionOf, type EngineResult, type WorkloadResult } from "./measure.ts";
import { ratioStats, type Timing } from "./timing.ts";
import { failed, type BenchResults } from "./results.ts";
import { engineIds, type EngineId } from "./workloads/types.ts";

const engineNames: { readonly [E in EngineId]: string } = {
  adjoint: "Adjoint",
  handwritten: "hand-written",
  "tfjs-cpu": "TF.js cpu",
  "tfjs-wasm": "TF.js wasm",
  "jax-js": "jax-js wasm",
};

export function renderReport(results: BenchResults): string {
  return [
    machineSection(results),
    summarySection(results),
    timeSection(results),
    agreementSection(results),
    cheapGradientSection(results),
    memorySection(results),
    startupSection(results),
    mnistSection(results),
    compileTimeSection(results),
    targetSection(results),
  ]
    .filter((section) => section !== "")
    .join("\n\n");
}

function machineSection({ machine, command, date, seconds }: BenchResults): string {
  const versions = Object.entries(machine.versions).map(([name, version]) => `${name} ${version}`);
  return [
    `Run on ${date} with \`${command}\` (${Math.round(seconds)} s).`,
    "",
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}; ` +
      `load average ${machine.loadAverage.toFixed(2)} when the run started.`,
    `- Node ${machine.node}; ${versions.join(", ")}.`,
    `- TF.js wasm backend: ${machine.tfjsWasm}. jax-js: wasm device, one thread (Node has no Web Workers).`,
  ].join("\n");
}

/** Per workload: where Adjoint stands against the hand-written code and the fastest engine. */
function summarySection(results: BenchResults): string {
  const targets = judgeTargets(results);
  const met = targets.filter((row) => row.status === "met").length;
  const missed = targets
    .filter((row) => row.status === "missed")
    .map((row) => row.target.split(":")[0]);
  const lines = results.workloads.map((workload) => {
    const timed = workload.engines.filter(
      (result): result is Extract<EngineResult, { status: "timed" }> =>
        result.status === "timed" && result.agreement.agrees,
    );
    const adjoint = timed.find((result) => result.engine === "adjoint");
    const hand = timed.find((result) => result.engine === "handwritten");
    if (adjoint === undefined) return `- ${workload.id}: Adjoint did not produce a checked result.`;
    const fastest = timed.reduce((best, result) =>
      result.timing.medianUs < best.timing.medianUs ? result : best,
    );
    const againstHand =
      hand === undefined
        ? ""
        : `, ${ratioText(ratioStats(adjoint.timing, hand.timing).median)} the hand-written time`;
    const place =
      fastest.engine === "adjoint"
        ? "the fastest engine"
        : `${ratioText(ratioStats(adjoint.timing, fastest.timing).median)} the time of the fastest, ${engineNames[fastest.engine]} (${precisionOf(workload, fastest.engine)}, ${micros(fastest.timing.medianUs)} µs)`;
    return `- ${workload.id}: Adjoint ${micros(adjoint.timing.medianUs)} µs${againstHand}; ${place}.`;
  });
  return [
    "### Summary",
    "",
    `${met} of ${targets.length} targets met${missed.length > 0 ? `; missed: ${[...new Set(missed)].join(", ")}` : ""} (details at the end).`,
    "",
    ...lines,
  ].join("\n");
}

function timeSection({ workloads, timing }: BenchResults): string {
  const notes: string[] = [];
  const note = (text: string) => {
    const index = notes.indexOf(text);
    if (index >= 0) return index + 1;
    notes.push(text);
    return notes.length;
  };
  const rows = workloads.map((workload) => {
    const hand = timedResult(workload, "handwritten");
    return [
      `${workload.id}: ${workload.title}`,
      loadText(workload.loadAverage),
      ...engineIds.map((engine) =>
        timeCell(
          workload.engines.find((result) => result.engine === engine),
          hand?.timing,
          note,
        ),
      ),
    ];
  });
  const header = ["workload", "load", ...engineIds.map((engine) => engineNames[engine])];
  return [
    "### Value and full gradient: median µs per evaluation (× hand-written, per round: median [IQR])",
    "",
    "Adjoint computes in the program's float type (f64 unless the title says f32), the " +
      "hand-written code in f64, TF.js and jax-js in f32.",
    "",
    table(header, rows),
    "",
    ...notes.map((text, index) => `${index + 1}. ${text}`),
    ...(notes.length > 0 ? [""] : []),
    `Each engine computes the value and every gradient from inputs already in its memory and ends ` +
      `with every output in JS memory (TF.js and jax-js: \`dataSync()\`, which also forces jax-js's lazy ` +
      `evaluation). Timing: each engine warms up until three rounds in a row are no faster ` +
      `(${timing.warmupMs} ms to ${timing.maxWarmupMs / 1000} s) and gets a batch size of about ` +
      `${timing.sampleMs} ms; then rounds, each one batch of every engine in turn, up to ${timing.samples} ` +
      `(at least ${timing.minSamples}) within ${timing.budgetMs / 1000} s per engine, by \`performance.now()\`; ` +
      `a fresh timing loop per engine, so no engine inherits another's call-site feedback. A ratio is taken ` +
      `round by round (both engines' batches of the same round) and the table gives the median of those ` +
      `ratios with their interquartile range; "load" is the 1-minute load average before and after the ` +
      `workload. ✗ marks an engine that disagreed with the reference (below); its time is shown but not judged.`,
    "",
    ratioSection(workloads),
    "",
    spreadDetails(spreadRows(workloads)),
  ].join("\n");
}

function timedResult(workload: WorkloadResult, engine: EngineId) {
  const result = workload.engines.find((candidate) => candidate.engine === engine);
  return result?.status === "timed" ? result : undefined;
}

function loadText([before, after]: readonly [number, number]): string {
  return `${before.toFixed(1)}–${after.toFixed(1)}`;
}

/** A per-round ratio: median [first–third quartile]. */
function ratioRange(top: Timing, bottom: Timing): string {
  const { median, q1, q3 } = ratioStats(top, bottom);
  return `${ratioText(median)} [${ratioText(q1)}–${ratioText(q3)}]`;
}

function timeCell(
  result: EngineResult | undefined,
  hand: Timing | undefined,
  note: (text: string) => number,
): string {
  if (result === undefined) return "not run";
  if (result.status !== "timed") return `${result.status} (${note(result.reason)})`;
  const us = result.timing.medianUs;
  const ratio =
    hand === undefined || result.engine === "handwritten"
      ? ""
      : ` (${ratioRange(result.timing, hand)})`;
  return `${micros(us)}${ratio}${result.agreement.agrees ? "" : " ✗"}`;
}

/** Adjoint's time over every other engine's, round by round. */
function ratioSection(workloads: readonly WorkloadResult[]): string {
  const others = engineIds.filter((engine) => engine !== "adjoint");
  const rows = workloads.map((workload) => {
    const adjoint = timedResult(workload, "adjoint");
    return [
      workload.id,
      loadText(workload.loadAverage),
      ...others.map((engine) => {
        const other = timedResult(workload, engine);
        return adjoint === undefined || other === undefined
          ? "–"
          : ratioRange(adjoint.timing, other.timing);
      }),
    ];
  });
  return [
    "Adjoint's time over each engine's (below 1: Adjoint is faster), per-round ratios: median [IQR].",
    "",
    table(["workload", "load", ...others.map((engine) => `÷ ${engineNames[engine]}`)], rows),
  ].join("\n");
}

function spreadRows(workloads: BenchResults["workloads"]): string[][] {
  return workloads.map((workload) => [
    workload.id,
    ...engineIds.map((engine) => {
      const result = workload.engines.find((candidate) => candidate.engine === engine);
      if (result?.status !== "timed") return "";
      const { minUs, maxUs, samples, batch } = result.timing;
      return `${micros(minUs)}–${micros(maxUs)} (${samples}×${batch})`;
    }),
  ]);
}

function spreadDetails(rows: string[][]): string {
  return [
    "<details><summary>Spread: fastest–slowest sample, µs per call (samples × calls per sample)</summary>",
    "",
    table(["workload", ...engineIds.map((engine) => engineNames[engine])], rows),
    "",
    "</details>",
  ].join("\n");
}

function agreementSection({ workloads }: BenchResults): string {
  const engines = engineIds.filter((engine) => engine !== "handwritten");
  const rows = workloads.map((workload) => [
    workload.id,
    ...engines.map((engine) => {
      const result = workload.engines.find((candidate) => candidate.engine === engine);
      if (result?.status !== "timed") return "–";
      const { error, agrees, worst } = result.agreement;
      return `${error.toExponential(1)} ${agrees ? "✓" : `✗ (${worst})`}`;
    }),
  ]);
  return [
    "### Agreement with the hand-written reference, checked before timing",
    "",
    "Largest normwise relative error over the outputs, max |a − b| / max |b|. Tolerance 1e-12 for " +
      "Adjoint's float64 programs (float64, like the reference), 1e-3 for its float32 ones and for the " +
      "float32 engines. Inputs are float32 " +
      "numbers, so every engine starts from exactly the same values.",
    "",
    table(["workload", ...engines.map((engine) => engineNames[engine])], rows),
  ].join("\n");
}

function cheapGradientSection({ cheapGradient }: BenchResults): string {
  if (cheapGradient === undefined) return "";
  const rows = cheapGradient.map((row) =>
    "ratio" in row
      ? [
          row.id,
          engineNames[row.engine],
          micros(row.valueUs),
          micros(row.gradUs),
          row.ratio.toFixed(2),
        ]
      : [row.id, engineNames[row.engine], "–", "–", `failed: ${row.error}`],
  );
  return [
    "### Cheap-gradient ratio: (value + gradient) / value alone",
    "",
    "Each program has a `value` entry and a `grad` entry, timed interleaved; the hand-written " +
      "code's ratio is what careful code achieves on the same function.",
    "",
    table(["workload", "engine", "value µs", "value + gradient µs", "ratio"], rows),
  ].join("\n");
}

function memorySection({ heap, arena }: BenchResults): string {
  if (heap === undefined && arena === undefined) return "";
  const lines = ["### Memory", ""];
  if (heap !== undefined) {
    lines.push(
      failed(heap)
        ? `- Heap: not measured: ${heap.error}`
        : `- Heap over ${heap.steps.toLocaleString("en-US")} W4 gradient steps of Adjoint's code ` +
            `(${heap.steps < heap.maxSteps ? `capped from ${heap.maxSteps.toLocaleString("en-US")} by the time budget, ` : ""}` +
            `${heap.seconds.toFixed(1)} s, child process with \`--expose-gc\`), heapUsed after full collections: ` +
            `${signedBytes(heap.firstHalfBytes)} over the first half (one-off costs such as optimized code), ` +
            `${signedBytes(heap.secondHalfBytes)} over the second; the second half, run without collections, ` +
            `gained ${heap.allocatedPerStep.toFixed(1)} B of heapUsed per step (what a call allocates, plus the runtime's own noise).`,
    );
  }
  if (arena !== undefined) {
    lines.push(
      failed(arena)
        ? `- Arena: not measured: ${arena.error}`
        : `- Arena of ${arena.program} (all entries): ${bytes(arena.bytes)} against ${bytes(arena.unsharedBytes)} ` +
            `without reuse (${percent(arena.bytes, arena.unsharedBytes)}); inputs and params are ${bytes(arena.leafBytes)} ` +
            `of both, so the values the plan can share take ${bytes(arena.bytes - arena.leafBytes)} against ` +
            `${bytes(arena.unsharedBytes - arena.leafBytes)} (${percent(arena.bytes - arena.leafBytes, arena.unsharedBytes - arena.leafBytes)}). ` +
            `The scratch part alone (what is neither input, param, output nor constant) takes ` +
            `${bytes(arena.scratchBytes)} against ${bytes(arena.unsharedScratchBytes)} with a buffer per value ` +
            `(${percent(arena.scratchBytes, arena.unsharedScratchBytes)}). ` +
            `Per entry: ${arena.entries.map((entry) => `${entry.name} ${bytes(entry.bytes)} of ${bytes(entry.unsharedBytes)}`).join(", ")}.`,
    );
  }
  return lines.join("\n");
}

function percent(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(0)}%`;
}

function startupSection({ startup }: BenchResults): string {
  if (startup === undefined) return "";
  const body = failed(startup)
    ? `Not measured: ${startup.error}`
    : `\`${startup.module}\` and the runtime transpiled to JavaScript, run by plain \`node\` ` +
      `(median of ${startup.spawns} fresh processes): the script starts ${startup.scriptStartMs.toFixed(1)} ms ` +
      `after process start (Node's own start-up); importing the runtime and the module, creating an ` +
      `instance and taking the first gradient take ${startup.loadAndFirstGradientMs.toFixed(2)} ms more, ` +
      `so the first gradient is ready ${startup.firstGradientMs.toFixed(1)} ms after process start. ` +
      `Importing two empty files, one importing the other, takes ${startup.emptyImportMs.toFixed(2)} ms ` +
      `(Node's floor for a module and its runtime); importing the runtime by package name ` +
      `(\`adjoint/runtime/core\`, which Node looks up in node_modules) instead of by file path, ` +
      `as a bundle or a relative import would, takes ${startup.byPackageNameMs.toFixed(2)} ms.`;
  return ["### Time to the first gradient", "", body].join("\n");
}

function mnistSection({ mnist }: BenchResults): string {
  if (mnist === undefined) return "";
  const body = failed(mnist)
    ? `Not measured: ${mnist.error}`
    : `\`npm run example:mnist\` with its defaults (momentum, 784 → 128 relu → 10, batch 64), in the ` +
      `bench's process: ${mnist.steps.toLocaleString("en-US")} steps in ${mnist.trainSeconds.toFixed(1)} s of ` +
      `training, **${mnist.stepsPerSecond.toFixed(0)} steps/s**; held-out accuracy ` +
      `${(mnist.accuracy * 100).toFixed(1)}%, loss ${mnist.loss.toFixed(4)}; load ${loadText(mnist.loadAverage)}.`;
  return ["### MNIST training throughput", "", body].join("\n");
}

function compileTimeSection({ compileTime, tensorCompileTime }: BenchResults): string {
  const sections: string[] = [];
  if (compileTime !== undefined) {
    sections.push(
      compileTable(
        "### Compile time of scalar graphs",
        "A seeded random scalar DAG of about half the size in forward nodes (add, mul, sub, sin, tanh, " +
          "scaling), then its gradient with respect to its 8 inputs.",
        compileTime,
      ),
    );
  }
  if (tensorCompileTime !== undefined) {
    sections.push(
      compileTable(
        "### Compile time of tensor graphs",
        "A seeded random DAG of vectors of 8 (`bench/tensor-dag.ts`: add, mul, tanh, sigmoid, " +
          "matrix-vector products with 4 weight matrices, slice and concat, a broadcast sum, " +
          "scaling), about half the size in forward nodes, then its gradient with respect to the " +
          "input and the 4 matrices: the shape of an unrolled recurrent network.",
        tensorCompileTime,
      ),
    );
  }
  return sections.join("\n\n");
}

function compileTable(title: string, graph: string, rows: readonly CompileTimeRow[]): string {
  const cells = rows.map((row) =>
    row.status === "done"
      ? [
          label(row.size),
          row.builtNodes.toLocaleString("en-US"),
          row.optimizedNodes.toLocaleString("en-US"),
          millis(row.buildMs),
          millis(row.generateMs),
          row.optimizeMs === undefined ? "–" : millis(row.optimizeMs),
          `${row.functions.toLocaleString("en-US")}, ${row.longestFunctionLines} lines`,
        ]
      : [label(row.size), `${row.status}: ${row.reason}`, "", "", "", "", ""],
  );
  const exponent = fitExponent(rows);
  return [
    title,
    "",
    `${graph} \`generate()\` runs end to end (optimize, plan, emit, format; the first call also ` +
      "loads the formatter); `optimize()` is then timed alone for the split. Each size runs " +
      "in a child process with a time limit; a size is skipped when the previous one was too slow. " +
      "The last column counts the module's functions (entries and the parts a long entry is split " +
      "into, 500 lines each at most, well below V8's optimisation limit) and gives the longest.",
    "",
    table(
      [
        "size",
        "nodes built",
        "nodes optimized",
        "build (DSL + grad)",
        "generate()",
        "of which optimize()",
        "functions, longest",
      ],
      cells,
    ),
    "",
    exponent === undefined
      ? "Too few sizes finished for a log-log fit."
      : `Log-log fit of generate() time against nodes built: time ∝ nodes^${exponent.toFixed(2)} (1 is linear).`,
  ].join("\n");
}

function targetSection(results: BenchResults): string {
  const rows = judgeTargets(results).map((row) => [
    row.target,
    row.figure,
    row.status === "met" ? "met" : row.status === "missed" ? "**missed**" : "unknown",
  ]);
  return ["### Targets", "", table(["target", "figure", "status"], rows)].join("\n");
}
