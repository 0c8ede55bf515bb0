// TypeScript to JavaScript for running generated code in this process (the `compile` API): the only
// ts-morph user, loaded on first use because it brings the whole TypeScript compiler.
import { ts } from "ts-morph";

/** TypeScript to CommonJS JavaScript, types stripped, for running generated code in this process. */
export function transpileToCommonJs(source: string): string {
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}
