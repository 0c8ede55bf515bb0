// Every check on one generated program: a clear error for a bad call written on purpose; for a
// valid program, each lowering against the interpreter, the passes, and the derivatives.
import type { Compiled } from "../compiler/api.ts";
import { checkGrads } from "../compiler/check/grads.ts";
import { Rng } from "../runtime/random.ts";
import { checkDerivatives, type Tally } from "./derivatives.ts";
import { asFailure, FuzzFailure, isClear } from "./failure.ts";
import { generate, type FuzzCase } from "./generate.ts";
import { knownBug, type KnownBug } from "./known.ts";
import { checkLowering, checkPasses, lowerings } from "./lowering.ts";
import { sampleValues } from "./values.ts";

export interface Outcome {
  readonly fuzz: FuzzCase;
  readonly tallies: Record<string, Tally>;
  /** The first failure that is no known bug. */
  readonly failure?: FuzzFailure;
  /** Known bugs the checks hit: counted, not failures of the run; the other checks still ran. */
  readonly known: readonly string[];
}

export async function runCase(
  numbers: readonly number[],
  seed: number,
  bugs: readonly KnownBug[],
): Promise<Outcome> {
  return checkCase(generate(numbers), seed, bugs);
}

export async function checkCase(
  fuzz: FuzzCase,
  seed: number,
  bugs: readonly KnownBug[],
): Promise<Outcome> {
  const tallies: Record<string, Tally> = {};
  const known: string[] = [];
  /** Runs one check; a known bug is noted and the next check runs. */
  const guard = async (check: string, fn: () => unknown): Promise<void> => {
    try {
      await fn();
    } catch (error) {
      const failure = asFailure(check, error);
      const bug = knownBug(failure, fuzz.source, bugs);
      if (bug === undefined) throw failure;
      known.push(bug);
    }
  };
  try {
    await checkAll(fuzz, seed, tallies, guard);
    return { fuzz, tallies, known };
  } catch (error) {
    return { fuzz, tallies, known, failure: asFailure("checks", error) };
  }
}

type Guard = (check: string, fn: () => unknown) => Promise<void>;

async function checkAll(
  fuzz: FuzzCase,
  seed: number,
  tallies: Record<string, Tally>,
  guard: Guard,
) {
  if (fuzz.provoked !== undefined)
    return guard("provoked error", () => checkProvoked(fuzz, fuzz.provoked!.op));
  if (fuzz.error !== undefined) return guard("build", () => Promise.reject(fuzz.error));
  const rng = new Rng(seed);
  const points = [sampleValues(fuzz.leaves, rng, false), sampleValues(fuzz.leaves, rng, true)];
  let reference: Compiled | undefined;
  for (const lowering of lowerings) {
    await guard(`lowering ${lowering.name}`, async () => {
      const compiled = await checkLowering(fuzz, lowering, points);
      if (lowering === lowerings[0]) reference = compiled;
    });
  }
  if (reference === undefined) return;
  const optimized = reference.optimized.program;
  await guard("passes", () => checkPasses(fuzz.program!, optimized, points));
  for (const point of points) {
    await guard("derivatives", () => checkDerivatives(fuzz, reference!, point, rng, tallies));
  }
  // the user-facing checker rebuilds the program: it must accept every program that compiles
  if (rng.uniform() < (fuzz.source.includes("customVjp") ? 0.3 : 0.01)) {
    await guard("checkGrads", async () => {
      try {
        await checkGrads(fuzz.program!, { entry: "value", of: "f", points: 1, directions: 1 });
      } catch (error) {
        // a constant f is the caller's mistake, and checkGrads says so clearly
        if (!(isClear(error) && /depends on no float input or param/.test(String(error))))
          throw error;
      }
    });
  }
}

function checkProvoked(fuzz: FuzzCase, op: string): void {
  const error = fuzz.error;
  if (error === undefined)
    throw new FuzzFailure("provoked error", `the bad ${op} call was accepted`);
  const message = error instanceof Error ? error.message : String(error);
  if (!isClear(error)) throw asFailure("provoked error", error);
  const [first, place] = message.split("\n");
  if (!first.includes(op) || place === undefined) {
    throw new FuzzFailure(
      "provoked error",
      `the message for a bad ${op} call does not name ${op} or its line: ${message}`,
    );
  }
}
