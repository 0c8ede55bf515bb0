// Type-checks generated modules against the runtime in memory (strict mode), returning the diagnostics.
import { readdirSync, readFileSync } from "node:fs";
import { Project, ts } from "ts-morph";

const runtimeDir = new URL("../../runtime/", import.meta.url);
/** Every runtime file by name: index.ts re-exports the others, core.ts is what modules import. */
const runtimeSources = readdirSync(runtimeDir)
  .filter((file) => file.endsWith(".ts"))
  .map((file) => [file, readFileSync(new URL(file, runtimeDir), "utf8")] as const);

/** The runtime import to generate with, so that modules resolve the in-memory runtime. */
export const memoryRuntimeImport = "../runtime/core.ts";

/** Diagnostics (one line each) for modules generated with `memoryRuntimeImport`; [] when they check. */
export function typeCheck(modules: Readonly<Record<string, string>>): string[] {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      noEmit: true,
      lib: ["lib.es2022.d.ts"],
    },
  });
  for (const [file, source] of runtimeSources) project.createSourceFile(`/runtime/${file}`, source);
  for (const [name, source] of Object.entries(modules))
    project.createSourceFile(`/gen/${name}.ts`, source);
  return project.getPreEmitDiagnostics().map((diagnostic) => {
    const file = diagnostic.getSourceFile()?.getFilePath() ?? "";
    const text = ts.flattenDiagnosticMessageText(diagnostic.compilerObject.messageText, " ");
    return `${file}:${diagnostic.getLineNumber() ?? 0}: ${text}`;
  });
}
