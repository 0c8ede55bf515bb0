// Everything one benchmark run measured; a section left out on the command line is undefined.
import type { ArenaResult } from "./arena.ts";
import type { CheapGradientRow } from "./cheap-gradient.ts";
import type { CompileTimeRow } from "./compile-time.ts";
import type { HeapResult } from "./heap.ts";
import type { Machine } from "./machine.ts";
import type { WorkloadResult } from "./measure.ts";
import type { MnistResult } from "./mnist.ts";
import type { StartupResult } from "./startup.ts";
import type { TimingOptions } from "./timing.ts";

export type Failed = { readonly error: string };

export interface BenchResults {
  readonly machine: Machine;
  readonly command: string;
  readonly date: string;
  readonly timing: TimingOptions;
  readonly workloads: readonly WorkloadResult[];
  readonly cheapGradient?: readonly CheapGradientRow[];
  readonly heap?: HeapResult | Failed;
  readonly arena?: ArenaResult | Failed;
  readonly startup?: StartupResult | Failed;
  readonly compileTime?: readonly CompileTimeRow[];
  readonly tensorCompileTime?: readonly CompileTimeRow[];
  readonly mnist?: MnistResult | Failed;
  /** Wall time of the run, in s. */
  readonly seconds: number;
}

export function failed<T extends object>(value: T | Failed | undefined): value is Failed {
  return value !== undefined && "error" in value;
}
