// `adjoint/vite`: graph files imported by an app compile as part of its Vite build, in the dev
// server and in production. `import { createMnist } from "./mnist.graph.ts"` gives the generated
// module; an edit to the graph file or to a file it imports recompiles it, and a graph that fails
// shows in Vite's error overlay at the user's line while the dev server keeps running.
import path from "node:path";
import type { Plugin } from "vite";
import { generate } from "../codegen/generate.ts";
import { defaultRuntimeImport } from "../codegen/version.ts";
import type { LoweringOptions } from "../cli/compile.ts";
import { loadFreshProgram } from "../cli/fresh.ts";
import { registerTypeScriptLoader } from "../cli/typescript-loader.ts";
import { localImports } from "../cli/imports.ts";

export interface AdjointPluginOptions extends LoweringOptions {
  /** Which imported files are graph files (default: names ending in .graph.ts). */
  readonly include?: RegExp;
  /** What the generated code imports the runtime as (default: @adjoint/runtime/core). */
  readonly runtimeImport?: string;
}

export default function adjoint(options: AdjointPluginOptions = {}): Plugin {
  const include = options.include ?? /\.graph\.ts$/;
  const runtimeImport = options.runtimeImport ?? defaultRuntimeImport;
  return {
    name: "adjoint",
    enforce: "pre",
    async load(id) {
      const file = id.split("?")[0];
      if (!include.test(file)) return null;
      // watched before loading, so a failing graph is compiled again once its file is fixed
      for (const dependency of localImports(file)) this.addWatchFile(dependency);
      await registerTypeScriptLoader();
      try {
        const program = await loadFreshProgram(file);
        const { source } = await generate(program, {
          runtimeImport,
          sourceName: path.basename(file),
          dtype: options.dtype,
          fusion: options.fusion,
          maxFunctionLines: options.maxFunctionLines,
          kernels: options.kernels,
        });
        return { code: source, map: null };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.error({ message, id: file, loc: userLine(message, file) });
      }
    },
  };
}

/** The last `at FILE:LINE:COLUMN` of a compile error: the user's line, as Vite's overlay shows it. */
export function userLine(message: string, graphFile: string) {
  const matches = [...message.matchAll(/\bat (?:.*\()?([^\s()]+):(\d+):(\d+)\)?/g)];
  const last = matches.at(-1);
  if (last === undefined) return undefined;
  const [, named, line, column] = last;
  const file = path.basename(named) === path.basename(graphFile) ? graphFile : path.resolve(named);
  return { file, line: Number(line), column: Number(column) - 1 };
}
