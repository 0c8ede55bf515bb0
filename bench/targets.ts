// The targets, each judged met or missed with the figure it was judged on ("unknown" when the
// figure could not be measured, with the reason).
import { failed, type BenchResults } from "./results.ts";
import { ratioStats } from "./timing.ts";
import type { Timing } from "./timing.ts";
import type { EngineId } from "./workloads/types.ts";

export interface TargetRow {
  readonly target: string;
  readonly figure: string;
  readonly status: "met" | "missed" | "unknown";
}

type Figure = { readonly value: number } | { readonly unknown: string };

/** How many times the hand-written time Adjoint may take, per workload. */
const handwrittenLimits: readonly (readonly [string, number])[] = [
  ["W1", 1.5],
  ["W2", 1.5],
  ["W5", 1.5],
  ["W3", 1.25],
  ["W3H", 2],
  ["W4", 1.2],
];

/** How many times jax-js jit's (float32) time Adjoint may take. */
const jaxLimits: readonly (readonly [string, number])[] = [
  ["W4", 1],
  ["W4F32", 0.5],
  ["W4B256F32", 0.5],
];

/** MNIST training: 3× the 68 steps/s measured before the kernel library. */
const mnistStepsPerSecond = 3 * 68;

export function judgeTargets(results: BenchResults): TargetRow[] {
  return [
    ...handwrittenLimits.map(([id, limit]) => withinHandwritten(results, id, limit)),
    ...jaxLimits.map(([id, limit]) => withinJax(results, id, limit)),
    fasterThan(results, "W4", "tfjs-cpu", "TF.js cpu", 4),
    fasterThan(results, "W3H", "jax-js", "jax-js", 10),
    ...["W3", "W4", "W5"].map((id) => cheapGradient(results, id)),
    heap(results),
    arena(results),
    scratch(results),
    firstGradient(results),
    mnist(results),
    tensorCompile(results),
  ].filter((row): row is TargetRow => row !== undefined);
}

type TimingFigure = { readonly timing: Timing } | { readonly unknown: string };

function timingOf(results: BenchResults, id: string, engine: EngineId): TimingFigure {
  const workload = results.workloads.find((candidate) => candidate.id === id);
  const result = workload?.engines.find((candidate) => candidate.engine === engine);
  if (result === undefined) return { unknown: `${id} was not run` };
  if (result.status !== "timed") return { unknown: `${engine} ${result.status}: ${result.reason}` };
  if (!result.agreement.agrees) return { unknown: `${engine} disagrees with the reference` };
  return { timing: result.timing };
}

/** The median over rounds of top's time over bottom's in the same round. */
function ratio(results: BenchResults, id: string, top: EngineId, bottom: EngineId): Figure {
  const above = timingOf(results, id, top);
  const below = timingOf(results, id, bottom);
  if ("unknown" in above) return above;
  if ("unknown" in below) return below;
  return { value: ratioStats(above.timing, below.timing).median };
}

function row(
  target: string,
  figure: Figure,
  met: (value: number) => boolean,
  text: (value: number) => string,
): TargetRow {
  if ("unknown" in figure) return { target, figure: figure.unknown, status: "unknown" };
  return { target, figure: text(figure.value), status: met(figure.value) ? "met" : "missed" };
}

const times = (value: number) => `${value.toFixed(2)}×`;

function withinHandwritten(
  results: BenchResults,
  id: string,
  limit: number,
): TargetRow | undefined {
  if (!results.workloads.some((workload) => workload.id === id)) return undefined;
  const figure = ratio(results, id, "adjoint", "handwritten");
  return row(
    `${id}: Adjoint within ${limit}× of hand-written`,
    figure,
    (value) => value <= limit,
    (value) => `Adjoint / hand-written = ${times(value)}`,
  );
}

function fasterThan(
  results: BenchResults,
  id: string,
  engine: EngineId,
  name: string,
  factor: number,
): TargetRow | undefined {
  if (!results.workloads.some((workload) => workload.id === id)) return undefined;
  const figure = ratio(results, id, engine, "adjoint");
  return row(
    `${id} vs ${name}: Adjoint ≥ ${factor}× faster`,
    figure,
    (value) => value >= factor,
    (value) => `${name} / Adjoint = ${times(value)}`,
  );
}

function withinJax(results: BenchResults, id: string, limit: number): TargetRow | undefined {
  if (!results.workloads.some((workload) => workload.id === id)) return undefined;
  return row(
    `${id}: Adjoint at most ${limit}× jax-js jit's time`,
    ratio(results, id, "adjoint", "jax-js"),
    (value) => value <= limit,
    (value) => `Adjoint / jax-js = ${times(value)}`,
  );
}

