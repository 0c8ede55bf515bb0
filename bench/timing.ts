// Timing by repeated batches: warm up until the time per call stops improving (the optimizing
// compiler works in the background, and on a busy machine a large function can take seconds to
// be optimized), size a batch of calls to take about `sampleMs`, then take batches until `samples`
// are in or the time budget is spent; the median per call is the figure.
// Functions compared with each other (every engine of a workload, value and gradient) are timed
// interleaved, one batch of each in turn (a round), so that all see the same load on a shared
// machine; ratios are then taken round by round (ratioStats), not between medians.

export interface TimingOptions {
  /** Wall time a batch of calls should take, in ms. */
  readonly sampleMs: number;
  /** Samples wanted; fewer are taken when the budget runs out, but never fewer than `minSamples`. */
  readonly samples: number;
  readonly minSamples: number;
  /** Wall time per function for samples, in ms (exceeded only to reach `minSamples`). */
  readonly budgetMs: number;
  /** Warm-up lasts at least this long, in ms, and until three rounds in a row are no faster. */
  readonly warmupMs: number;
  /** ... but no longer than this, in ms. */
  readonly maxWarmupMs: number;
}

export const defaultTiming: TimingOptions = {
  sampleMs: 20,
  samples: 21,
  minSamples: 5,
  budgetMs: 2500,
  warmupMs: 150,
  maxWarmupMs: 3000,
};

export interface Timing {
  /** Median time per call over the samples, in µs. */
  readonly medianUs: number;
  /** The fastest and slowest sample, per call, in µs: the spread of the median. */
  readonly minUs: number;
  readonly maxUs: number;
  readonly samples: number;
  /** Calls per sample. */
  readonly batch: number;
  /** The time per call of every round, in µs, in the order taken (a round per sample). */
  readonly rounds: readonly number[];
}

/** A function to time, with what must run before each of its batches (switching a backend, say). */
export interface Timed {
  readonly call: () => void;
  readonly enter?: () => void;
}

export function timeCalls(call: () => void, options: TimingOptions = defaultTiming): Timing {
  return timeInterleaved([call], options)[0];
}

/** Times each function with its own batch size, taking their samples in turn. */
export function timeInterleaved(
  timed: readonly (Timed | (() => void))[],
  options: TimingOptions = defaultTiming,
): Timing[] {
  const entries = timed.map((entry) => (typeof entry === "function" ? { call: entry } : entry));
  const calls = entries.map((entry) => entry.call);
  const enter = (i: number) => entries[i].enter?.();
  const loops = calls.map(() => freshBatchLoop());
  const batches = calls.map((call, i) => {
    enter(i);
    warmUp(loops[i], call, options);
    return batchSize(loops[i], call, options.sampleMs);
  });
  const start = performance.now();
  const perCall: number[][] = calls.map(() => []);
  const budgetMs = options.budgetMs * calls.length;
  const taken = () => perCall[0].length;
  while (
    taken() < options.minSamples ||
    (taken() < options.samples && performance.now() - start < budgetMs)
  ) {
    calls.forEach((call, i) => {
      enter(i);
      perCall[i].push((loops[i](call, batches[i]) * 1000) / batches[i]);
    });
  }
  return perCall.map((samples, i) => ({
    medianUs: median(samples),
    minUs: Math.min(...samples),
    maxUs: Math.max(...samples),
    samples: samples.length,
    batch: batches[i],
    rounds: samples,
  }));
}

/** The median and quartiles of round-by-round ratios top / bottom (rounds taken together). */
export interface RatioStats {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly rounds: number;
}

export function ratioStats(top: Timing, bottom: Timing): RatioStats {
  const count = Math.min(top.rounds.length, bottom.rounds.length);
  const ratios = Array.from({ length: count }, (_, i) => top.rounds[i] / bottom.rounds[i]);
  return {
    median: median(ratios),
    q1: quantile(ratios, 0.25),
    q3: quantile(ratios, 0.75),
    rounds: count,
  };
}

/** The q-quantile by linear interpolation between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** Wall time of `batch` calls, in ms. */
type BatchLoop = (call: () => void, batch: number) => number;

/**
 * A batch loop compiled anew for each measured function: its call site then sees one target
 * only, so every engine gets the same chance to be inlined into the loop, whatever ran before.
 */
function freshBatchLoop(): BatchLoop {
  return new Function(
    "call",
    "batch",
    "const start = performance.now(); for (let i = 0; i < batch; i++) call(); return performance.now() - start;",
  ) as BatchLoop;
}

/**
 * Rounds of calls through the same loop (each round at least 20 ms) until three rounds in a row
 * are not 10% faster per call than the best so far, after `warmupMs` and before `maxWarmupMs`.
 */
function warmUp(loop: BatchLoop, call: () => void, options: TimingOptions): void {
  const start = performance.now();
  let best = Infinity;
  let stale = 0;
  let batch = 1;
  loop(call, 3);
  while (performance.now() - start < options.maxWarmupMs) {
    const elapsed = loop(call, batch);
    if (elapsed < 20) {
      batch *= 2;
      continue;
    }
    const perCall = elapsed / batch;
    stale = perCall < best * 0.9 ? 0 : stale + 1;
    best = Math.min(best, perCall);
    if (stale >= 3 && performance.now() - start >= options.warmupMs) return;
  }
}

/** Scales the batch up until one batch takes at least `sampleMs`. */
function batchSize(loop: BatchLoop, call: () => void, sampleMs: number): number {
  let batch = 1;
  for (;;) {
    const elapsed = loop(call, batch);
    if (elapsed >= sampleMs) return batch;
    const scale = elapsed <= 0 ? 10 : Math.min(10, Math.max(2, Math.ceil(sampleMs / elapsed)));
    batch *= scale;
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
