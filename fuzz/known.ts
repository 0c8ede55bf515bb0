// Known bugs, open while their fixes land: a failure matching one is counted under its name and
// does not fail the run. Remove an entry once its fix is merged (the list is meant to be empty);
// `npm run fuzz -- --strict` ignores the list.
import type { FuzzFailure } from "./failure.ts";

export interface KnownBug {
  readonly name: string;
  /** Where the bug is written down. */
  readonly issue: string;
  readonly matches: (failure: FuzzFailure, source: string) => boolean;
}

// empty: every bug once listed here (issue 11's folding, prod, fusion, f32, select, custom-rule and
// integer-movement bugs) is fixed, and the fuzzer checks for each of them again
export const knownBugs: readonly KnownBug[] = [];

export function knownBug(
  failure: FuzzFailure,
  source: string,
  bugs: readonly KnownBug[],
): string | undefined {
  return bugs.find((bug) => bug.matches(failure, source))?.name;
}
