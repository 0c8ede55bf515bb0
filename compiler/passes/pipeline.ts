// The optimizer: simplify and prune, repeated until the graph stops changing.
import type { Program } from "../ir/program.ts";
import { verify } from "../ir/verify.ts";
import { rebuild } from "./rebuild.ts";
import { algebraicRules } from "./rules.ts";
import { foldRule, simplify } from "./simplify.ts";

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
  let program = check(prune(input));
  stats.push({ pass: "prune", nodes: program.graph.nodes.length, program });
  for (let round = 0; round < maxRounds; round++) {
    const result = simplify(program, [foldRule, ...algebraicRules]);
    const pruned = check(prune(check(result.program)));
    for (const [name, count] of result.fired) fired.set(name, (fired.get(name) ?? 0) + count);
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
  return rebuild(program);
}
