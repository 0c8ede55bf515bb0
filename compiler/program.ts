// The DSL entry users call: its builders wired to autodiff's transforms and to the build-time
// stabilize rules. It sits above dsl/, autodiff/ and passes/, so none of those imports upward.
import { autodiffTransforms } from "./autodiff/transforms.ts";
import { declareProgram, type ProgramBuilder, type ProgramOptions } from "./dsl/program.ts";
import { TransformBuilder, type BuilderKit } from "./dsl/transforms.ts";
import type { Graph } from "./ir/graph.ts";
import type { Program } from "./ir/program.ts";
import { stabilizeRules } from "./passes/stabilize.ts";

export {
  ProgramBuilder,
  type EntrySpec,
  type ParamSpec,
  type ParamSpecs,
  type ProgramOptions,
} from "./dsl/program.ts";

/** What every DSL builder is handed: the stabilize rules and the transforms. */
export const builderKit: BuilderKit = {
  buildRules: stabilizeRules,
  transforms: autodiffTransforms,
};

/** Declares a program. Its default export from a `.graph.ts` file is what `adjoint compile` reads. */
export function program(
  name: string,
  build: (g: ProgramBuilder) => void,
  options: ProgramOptions = {},
): Program {
  return declareProgram(name, build, options, builderKit);
}

/** A builder that extends an existing graph with ordinary ops and transforms (checks, explain). */
export function transformBuilder(graph: Graph): TransformBuilder {
  return new TransformBuilder(graph, builderKit);
}
