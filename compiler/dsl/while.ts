// g.whileLoop: a loop of at most `maxIterations` steps that stops when its condition fails, built
// as a scan of that length whose body is a cond: a step while running, the carry unchanged after.
// Its tape is planned at compile time (maxIterations carries), so reverse mode works through it:
// the sweep passes back through the steps after the stop as identities.
import type { Node } from "../ir/node.ts";
import { isNodeValue } from "../ir/tree.ts";
import type { CheckpointPolicy } from "./checkpoint.ts";
import { buildCond } from "./cond.ts";
import { buildScan, type AsNodes } from "./loops.ts";
import type { Ops } from "./ops.ts";

export interface WhileOptions {
  /** The most steps the loop may take (its tape holds this many carries). */
  readonly maxIterations: number;
  /** What reverse mode stores of the carries, as for scan. */
  readonly checkpoint?: CheckpointPolicy;
}

/** The carry when `condition` first fails (or after maxIterations steps), and the steps taken. */
export function buildWhile<C>(
  g: Ops,
  condition: (carry: AsNodes<C>) => Node,
  body: (carry: AsNodes<C>) => C,
  init: C,
  options: WhileOptions,
): { value: AsNodes<C>; iterations: Node } {
  if (typeof condition !== "function" || typeof body !== "function") {
    g.fail("whileLoop", `expects (condition, body, init, { maxIterations }) with two functions`);
  }
  const max = (options as Partial<WhileOptions> | undefined)?.maxIterations;
  if (max === undefined || !Number.isInteger(max) || max < 1) {
    g.fail("whileLoop", `maxIterations must be a positive integer, got ${String(max)}`);
  }
  const start = { value: init, running: g.constant(1), iterations: g.constant(0) };
  const [last] = buildScan(
    g,
    (state) => {
      const holds = condition(state.value as AsNodes<C>);
      if (!isNodeValue(holds) || holds.dtype !== "bool" || holds.shape.length !== 0) {
        g.fail("whileLoop", `the condition must return a bool scalar (a comparison)`);
      }
      // running is 1 until the condition first fails, then 0 for good
      const go = g.gt(g.where(holds, state.running, 0), 0.5);
      const next = buildCond(
        g,
        go,
        () => ({
          value: body(state.value as AsNodes<C>),
          running: g.constant(1),
          iterations: g.add(state.iterations, 1),
        }),
        () => ({ value: state.value as C, running: g.constant(0), iterations: state.iterations }),
      );
      return [next as unknown as typeof state, []] as const;
    },
    start,
    undefined,
    { length: max, checkpoint: options.checkpoint },
    "whileLoop",
  );
  // the count is a constant to every derivative
  return { value: last.value as AsNodes<C>, iterations: g.stopGradient(last.iterations) };
}
