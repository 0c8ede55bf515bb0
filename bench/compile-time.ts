// Compile time of scalar and of tensor graphs of growing size, each in a child process with a time
// limit, and the exponent of a log-log fit of generate() time against the nodes built. A size
// is skipped when the one before took too long, or when the growth seen so far predicts it would
// not fit in the time left, so the benchmark never hangs on a slow compiler.
import { runChild } from "./children.ts";

export interface CompileBudget {
  /** Total nodes wanted (forward about half of them, the gradient the rest). */
  readonly sizes: readonly number[];
  /** Wall time for the whole section, child start-up included. */
  readonly totalMs: number;
  /** A size whose generate() took longer than this stops the larger ones. */
  readonly stopAfterMs: number;
}

export const defaultCompileBudget: CompileBudget = {
  sizes: [1e3, 1e4, 1e5],
  totalMs: 150_000,
  stopAfterMs: 60_000,
};

export type CompileTimeRow =
  | {
      readonly size: number;
      readonly status: "done";
      readonly builtNodes: number;
      readonly optimizedNodes: number;
      readonly buildMs: number;
      readonly generateMs: number;
      /** optimize() alone; undefined when the child ran out of time before it. */
      readonly optimizeMs?: number;
      /** Functions in the module (entries and the parts they are split into), and the longest. */
      readonly functions: number;
      readonly longestFunctionLines: number;
    }
  | { readonly size: number; readonly status: "skipped" | "failed"; readonly reason: string };

export type GraphKind = "scalar" | "tensor";

export function measureCompileTimes(
  budget: CompileBudget,
  log: (line: string) => void,
  kind: GraphKind = "scalar",
): CompileTimeRow[] {
  const start = performance.now();
  const rows: CompileTimeRow[] = [];
  const done: { size: number; generateMs: number }[] = [];
  for (const size of budget.sizes) {
    const left = budget.totalMs - (performance.now() - start);
    const skip = skipReason(done, size, left, budget);
    const row: CompileTimeRow =
      skip === undefined
        ? compileSize(size, left, kind)
        : { size, status: "skipped", reason: skip };
    log(`compile ${kind} ${size} nodes: ${describe(row)}`);
    rows.push(row);
    if (row.status !== "done") break;
    done.push({ size, generateMs: row.generateMs });
  }
  // sizes after a stop are reported as skipped too, not left out
  for (const size of budget.sizes.slice(rows.length)) {
    rows.push({
      size,
      status: "skipped",
      reason: `not attempted after ${label(rows[rows.length - 1].size)}`,
    });
  }
  return rows;
}

function skipReason(
  done: readonly { size: number; generateMs: number }[],
  size: number,
  leftMs: number,
  budget: CompileBudget,
): string | undefined {
  const last = done.at(-1);
  if (last === undefined) return leftMs <= 0 ? "no time left" : undefined;
  if (last.generateMs > budget.stopAfterMs) {
    return `${label(last.size)} took ${seconds(last.generateMs)} (> ${seconds(budget.stopAfterMs)})`;
  }
  const predicted = predictMs(done, size);
  if (predicted > leftMs) {
    return `predicted ~${seconds(predicted)} from the smaller sizes, ${seconds(Math.max(0, leftMs))} left in the budget`;
  }
  return undefined;
}

/** Extrapolates with the exponent of the last two sizes (at least linear). */
function predictMs(done: readonly { size: number; generateMs: number }[], size: number): number {
  const last = done[done.length - 1];
  const before = done[done.length - 2];
  const exponent =
    before === undefined
      ? 1
      : Math.max(
          1,
          Math.log(last.generateMs / before.generateMs) / Math.log(last.size / before.size),
        );
  return last.generateMs * (size / last.size) ** exponent;
}

function compileSize(size: number, timeoutMs: number, kind: GraphKind): CompileTimeRow {
  const child = runChild("bench/children/compile-size.ts", [String(Math.round(size / 2)), kind], {
    timeoutMs,
  });
  const figures = (child.ok ? child.json : (child.lines.at(-1) ?? {})) as Record<string, number>;
  if (figures.generateMs === undefined) {
    const built =
      figures.buildMs === undefined ? "" : ` (graph built in ${seconds(figures.buildMs)})`;
    return { size, status: "failed", reason: `${child.ok ? "no figures" : child.reason}${built}` };
  }
  return {
    size,
    status: "done",
    builtNodes: figures.builtNodes,
    optimizedNodes: figures.optimizedNodes,
    buildMs: figures.buildMs,
    generateMs: figures.generateMs,
    optimizeMs: figures.optimizeMs,
    functions: figures.functions,
    longestFunctionLines: figures.longestFunctionLines,
  };
}

/**
 * The exponent b of time ≈ a · nodes^b, by least squares on the logarithms of the sizes that
 * finished (undefined with fewer than two): 1 is linear.
 */
export function fitExponent(rows: readonly CompileTimeRow[]): number | undefined {
  const points = rows.flatMap((row) =>
    row.status === "done" ? [[Math.log(row.builtNodes), Math.log(row.generateMs)]] : [],
  );
  if (points.length < 2) return undefined;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return covariance / variance;
}

export function label(size: number): string {
  return `10^${Math.round(Math.log10(size))}`;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms / 1000)} s`;
}

function describe(row: CompileTimeRow): string {
  if (row.status !== "done") return `${row.status}: ${row.reason}`;
  return `${row.optimizedNodes} nodes after optimizing, generate ${seconds(row.generateMs)}`;
}
