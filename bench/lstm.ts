// `tsx bench/lstm.ts`: the 1,024-step LSTM example (one scan) against the same model over 32 steps
// unrolled by the host (bench/graphs/lstm32_unrolled.graph.ts): CLI compile time from process
// start, module bytes, value and value+gradient times (interleaved runs, medians), the time per
// step of each, and heap growth over 10^4 gradient calls (a child with --expose-gc).
//   tsx bench/lstm.ts [--heap-calls N (0: none)] [--rounds N]
import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Rng } from "../runtime/random.ts";
import { createLstm } from "../generated/lstm.ts";
import { createLstm32Unrolled } from "../generated/bench/lstm32_unrolled.ts";

const root = path.resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    "heap-calls": { type: "string", default: "10000" },
    rounds: { type: "string", default: "15" },
  },
});

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A seeded character sequence over 12 symbols: tokens[t], and targets[t] = tokens[t + 1]. */
function sequence(length: number) {
  const rng = new Rng(7);
  const text = Array.from({ length: length + 1 }, () => rng.int(12));
  return { tokens: text.slice(0, length), targets: text.slice(1) };
}

/** Milliseconds per call of `fn`, timed over enough calls to last about `ms`. */
function timeCall(fn: () => unknown, ms = 60): number {
  let calls = 0;
  const start = performance.now();
  while (calls < 3 || performance.now() - start < ms) {
    fn();
    calls++;
  }
  return (performance.now() - start) / calls;
}

/** Wall and CPU (user + system) seconds of `adjoint compile` from process start, per run. */
function cliCompileSeconds(runs: number): { wall: number; cpu: number }[] {
  const out = mkdtempSync(path.join(os.tmpdir(), "adjoint-lstm-"));
  const cli = ["compiler/cli/adjoint.mjs", "compile", "examples/lstm.graph.ts", "--out", out];
  return Array.from({ length: runs }, () => {
    // GNU time reports the child's CPU time, which a loaded machine does not inflate as it does the wall time
    const child = spawnSync("/usr/bin/time", ["-f", "%e %U %S", process.execPath, ...cli], {
      cwd: root,
      encoding: "utf8",
    });
    if (child.status !== 0) throw new Error(`compile failed: ${child.stderr}`);
    const [wall, user, system] = child.stderr.trim().split("\n").pop()!.split(" ").map(Number);
    return { wall, cpu: user + system };
  });
}

function heapGrowth(calls: number): string {
  const child = spawnSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", "bench/children/lstm-heap.ts", String(calls)],
    { cwd: root, encoding: "utf8" },
  );
  if (child.status !== 0) throw new Error(`heap child failed: ${child.stderr}`);
  return child.stdout.trim();
}

function main(): void {
  const rounds = Number(values.rounds);
  const scanned = createLstm();
  const unrolled = createLstm32Unrolled();
  const long = sequence(1024);
  const short = sequence(32);
  scanned.inputs.tokens.set(long.tokens);
  scanned.inputs.targets.set(long.targets);
  unrolled.inputs.tokens.set(short.tokens);
  unrolled.inputs.targets.set(short.targets);
  const losses = {
    scanned: scanned.gradient().loss[0],
    scannedValue: scanned.objective().loss[0],
    unrolled: unrolled.gradient().loss[0],
  };
  const times = { value: [] as number[], gradient: [] as number[], u32: [] as number[] };
  const uValue: number[] = [];
  for (let round = 0; round < rounds; round++) {
    times.value.push(timeCall(() => scanned.objective()));
    times.gradient.push(timeCall(() => scanned.gradient()));
    times.u32.push(timeCall(() => unrolled.gradient()));
    uValue.push(timeCall(() => unrolled.objective()));
  }
  const value = median(times.value);
  const gradient = median(times.gradient);
  const ratios = times.gradient.map((g, k) => g / times.value[k]);
  const perStep = times.gradient.map((g, k) => g / 1024 / (times.u32[k] / 32));
  const perStepValue = times.value.map((v, k) => v / 1024 / (uValue[k] / 32));
  const compile = cliCompileSeconds(3);
  const lines = [
    `- command: \`tsx bench/lstm.ts\` (${rounds} interleaved rounds, medians; node ${process.version})`,
    `- losses: scanned value ${losses.scannedValue}, scanned gradient entry ${losses.scanned}, unrolled 32 ${losses.unrolled}`,
    `- CLI compile from process start (median of 3): wall ${median(compile.map((run) => run.wall)).toFixed(2)} s, CPU ${median(compile.map((run) => run.cpu)).toFixed(2)} s; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
    `- module bytes: generated/lstm.ts ${statSync(path.join(root, "generated/lstm.ts")).size}, generated/bench/lstm32_unrolled.ts ${statSync(path.join(root, "generated/bench/lstm32_unrolled.ts")).size}`,
    `- value (objective): ${value.toFixed(3)} ms; value+gradient (gradient): ${gradient.toFixed(3)} ms; ratio ${median(ratios).toFixed(2)}`,
    `- time per step, gradient: scanned ${((gradient / 1024) * 1000).toFixed(2)} µs, unrolled ${((median(times.u32) / 32) * 1000).toFixed(2)} µs; scanned / unrolled ${median(perStep).toFixed(2)}`,
    `- time per step, value: scanned ${((value / 1024) * 1000).toFixed(2)} µs, unrolled ${((median(uValue) / 32) * 1000).toFixed(2)} µs; scanned / unrolled ${median(perStepValue).toFixed(2)}`,
    ...(Number(values["heap-calls"]) > 0
      ? [
          `- heap over ${values["heap-calls"]} gradient calls: ${heapGrowth(Number(values["heap-calls"]))}`,
        ]
      : []),
  ];
  console.log(lines.join("\n"));
}

main();
