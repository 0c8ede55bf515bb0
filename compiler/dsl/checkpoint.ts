// What reverse mode stores of a loop's carries: a policy of the user's, turned into the checkpoint
// strides of the scan node (ScanAttrs.checkpoint). A stride k tapes the carry entering every k-th
// step; reverse mode recomputes each segment of k steps from it, by a scan checkpointed by the
// strides after k. So L strides store about (L + 1)·T^(1/(L+1)) carries and run every step's body
// forward L + 1 times (the value's sweep and L recomputations) instead of once.
import type { Ops } from "./ops.ts";

/**
 * `"all"` (the default): every carry. `{ every: k }`: every k-th carry, each segment of k steps
 * recomputed once. `{ budget: n }`: at most n carries held at once (tapes of recomputed segments
 * included), by the fewest levels of uniform nesting that fit.
 */
export type CheckpointPolicy = "all" | { readonly every: number } | { readonly budget: number };

/** The strides for `policy` over `length` steps ([] to store every carry). */
export function checkpointStrides(g: Ops, loop: string, policy: unknown, length: number): number[] {
  if (policy === undefined || policy === "all") return [];
  const bad = (message: string): never => g.fail(loop, `checkpoint: ${message}`);
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) {
    return bad(`expected "all", { every: k } or { budget: n }, got ${describe(policy)}`);
  }
  const keys = Object.keys(policy);
  if (keys.length !== 1 || (keys[0] !== "every" && keys[0] !== "budget")) {
    return bad(
      `expected "all", { every: k } or { budget: n }, got an object with {${keys.join(", ")}}`,
    );
  }
  const [key] = keys;
  const value = (policy as Record<string, unknown>)[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    return bad(`${key} must be a positive integer, got ${describe(value)}`);
  }
  if (key === "every") return value === 1 ? [] : [value];
  return budgetStrides(length, value, bad);
}

/**
 * The fewest levels of strides whose tapes hold at most `budget` carries, and among those the
 * nesting that holds fewest: every first stride is tried, the levels under it spaced uniformly.
 */
function budgetStrides(length: number, budget: number, bad: (message: string) => never): number[] {
  if (length <= budget) return [];
  let fewest = length;
  for (let levels = 1; 2 ** levels < length; levels++) {
    let best: { strides: number[]; stored: number } | undefined;
    for (let k = 2; k < length; k++) {
      const strides = [k, ...uniformStrides(k, levels - 1)];
      const stored = storedCarries(length, strides);
      if (best === undefined || stored < best.stored) best = { strides, stored };
    }
    if (best !== undefined && best.stored <= budget) return best.strides;
    fewest = Math.min(fewest, best?.stored ?? length);
  }
  return bad(
    `a budget of ${budget} carries is too small for ${length} steps (the least is ${fewest})`,
  );
}

/** `levels` strides below `length`: length^(L/(L+1)), ..., length^(1/(L+1)), rounded, decreasing. */
function uniformStrides(length: number, levels: number): number[] {
  const strides: number[] = [];
  for (let level = 1; level <= levels; level++) {
    const ideal = Math.round(length ** ((levels + 1 - level) / (levels + 1)));
    const below = (strides.length === 0 ? length : strides[strides.length - 1]) - 1;
    if (Math.min(ideal, below) >= 2) strides.push(Math.min(ideal, below));
  }
  return strides;
}

/**
 * Carries the tapes hold during reverse mode: the checkpoints, plus the tape of the scan that
 * recomputes a whole segment and of the one that recomputes the last, shorter segment (each is its
 * own loop with its own planned tape).
 */
export function storedCarries(
  length: number,
  strides: readonly number[],
  // a segment's count is needed again at every level below: each (length, strides) once
  known = new Map<string, number>(),
): number {
  if (strides.length === 0) return length;
  const key = `${length}/${strides.join(",")}`;
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  const [k, ...rest] = strides;
  const whole = Math.floor(length / k);
  const partial = length % k;
  const within = (steps: number) =>
    storedCarries(
      steps,
      rest.filter((stride) => stride < steps),
      known,
    );
  const stored =
    Math.ceil(length / k) + (whole > 0 ? within(k) : 0) + (partial > 0 ? within(partial) : 0);
  known.set(key, stored);
  return stored;
}

function describe(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === "number" ? String(value) : typeof value;
}
