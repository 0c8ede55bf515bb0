// The compiler's public API: the DSL, transforms, passes, code generation and in-process compilation.
export { program, ProgramBuilder, type EntrySpec, type ProgramOptions } from "./program.ts";
export { Ops, type Operand, type MatmulOptions } from "./dsl/ops.ts";
export { compile, type Compiled, type DynamicInstance, type EntryFunction } from "./api.ts";
export {
  generate,
  compilerVersion,
  type Generated,
  type GenerateOptions,
} from "./codegen/generate.ts";
export { optimize, prune, type OptimizeResult } from "./passes/pipeline.ts";
export { compileReport, type CompileReport, type EntryReport } from "./report/report.ts";
export { interpret, type LeafValues } from "./ops/interpret.ts";
export { verify } from "./ir/verify.ts";
export { graphText, nodeText, programText } from "./ir/text.ts";
export { AdjointError, type SourceLoc } from "./errors.ts";
export type { Program, EntryPoint, ParamInit } from "./ir/program.ts";
export type { Node, OpName, DType } from "./ir/node.ts";
export type { Shape } from "./ir/shape.ts";
export {
  sgd,
  momentum,
  adam,
  type Update,
  type Rate,
  type SgdOptions,
  type MomentumOptions,
  type AdamOptions,
} from "./dsl/optim.ts";
export { checkGrads, type CheckGradsOptions } from "./check/grads.ts";
export { GradCheckReport, type LeafError, type CheckSettings } from "./check/report.ts";
