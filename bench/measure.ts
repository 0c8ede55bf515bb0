// One workload across every engine: prepare, check agreement with the hand-written reference,
// time, dispose. Adjoint and the hand-written code are timed interleaved (their ratio is what the
// targets judge); the other engines one after the other. An engine that cannot run the workload
// is reported with its reason.
import { agreement, type Agreement } from "./agreement.ts";
import { timeCalls, timeInterleaved, type Timing, type TimingOptions } from "./timing.ts";
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
  readonly engines: readonly EngineResult[];
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
  let reference: Outputs;
  try {
    reference = (await workload.adapters.handwritten()).outputs();
  } catch (error) {
    const reason = `no reference: the hand-written code failed: ${firstLine(error)}`;
    for (const engine of engineIds) record({ engine, status: "failed", reason });
    return { id: workload.id, title: workload.title, engines: [...results.values()] };
  }
  const pair = [
    await prepare(workload, "adjoint", reference),
    await prepare(workload, "handwritten", reference),
  ];
  timePrepared(pair, timing).forEach(record);
  for (const engine of engineIds.filter((id) => id !== "adjoint" && id !== "handwritten")) {
    timePrepared([await prepare(workload, engine, reference)], timing).forEach(record);
  }
  const engines = engineIds.map((engine) => results.get(engine)!);
  return { id: workload.id, title: workload.title, engines };
}

async function prepare(
  workload: Workload,
  engine: EngineId,
  reference: Outputs,
): Promise<Prepared> {
  try {
    const runner = await workload.adapters[engine]();
    try {
      return { engine, runner, agreement: agreement(engine, runner.outputs(), reference) };
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
    const timings =
      ready.length === 1
        ? [timeCalls(ready[0].runner.run, timing)]
        : timeInterleaved(
            ready.map((entry) => entry.runner.run),
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
