// The cheap-gradient ratio: time of value and gradient over time of the value alone, for Adjoint's
// generated entries and for the hand-written code (whose ratio is what careful code achieves),
// the two entries timed interleaved so that both see the same load.
import { firstLine } from "./measure.ts";
import { timeInterleaved, type TimingOptions } from "./timing.ts";
import type { Workload } from "./workloads/types.ts";

export type CheapGradientRow =
  | {
      readonly id: string;
      readonly engine: "adjoint" | "handwritten";
      readonly valueUs: number;
      readonly gradUs: number;
      readonly ratio: number;
    }
  | { readonly id: string; readonly engine: "adjoint" | "handwritten"; readonly error: string };

export async function measureCheapGradient(
  workloads: readonly Workload[],
  timing: TimingOptions,
  log: (line: string) => void,
): Promise<CheapGradientRow[]> {
  const rows: CheapGradientRow[] = [];
  for (const workload of workloads) {
    if (workload.valueOnly === undefined) continue;
    for (const engine of ["adjoint", "handwritten"] as const) {
      try {
        const value = workload.valueOnly[engine]().run;
        const grad = (await workload.adapters[engine]()).run;
        const [valueTiming, gradTiming] = timeInterleaved([value, grad], timing);
        const [valueUs, gradUs] = [valueTiming.medianUs, gradTiming.medianUs];
        rows.push({ id: workload.id, engine, valueUs, gradUs, ratio: gradUs / valueUs });
      } catch (error) {
        rows.push({ id: workload.id, engine, error: firstLine(error) });
      }
      const row = rows[rows.length - 1];
      log(
        `cheap gradient ${workload.id} ${engine}: ${"ratio" in row ? row.ratio.toFixed(2) : row.error}`,
      );
    }
  }
  return rows;
}
