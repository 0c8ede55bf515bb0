// The targets, each judged met or missed with the figure it was judged on ("unknown" when the
// figure could not be measured, with the reason).
import { failed, type BenchResults } from "./results.ts";
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
  ["W4", 1.2],
];

export function judgeTargets(results: BenchResults): TargetRow[] {
  return [
    ...handwrittenLimits.map(([id, limit]) => withinHandwritten(results, id, limit)),
    fasterThan(results, "W4", "tfjs-cpu", "TF.js cpu", 4),
    fasterThan(results, "W3H", "jax-js", "jax-js", 10),
    ...["W3", "W4", "W5"].map((id) => cheapGradient(results, id)),
    heap(results),
    arena(results),
    firstGradient(results),
  ].filter((row): row is TargetRow => row !== undefined);
}

function medianUs(results: BenchResults, id: string, engine: EngineId): Figure {
  const workload = results.workloads.find((candidate) => candidate.id === id);
  const result = workload?.engines.find((candidate) => candidate.engine === engine);
  if (result === undefined) return { unknown: `${id} was not run` };
  if (result.status !== "timed") return { unknown: `${engine} ${result.status}: ${result.reason}` };
  if (!result.agreement.agrees) return { unknown: `${engine} disagrees with the reference` };
  return { value: result.timing.medianUs };
}

function ratio(top: Figure, bottom: Figure): Figure {
  if ("unknown" in top) return top;
  if ("unknown" in bottom) return bottom;
  return { value: top.value / bottom.value };
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
  const figure = ratio(medianUs(results, id, "adjoint"), medianUs(results, id, "handwritten"));
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
  const figure = ratio(medianUs(results, id, engine), medianUs(results, id, "adjoint"));
  return row(
    `${id} vs ${name}: Adjoint ≥ ${factor}× faster`,
    figure,
    (value) => value >= factor,
    (value) => `${name} / Adjoint = ${times(value)}`,
  );
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
