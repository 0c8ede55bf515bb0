// A share of a campaign: program indices offset, offset + stride, ... until the count or the
// deadline, with tallies sent every second and every failure sent with its shrunk program.
import type { Tally } from "./derivatives.ts";
import { knownBugs } from "./known.ts";
import { fuzzSeed, programSeed } from "./property.ts";

export interface WorkerTask {
  readonly seed: number;
  readonly count: number;
  readonly offset: number;
  readonly stride: number;
  /** Date.now() after which no new program starts. */
  readonly deadline: number;
  /** Ignore the known-bug list. */
  readonly strict: boolean;
  /** Stop after this many failures. */
  readonly maxFailures: number;
}

export interface Progress {
  readonly kind: "progress";
  readonly programs: number;
  readonly provoked: number;
  readonly known: Record<string, number>;
  readonly tallies: Record<string, Tally>;
  readonly done: boolean;
}

export interface FailureReport {
  readonly kind: "failure";
  readonly index: number;
  readonly programSeed: number;
  readonly check: string;
  readonly message: string;
  readonly source: string;
  /** The shrunk program's check message (it fails the same check). */
  readonly shrunkMessage: string;
}

export type WorkerMessage = Progress | FailureReport;

export async function fuzzIndices(task: WorkerTask, send: (message: WorkerMessage) => void) {
  const bugs = task.strict ? [] : knownBugs;
  const state = {
    programs: 0,
    provoked: 0,
    known: {} as Record<string, number>,
    tallies: {} as Record<string, Tally>,
  };
  const report = (done: boolean) => send({ kind: "progress", ...state, done });
  let failures = 0;
  let lastReport = Date.now();
  for (
    let index = task.offset;
    index < task.count && Date.now() < task.deadline;
    index += task.stride
  ) {
    const seed = programSeed(task.seed, index);
    const { outcome, shrunk } = await fuzzSeed(seed, bugs);
    state.programs++;
    if (outcome.fuzz.provoked !== undefined) state.provoked++;
    for (const [check, tally] of Object.entries(outcome.tallies)) {
      const total = (state.tallies[check] ??= { checked: 0, skipped: 0 });
      total.checked += tally.checked;
      total.skipped += tally.skipped;
    }
    for (const bug of new Set(outcome.known)) state.known[bug] = (state.known[bug] ?? 0) + 1;
    if (outcome.failure !== undefined) {
      const smallest = shrunk ?? outcome;
      send({
        kind: "failure",
        index,
        programSeed: seed,
        check: outcome.failure.check,
        message: outcome.failure.message,
        source: smallest.fuzz.source,
        shrunkMessage: smallest.failure?.message ?? outcome.failure.message,
      });
      if (++failures >= task.maxFailures) break;
    }
    if (Date.now() - lastReport > 1000) {
      report(false);
      lastReport = Date.now();
    }
  }
  report(true);
}
