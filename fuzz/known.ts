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

const has = (source: string, call: string) => source.includes(`g.${call}(`);
const derivative = new Set(["grad", "vjp", "jvp", "hvp", "hessian", "jacobian", "dot product"]);

export const knownBugs: readonly KnownBug[] = [
  {
    name: "fold-dtype",
    issue: "issue 11, bug 1: constant folding makes i32 and bool constants f64",
    matches: (f) => /is f64; expected (bool|i32)/.test(f.message),
  },
  {
    name: "prod-second-order-zeros",
    issue: "issue 11, bug 2: prod's second derivatives are NaN where an entry is 0",
    matches: (f, source) =>
      derivative.has(f.check) &&
      /NaN|Infinity/.test(f.message) &&
      /g\.prod(Except)?\(/.test(source),
  },
  {
    name: "fusion-arena-view",
    issue: 'issue 11, bug 3: codegen "has no arena view" with fusion on',
    matches: (f) => f.message.includes("has no arena view"),
  },
  {
    name: "f32-scalars",
    issue: "issue 11, bug 4: f32 programs keep scalars in double precision",
    matches: (f) => f.check === "lowering f32",
  },
  {
    name: "where-nan",
    issue: "issue 11, bug 5: NaN gradients from the branch a where does not take",
    matches: (f, source) =>
      derivative.has(f.check) && /NaN|Infinity/.test(f.message) && has(source, "where"),
  },
  {
    name: "custom-rule-outer-builder",
    issue: "issue 11, bug 9: customVjp rules that build with the outer g fail in checkGrads",
    matches: (f) => f.message.includes("belongs to another program"),
  },
  {
    name: "i32-movement",
    issue: "issue 11, bug 10: i32 tensors rejected by reshape, slice and concat",
    matches: (f) =>
      /(reshape|slice|concat|transpose|pad|broadcastTo): operand \d+ is i32/.test(f.message),
  },
];

export function knownBug(
  failure: FuzzFailure,
  source: string,
  bugs: readonly KnownBug[],
): string | undefined {
  return bugs.find((bug) => bug.matches(failure, source))?.name;
}
