// What a generated module becomes on disk: the TypeScript module itself, or (--emit js) a JavaScript
// module and its declarations, both derived from the same TypeScript and formatted by prettier with
// fixed options, so the bytes depend on the graph and the compiler alone.
import { ts } from "ts-morph";
import * as prettier from "prettier";
import { prettierOptions } from "../codegen/format.ts";
import type { Emit } from "./settings.ts";

export interface OutputFile {
  readonly file: string;
  readonly text: string;
}

/** The files `source` (a generated TypeScript module) is written as, `base` the path without its extension. */
export async function outputFiles(source: string, base: string, emit: Emit): Promise<OutputFile[]> {
  if (emit === "ts") return [{ file: `${base}.ts`, text: source }];
  return [
    { file: `${base}.js`, text: await javaScriptOf(source) },
    { file: `${base}.d.ts`, text: await declarationsOf(source) },
  ];
}

/** The output paths alone (for --check's "missing" and the watcher). */
export function outputPaths(base: string, emit: Emit): string[] {
  return emit === "ts" ? [`${base}.ts`] : [`${base}.js`, `${base}.d.ts`];
}

/** Types stripped, ES modules kept; comments (the header and its hash among them) stay. */
async function javaScriptOf(source: string): Promise<string> {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  });
  return prettier.format(outputText, { ...prettierOptions, parser: "babel" });
}

/**
 * Declarations from the module alone: every export of a generated module has a written or
 * literal type (its layout is `as const`), so no type checker is needed to emit them.
 */
async function declarationsOf(source: string): Promise<string> {
  const { outputText, diagnostics } = ts.transpileDeclaration(source, {
    fileName: "module.ts",
    reportDiagnostics: true,
  });
  if (diagnostics !== undefined && diagnostics.length > 0) {
    const message = ts.flattenDiagnosticMessageText(diagnostics[0].messageText, "\n");
    throw new Error(`codegen: the module's declarations cannot be emitted alone: ${message}`);
  }
  return prettier.format(outputText, prettierOptions);
}
