// Heap growth over W4 gradient steps of Adjoint's code, in a child process with --expose-gc so
// that full collections can be forced (tsx bench/run.ts does not expose gc).
import { runChild } from "./children.ts";

export interface HeapResult {
  readonly steps: number;
  readonly maxSteps: number;
  /** heapUsed growth (after full collections) over the first half of the steps: one-off costs. */
  readonly firstHalfBytes: number;
  /** heapUsed growth (after full collections) over the second half: the steady state. */
  readonly secondHalfBytes: number;
  readonly secondHalfSteps: number;
  /** heapUsed growth per step over the second half, run without collections: what a call allocates. */
  readonly allocatedPerStep: number;
  readonly seconds: number;
}

export function measureHeap(maxSteps: number, budgetMs: number): HeapResult | { error: string } {
  const child = runChild("bench/children/heap.ts", [String(maxSteps), String(budgetMs)], {
    timeoutMs: budgetMs + 60_000,
    nodeFlags: ["--expose-gc"],
  });
  if (!child.ok) return { error: child.reason };
  if (typeof child.json.error === "string") return { error: child.json.error };
  return child.json as unknown as HeapResult;
}
