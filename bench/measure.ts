// One workload across every engine: prepare, check agreement with the hand-written reference,
// time, dispose. Every engine is timed interleaved with every other, one batch of each per round,
// so that the ratios the targets judge are taken round by round under the same load. An engine
// that cannot run the workload is reported with its reason.
import os from "node:os";
import { agreement, precision, type Agreement } from "./agreement.ts";
import { timeInterleaved, type Timing, type TimingOptions } from "./timing.ts";
import {
  engineIds,
  Unavailable,
  type EngineId,
  type Outputs,
  type Runner,
  type Workload,
} from "./workloads/types.ts";

export type EngineResult =
  | {
      readonly engine: EngineId;
      readonly status: "timed";
      readonly timing: Timing;
      readonly agreement: Agreement;
    }
  | {
      readonly engine: EngineId;
      readonly status: "unavailable" | "failed";
      readonly reason: string;
    };

export interface WorkloadResult {
  readonly id: string;
  readonly title: string;
  /** The float type of Adjoint's program. */
  readonly dtype?: "f64" | "f32";
  readonly engines: readonly EngineResult[];
  /** os.loadavg() over 1 minute before and after the workload was timed. */
  readonly loadAverage: readonly [number, number];
}

type Prepared =
  | { readonly engine: EngineId; readonly runner: Runner; readonly agreement: Agreement }
  | Extract<EngineResult, { status: "unavailable" | "failed" }>;

export async function measureWorkload(
  workload: Workload,
  timing: TimingOptions,
  log: (line: string) => void,
): Promise<WorkloadResult> {
  const results = new Map<EngineId, EngineResult>();
  const record = (result: EngineResult) => {
    log(`${workload.id} ${result.engine}: ${describeResult(result)}`);
    results.set(result.engine, result);
  };
  const loadBefore = os.loadavg()[0];
  const done = () => ({
    id: workload.id,
    title: workload.title,
    dtype: workload.dtype,
    engines: engineIds.map((engine) => results.get(engine)!),
    loadAverage: [loadBefore, os.loadavg()[0]] as const,
  });
  let reference: Outputs;
  try {
    reference = (await workload.adapters.handwritten()).outputs();
  } catch (error) {
    const reason = `no reference: the hand-written code failed: ${firstLine(error)}`;
    for (const engine of engineIds) record({ engine, status: "failed", reason });
    return done();
  }
  const prepared: Prepared[] = [];
  for (const engine of engineIds) prepared.push(await prepare(workload, engine, reference));
  timePrepared(prepared, timing).forEach(record);
  return done();
}

async function prepare(
  workload: Workload,
  engine: EngineId,
  reference: Outputs,
): Promise<Prepared> {
  try {
    const runner = await workload.adapters[engine]();
    try {
      runner.enter?.();
      const checked = agreement(precisionOf(workload, engine), runner.outputs(), reference);
      return { engine, runner, agreement: checked };
    } catch (error) {
      runner.dispose?.();
      throw error;
    }
  } catch (error) {
    if (error instanceof Unavailable)
      return { engine, status: "unavailable", reason: error.message };
    return { engine, status: "failed", reason: firstLine(error) };
  }
}

/** Times the prepared runners together (interleaved), then disposes them. */
function timePrepared(prepared: readonly Prepared[], timing: TimingOptions): EngineResult[] {
  const ready = prepared.filter((entry) => "runner" in entry);
  try {
    const timings = timeInterleaved(
      ready.map(({ runner }) => ({ call: runner.run, enter: runner.enter })),
      timing,
    );
    return prepared.map((entry) => {
      if (!("runner" in entry)) return entry;
      const timed = timings[ready.indexOf(entry)];
      return { engine: entry.engine, status: "timed", timing: timed, agreement: entry.agreement };
    });
  } catch (error) {
    const reason = `failed while timed: ${firstLine(error)}`;
    return prepared.map((entry) =>
      "runner" in entry ? { engine: entry.engine, status: "failed", reason } : entry,
    );
  } finally {
    for (const entry of ready) entry.runner.dispose?.();
  }
}

/** The float type an engine computes the workload in: Adjoint's is the program's. */
export function precisionOf(workload: Pick<Workload, "dtype">, engine: EngineId): "f64" | "f32" {
  return engine === "adjoint" ? (workload.dtype ?? "f64") : precision[engine];
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split("\n")[0];
}

function describeResult(result: EngineResult): string {
  if (result.status !== "timed") return `${result.status}: ${result.reason}`;
  const { timing, agreement } = result;
  const agrees = agreement.agrees ? "agrees" : `DISAGREES on ${agreement.worst}`;
  return `${timing.medianUs.toPrecision(4)} µs (${timing.samples}×${timing.batch} calls), error ${agreement.error.toExponential(1)} ${agrees}`;
}