function mnist(results: BenchResults): TargetRow | undefined {
  const { mnist } = results;
  if (mnist === undefined) return undefined;
  const target = `MNIST training: ≥ ${mnistStepsPerSecond} steps/s (3× 68)`;
  if (failed(mnist)) return { target, figure: mnist.error, status: "unknown" };
  return {
    target,
    figure: `${mnist.stepsPerSecond.toFixed(0)} steps/s, held-out accuracy ${(mnist.accuracy * 100).toFixed(1)}% after ${mnist.steps} steps`,
    status: mnist.stepsPerSecond >= mnistStepsPerSecond ? "met" : "missed",
  };
}

function tensorCompile(results: BenchResults): TargetRow | undefined {
  const rows = results.tensorCompileTime;
  if (rows === undefined) return undefined;
  const target = "tensor graph of 10^4 nodes: generate() < 3 s";
  const row = rows.find((candidate) => candidate.size === 1e4);
  if (row === undefined || row.status !== "done")
    return { target, figure: row === undefined ? "not run" : row.reason, status: "unknown" };
  return {
    target,
    figure: `${(row.generateMs / 1000).toFixed(2)} s for ${row.builtNodes.toLocaleString("en-US")} nodes`,
    status: row.generateMs < 3000 ? "met" : "missed",
  };
}

function cheapGradient(results: BenchResults, id: string): TargetRow | undefined {
  const found = results.cheapGradient?.find(
    (candidate) => candidate.id === id && candidate.engine === "adjoint",
  );
  if (found === undefined) return undefined;
  const figure: Figure = "ratio" in found ? { value: found.ratio } : { unknown: found.error };
  return row(
    `${id} cheap gradient: (value + gradient) / value ≤ 3 (Adjoint)`,
    figure,
    (value) => value <= 3,
    (value) => value.toFixed(2),
  );
}

function heap(results: BenchResults): TargetRow | undefined {
  const { heap } = results;
  if (heap === undefined) return undefined;
  const target = "W4 heap: zero growth over gradient steps";
  if (failed(heap)) return { target, figure: heap.error, status: "unknown" };
  // judged on the steady state (second half), per step: one-off costs of optimization come first
  const perStep = heap.secondHalfBytes / heap.secondHalfSteps;
  return {
    target,
    figure:
      `${signedBytes(heap.secondHalfBytes)} over the last ${heap.secondHalfSteps} of ${heap.steps} steps ` +
      `(${perStep.toFixed(1)} B/step); ${heap.allocatedPerStep.toFixed(1)} B/step allocated before collection`,
    status: perStep < 1 ? "met" : "missed",
  };
}

function arena(results: BenchResults): TargetRow | undefined {
  const { arena } = results;
  if (arena === undefined) return undefined;
  const target = "W4 arena: ≤ 60% of the bytes without reuse";
  if (failed(arena)) return { target, figure: arena.error, status: "unknown" };
  const share = arena.bytes / arena.unsharedBytes;
  return {
    target,
    figure: `${bytes(arena.bytes)} of ${bytes(arena.unsharedBytes)} = ${(share * 100).toFixed(0)}%`,
    status: share <= 0.6 ? "met" : "missed",
  };
}

function scratch(results: BenchResults): TargetRow | undefined {
  const { arena } = results;
  if (arena === undefined) return undefined;
  const target = "W4 scratch arena: ≤ 60% of its own bytes without reuse";
  if (failed(arena)) return { target, figure: arena.error, status: "unknown" };
  const share = arena.scratchBytes / arena.unsharedScratchBytes;
  return {
    target,
    figure: `${bytes(arena.scratchBytes)} of ${bytes(arena.unsharedScratchBytes)} = ${(share * 100).toFixed(0)}%`,
    status: share <= 0.6 ? "met" : "missed",
  };
}

function firstGradient(results: BenchResults): TargetRow | undefined {
  const { startup } = results;
  if (startup === undefined) return undefined;
  const target = "start-up: first gradient ≤ 5 ms (module load, instance, one gradient)";
  if (failed(startup)) return { target, figure: startup.error, status: "unknown" };
  return {
    target,
    figure: `${startup.loadAndFirstGradientMs.toFixed(2)} ms after Node's own ${startup.scriptStartMs.toFixed(1)} ms start-up`,
    status: startup.loadAndFirstGradientMs <= 5 ? "met" : "missed",
  };
}

export function bytes(count: number): string {
  return `${count.toLocaleString("en-US")} B`;
}

export function signedBytes(count: number): string {
  return `${count > 0 ? "+" : ""}${bytes(count)}`;
}
