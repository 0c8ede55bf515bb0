// The checkpointed loop's figures: the RK4 pendulum of bench/graphs/rk4.graph.ts (1,000 steps),
// its compile time from process start (the CLI, median of runs), the carries its gradients tape
// (from the compile report) and the time of the √T-checkpointed gradient against the gradient
// that stores every carry (the two entries of one module, timed interleaved).
//   tsx bench/loops.ts [--no-write]     (after compiling bench/graphs into generated/bench)
// It writes its section into BENCHMARKS.md between its own markers.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { compileReport, generate } from "adjoint";
import rk4, { every, steps } from "./graphs/rk4.graph.ts";
import { formatMarkdown } from "./benchmarks-file.ts";
import { repositoryRoot } from "./children.ts";
import { createRk4 } from "../generated/bench/rk4.ts";
import { median, timeInterleaved, defaultTiming } from "./timing.ts";

const compileRuns = 5;
const begin =
  "<!-- bench-loops:begin: written by `tsx bench/loops.ts`; edit outside these markers -->";
const end = "<!-- bench-loops:end -->";

/** Wall and CPU time (user + system, which load affects less) of `adjoint compile` of the RK4
 * graph in a fresh process, in ms; bash's `time` reports the child's CPU time. */
function cliCompile(): { wallMs: number; cpuMs: number } {
  const out = mkdtempSync(path.join(os.tmpdir(), "adjoint-rk4-"));
  try {
    const command = `TIMEFORMAT='cpu %U %S'; time node compiler/cli/adjoint.mjs compile bench/graphs/rk4.graph.ts --out ${out} > /dev/null`;
    const start = performance.now();
    const child = spawnSync("bash", ["-c", command], { cwd: repositoryRoot, encoding: "utf8" });
    const wallMs = performance.now() - start;
    const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(child.stderr);
    if (child.status !== 0 || cpu === null)
      throw new Error(`adjoint compile failed: ${child.stderr}`);
    return { wallMs, cpuMs: (Number(cpu[1]) + Number(cpu[2])) * 1000 };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Carries taped by every loop of an entry, from the compile report. */
async function tapeCarries(): Promise<Record<string, number>> {
  const report = compileReport(await generate(rk4));
  return Object.fromEntries(
    report.entries.map((entry) => [
      entry.name,
      entry.loops.reduce((total, loop) => total + loop.tapeCarries, 0),
    ]),
  );
}

/** Seeded observations: a damped swing with a small wobble, so the misfit is not zero. */
function feed(instance: ReturnType<typeof createRk4>): void {
  const { inputs } = instance;
  inputs.w2[0] = 9;
  inputs.c[0] = 0.3;
  inputs.theta0[0] = 1;
  inputs.omega0[0] = 0;
  for (let t = 0; t < steps; t++) {
    const time = (t + 1) * 0.01;
    inputs.observed[t] =
      0.9 * Math.exp(-0.12 * time) * Math.cos(2.9 * time) + 0.01 * Math.sin(7 * t);
  }
}

const seconds = (ms: readonly number[]) => `${(median(ms) / 1000).toFixed(2)} s`;

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a.length === b.length && Array.from(a).every((value, i) => Object.is(value, b[i]));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "no-write": { type: "boolean", default: false } } });
  const load = os.loadavg()[0];
  const compiles = Array.from({ length: compileRuns }, cliCompile);
  const tapes = await tapeCarries();
  const instance = createRk4();
  feed(instance);
  const all = instance.gradAll();
  const stored = Object.values(all.grad).map((view) => Float64Array.from(view));
  const checkpointed = instance.gradCheckpointed();
  const identical = Object.values(checkpointed.grad).every((view, k) => sameBits(view, stored[k]));
  const [value, gradAll, gradCheckpointed] = timeInterleaved(
    [() => instance.value(), () => instance.gradAll(), () => instance.gradCheckpointed()],
    defaultTiming,
  );
  const sqrtT = Math.sqrt(steps);
  const ratio = gradCheckpointed.medianUs / gradAll.medianUs;
  const us = (x: number) => `${x.toFixed(1)} µs`;
  const section = [
    "## Loops: RK4 over 1,000 steps, checkpointed",
    "",
    `Run on ${new Date().toISOString().slice(0, 10)} with \`tsx bench/loops.ts\`, load average ` +
      `${load.toFixed(2)} when it started. \`bench/graphs/rk4.graph.ts\`: a damped pendulum ` +
      `integrated by RK4 over ${steps} steps, the misfit to ${steps} observations, its gradient ` +
      `with respect to w², c, θ0 and ω0, storing every carry (\`gradAll\`) and checkpointed every ` +
      `${every} ≈ √T steps (\`gradCheckpointed\`).`,
    "",
    "| figure | value | target |",
    "| --- | --- | --- |",
    `| compile, CLI from process start, wall (median of ${compileRuns}) | ${seconds(compiles.map((run) => run.wallMs))} | < 3 s |`,
    `| compile, CLI from process start, CPU user + sys (median) | ${seconds(compiles.map((run) => run.cpuMs))} | |`,
    `| tape carries, gradAll | ${tapes.gradAll} | |`,
    `| tape carries, gradCheckpointed | ${tapes.gradCheckpointed} | ≤ 3√T = ${Math.floor(3 * sqrtT)} |`,
    `| value (median) | ${us(value.medianUs)} | |`,
    `| gradAll (median) | ${us(gradAll.medianUs)} | |`,
    `| gradCheckpointed (median) | ${us(gradCheckpointed.medianUs)} | |`,
    `| gradCheckpointed / gradAll | ${ratio.toFixed(2)} | ≤ 2.5 |`,
    `| the two gradients bit for bit equal | ${identical ? "yes" : "NO"} | yes |`,
  ].join("\n");
  const file = path.join(repositoryRoot, "BENCHMARKS.md");
  const text = await formatMarkdown(section, file);
  console.log(text);
  if (!values["no-write"]) writeSection(file, text.trimEnd());
  if (!identical) process.exitCode = 1;
}

function writeSection(file: string, section: string): void {
  const block = `${begin}\n\n${section}\n\n${end}`;
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

await main();
