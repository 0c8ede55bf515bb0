// Small builders shared by the IR and autodiff tests.
import { program, type ProgramBuilder } from "../../compiler/program.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import type { Program } from "../../compiler/ir/program.ts";
import { verify } from "../../compiler/ir/verify.ts";

/** A verified program "p" whose one entry "all" fetches every node `body` returns. */
export function build<T extends Record<string, Node>>(
  body: (g: ProgramBuilder) => T,
): { program: Program; nodes: T } {
  let nodes: T | undefined;
  const built = program("p", (g) => {
    nodes = body(g);
    g.entry("all", { fetch: nodes });
  });
  verify(built);
  return { program: built, nodes: nodes! };
}

/** The interpreter's value of `node` as a plain array. */
export const values = (node: Node, leaves: Record<string, number | number[]>): number[] => [
  ...interpret([node], leaves)[0],
];

/** The error `fn` throws; fails the test if it throws nothing. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}
