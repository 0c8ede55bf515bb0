// Arena bytes of W4 against the bytes the same values would take without slot reuse, from the
// compile report of the program compiled in process.
import { compileReport, generate } from "adjoint";
import mlp from "./graphs/w4_mlp.graph.ts";

export interface ArenaResult {
  readonly program: string;
  readonly bytes: number;
  readonly unsharedBytes: number;
  /** Inputs and params: bytes that no plan can share, included in both figures. */
  readonly leafBytes: number;
  /** The scratch part (neither input, param, output nor constant) and its no-reuse total. */
  readonly scratchBytes: number;
  readonly unsharedScratchBytes: number;
  readonly entries: readonly {
    readonly name: string;
    readonly bytes: number;
    readonly unsharedBytes: number;
  }[];
}

export async function measureArena(): Promise<ArenaResult | { error: string }> {
  try {
    const report = compileReport(await generate(mlp));
    const bytesPerValue = report.dtype === "f32" ? 4 : 8;
    const leafValues = mlp.leaves.reduce(
      (total, leaf) => total + leaf.shape.reduce((size, extent) => size * extent, 1),
      0,
    );
    return {
      program: report.program,
      bytes: report.arena.bytes,
      unsharedBytes: report.arena.unsharedBytes,
      leafBytes: leafValues * bytesPerValue,
      scratchBytes: report.scratch.bytes,
      unsharedScratchBytes: report.scratch.unsharedBytes,
      entries: report.entries.map((entry) => ({ name: entry.name, ...entry.arena })),
    };
  } catch (error) {
    return { error: String(error) };
  }
}
