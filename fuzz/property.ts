// One program per seed through fast-check: the choices are drawn from the seed, and a failure is
// shrunk (towards shorter lists and smaller numbers, so simpler programs) while it fails the same check.
import fc from "fast-check";
import { runCase, type Outcome } from "./case.ts";
import type { KnownBug } from "./known.ts";

export const choices = fc.array(fc.nat({ max: 0xffff }), { maxLength: 160, size: "max" });

export interface FuzzResult {
  readonly outcome: Outcome;
  /** The smallest program found that fails the same check. */
  readonly shrunk?: Outcome;
}

export interface ShrinkBudget {
  readonly runs: number;
  readonly ms: number;
}

export async function fuzzSeed(
  seed: number,
  bugs: readonly KnownBug[],
  budget: ShrinkBudget = { runs: 300, ms: 30_000 },
): Promise<FuzzResult> {
  let first: Outcome | undefined;
  let smallest: Outcome | undefined;
  let runs = 0;
  const started = Date.now();
  const property = fc.asyncProperty(choices, async (numbers) => {
    if (first !== undefined && (runs++ >= budget.runs || Date.now() - started > budget.ms))
      return true;
    const outcome = await runCase(numbers, seed, bugs);
    first ??= outcome;
    const fails = outcome.failure !== undefined && outcome.failure.check === first.failure?.check;
    if (fails) smallest = outcome;
    return !fails;
  });
  await fc.check(property, { seed, numRuns: 1 });
  return { outcome: first!, shrunk: smallest };
}

/** The seed of program `index` of a run with seed `seed` (splitmix-style mixing, 32 bits). */
export function programSeed(seed: number, index: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
