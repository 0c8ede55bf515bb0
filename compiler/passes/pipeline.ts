// The optimizer: stabilize once, then simplify and prune, repeated until the graph stops changing.
import type { Program } from "../ir/program.ts";
import { verify } from "../ir/verify.ts";
import { reachable } from "../ir/text.ts";
import { constantLoopInputs, loopInvariants } from "./invariants.ts";
import { loopBodyRule, trimTapes } from "./loops.ts";
import { sliceOfPad } from "./movement.ts";
import { entryRoots, rebuild } from "./rebuild.ts";
import { algebraicRules, beforeFoldingRules } from "./rules.ts";
import { foldRule, simplify, type SimplifyResult } from "./simplify.ts";
import { stabilizeRules } from "./stabilize.ts";

/**
 * The simplify phase: cheap structural rules, then folding through the interpreter, then algebra,
 * then the whole optimizer inside loop bodies.
 */
export const simplifyRules = [
  ...beforeFoldingRules,
  foldRule,
  ...algebraicRules,
  sliceOfPad,
  constantLoopInputs,
  loopInvariants,
  loopBodyRule((body) => optimize(body).program),
];

export interface PassStat {
  readonly pass: string;
  readonly nodes: number;
  /** The program as this pass left it (for per-entry figures in the compile report). */
  readonly program: Program;
}

export interface OptimizeResult {
  readonly program: Program;
  readonly stats: readonly PassStat[];
  readonly fired: ReadonlyMap<string, number>;
}

export interface OptimizeOptions {
  /** Run the verifier after every pass (tests turn this on). */
  readonly verifyEachPass?: boolean;
}

const maxRounds = 50;

export function optimize(input: Program, options: OptimizeOptions = {}): OptimizeResult {
  const check = (program: Program) => {
    if (options.verifyEachPass === true) verify(program);
    return program;
  };
  const stats: PassStat[] = [{ pass: "input", nodes: input.graph.nodes.length, program: input }];
  const fired = new Map<string, number>();
  const count = (result: SimplifyResult) => {
    for (const [name, times] of result.fired) fired.set(name, (fired.get(name) ?? 0) + times);
  };
  let program = check(prune(input));
  stats.push({ pass: "prune", nodes: program.graph.nodes.length, program });
  // the DSL already stabilizes as it builds; this catches graphs built some other way
  const stable = simplify(program, stabilizeRules);
  count(stable);
  program = check(prune(check(stable.program)));
  stats.push({ pass: "stabilize", nodes: program.graph.nodes.length, program });
  for (let round = 0; round < maxRounds; round++) {
    const result = simplify(program, simplifyRules);
    const pruned = check(trimTapes(check(prune(check(result.program)))));
    count(result);
    stats.push({
      pass: "simplify",
      nodes: result.program.graph.nodes.length,
      program: result.program,
    });
    stats.push({ pass: "prune", nodes: pruned.graph.nodes.length, program: pruned });
    const changed =
      result.fired.size > 0 || pruned.graph.nodes.length !== program.graph.nodes.length;
    program = pruned;
    if (!changed) return { program, stats, fired };
  }
  throw new Error(`optimize: no fixed point after ${maxRounds} rounds`);
}

/** Keeps only what the entry points reach, plus every declared leaf. */
export function prune(program: Program): Program {
  // nothing to drop: the graph is already interned, so a rebuild would copy it node for node
  const roots = [...program.leaves, ...program.entries.flatMap(entryRoots)];
  const reached = reachable(roots);
  if (reached.size === program.graph.nodes.length) return program;
  return rebuild(program, undefined, reached);
}
