// The report as Markdown: printed on stdout and written into BENCHMARKS.md between markers.
import { bytes, judgeTargets, signedBytes } from "./targets.ts";
import { label } from "./compile-time.ts";
import { micros, millis, ratioText, table } from "./format.ts";
import { precision } from "./agreement.ts";
import type { EngineResult } from "./measure.ts";
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
        : `, ${ratioText(adjoint.timing.medianUs / hand.timing.medianUs)} the hand-written time`;
    const place =
      fastest.engine === "adjoint"
        ? "the fastest engine"
        : `${ratioText(adjoint.timing.medianUs / fastest.timing.medianUs)} the time of the fastest, ${engineNames[fastest.engine]} (${precision[fastest.engine]}, ${micros(fastest.timing.medianUs)} µs)`;
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
    const hand = workload.engines.find((result) => result.engine === "handwritten");
    const handUs = hand?.status === "timed" ? hand.timing.medianUs : undefined;
    return [
      `${workload.id}: ${workload.title}`,
      ...engineIds.map((engine) =>
        timeCell(
          workload.engines.find((result) => result.engine === engine),
          handUs,
          note,
        ),
      ),
    ];
  });
  const header = [
    "workload",
    ...engineIds.map((engine) => `${engineNames[engine]} (${precision[engine]})`),
  ];
  return [
    "### Value and full gradient: median µs per evaluation (× hand-written)",
    "",
    table(header, rows),
    "",
    ...notes.map((text, index) => `${index + 1}. ${text}`),
    ...(notes.length > 0 ? [""] : []),
    `Each engine computes the value and every gradient from inputs already in its memory and ends ` +
      `with every output in JS memory (TF.js and jax-js: \`dataSync()\`, which also forces jax-js's lazy ` +
      `evaluation). Timing: warm-up until three rounds in a row are no faster (${timing.warmupMs} ms to ` +
      `${timing.maxWarmupMs / 1000} s), batches of calls sized to take about ` +
      `${timing.sampleMs} ms, the median per call over up to ${timing.samples} batches ` +
      `(at least ${timing.minSamples}) within ${timing.budgetMs / 1000} s per engine, by \`performance.now()\`; ` +
      `a fresh timing loop per engine, so no engine inherits another's call-site feedback. Adjoint and ` +
      `the hand-written code are timed interleaved (a batch of each in turn), so that their ratio is ` +
      `taken under the same load. ✗ marks an ` +
      `engine that disagreed with the reference (below); its time is shown but not judged.`,
    "",
    spreadDetails(spreadRows(workloads)),
  ].join("\n");
}

function timeCell(
  result: EngineResult | undefined,
  handUs: number | undefined,
  note: (text: string) => number,
): string {
  if (result === undefined) return "not run";
  if (result.status !== "timed") return `${result.status} (${note(result.reason)})`;
  const us = result.timing.medianUs;
  const ratio = handUs === undefined ? "" : ` (${ratioText(us / handUs)})`;
  return `${micros(us)}${ratio}${result.agreement.agrees ? "" : " ✗"}`;
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
      "Adjoint (float64, like the reference) and 1e-3 for the float32 engines. Inputs are float32 " +
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

function compileTimeSection({ compileTime }: BenchResults): string {
  if (compileTime === undefined) return "";
  const rows = compileTime.map((row) =>
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
  return [
    "### Compile time of scalar graphs",
    "",
    "A seeded random scalar DAG of about half the size in forward nodes (add, mul, sub, sin, tanh, " +
      "scaling), then its gradient with respect to its 8 inputs. `generate()` runs end to end " +
      "(optimize, plan, emit, format); `optimize()` is then timed alone for the split. Each size runs " +
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
      rows,
    ),
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
