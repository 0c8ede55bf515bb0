// `npm run bench`: compiles bench/graphs (in package.json), then measures every workload on every
// engine, the cheap-gradient ratio, heap growth, the arena, the time to the first gradient and
// compile times; prints the report and writes it into BENCHMARKS.md.
//   tsx bench/run.ts [--only W1,W4] [--skip cheap,heap,arena,startup,compile,mnist] [--no-write]
// --only and --skip imply --no-write, so BENCHMARKS.md always holds a whole run.
import path from "node:path";
import { parseArgs } from "node:util";
import { measureArena } from "./arena.ts";
import { formatMarkdown, writeBenchmarks } from "./benchmarks-file.ts";
import { measureCheapGradient } from "./cheap-gradient.ts";
import { repositoryRoot } from "./children.ts";
import { defaultCompileBudget, measureCompileTimes } from "./compile-time.ts";
import { measureHeap } from "./heap.ts";
import { describeMachine } from "./machine.ts";
import { measureWorkload, type WorkloadResult } from "./measure.ts";
import { measureMnist } from "./mnist.ts";
import { renderReport } from "./report.ts";
import type { BenchResults } from "./results.ts";
import { measureStartup } from "./startup.ts";
import { defaultTiming } from "./timing.ts";
import { workloads } from "./workloads/index.ts";

const sections = ["cheap", "heap", "arena", "startup", "compile", "mnist"] as const;
type Section = (typeof sections)[number];

const heapSteps = 10_000;
// 10^4 W4 steps take about 170 s here; the budget lets all of them run
const heapBudgetMs = 210_000;
const startupSpawns = 11;

function parseOptions(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: "string" },
      skip: { type: "string" },
      "no-write": { type: "boolean", default: false },
    },
  });
  const only = values.only?.split(",").map((id) => id.trim().toUpperCase());
  const skip = new Set(values.skip?.split(",").map((name) => name.trim()) ?? []);
  for (const name of skip) {
    if (!sections.includes(name as Section))
      throw new Error(`--skip: unknown section "${name}" (sections: ${sections.join(", ")})`);
  }
  const selected = workloads.filter((workload) => only === undefined || only.includes(workload.id));
  if (only !== undefined && selected.length !== only.length) {
    throw new Error(
      `--only: unknown workload in ${values.only} (workloads: ${workloads.map((w) => w.id).join(", ")})`,
    );
  }
  const write = !values["no-write"] && only === undefined && skip.size === 0;
  return { selected, runs: (section: Section) => !skip.has(section), write };
}

function log(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

function command(argv: readonly string[]): string {
  if (process.env.npm_lifecycle_event === "bench") return "npm run bench";
  return ["tsx bench/run.ts", ...argv].join(" ");
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  const start = performance.now();
  log("machine and engine versions");
  const machine = await describeMachine();
  const measured: WorkloadResult[] = [];
  for (const workload of options.selected)
    measured.push(await measureWorkload(workload, defaultTiming, log));
  const cheapTiming = { ...defaultTiming, budgetMs: 1500 };
  const cheapGradient = options.runs("cheap")
    ? await measureCheapGradient(options.selected, cheapTiming, log)
    : undefined;
  if (options.runs("heap"))
    log(`heap over up to ${heapSteps} W4 steps (budget ${heapBudgetMs / 1000} s)`);
  const heap = options.runs("heap") ? measureHeap(heapSteps, heapBudgetMs) : undefined;
  if (options.runs("arena")) log("arena of W4 (generate in process)");
  const arena = options.runs("arena") ? await measureArena() : undefined;
  if (options.runs("startup")) log(`first gradient in ${startupSpawns} fresh processes`);
  const startup = options.runs("startup") ? measureStartup(startupSpawns) : undefined;
  if (options.runs("mnist")) log("MNIST training, the example's defaults");
  const mnist = options.runs("mnist") ? await measureMnist() : undefined;
  const compileTime = options.runs("compile")
    ? measureCompileTimes(defaultCompileBudget, log)
    : undefined;
  const tensorCompileTime = options.runs("compile")
    ? measureCompileTimes(defaultCompileBudget, log, "tensor")
    : undefined;
  const results: BenchResults = {
    machine,
    command: command(argv),
    date: new Date().toISOString().slice(0, 10),
    timing: defaultTiming,
    workloads: measured,
    cheapGradient,
    heap,
    arena,
    startup,
    compileTime,
    tensorCompileTime,
    mnist,
    seconds: (performance.now() - start) / 1000,
  };
  const file = path.join(repositoryRoot, "BENCHMARKS.md");
  const report = renderReport(results);
  console.log(await formatMarkdown(report, file));
  if (options.write) {
    await writeBenchmarks(file, report);
    log(`wrote ${path.relative(process.cwd(), file) || file}`);
  }
  return adjointIsWrong(measured) ? 1 : 0;
}

/** Adjoint failing or disagreeing with the hand-written code is a bug, not a slow result. */
function adjointIsWrong(measured: readonly WorkloadResult[]): boolean {
  return measured.some((workload) =>
    workload.engines.some(
      (result) =>
        (result.engine === "adjoint" || result.engine === "handwritten") &&
        (result.status !== "timed" || !result.agreement.agrees),
    ),
  );
}

// tfjs and jax-js may keep handles open; the report is complete, so exit explicitly
process.exit(await main());
