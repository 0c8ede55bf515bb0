// Command line: `adjoint compile [FILES] [--out DIR] [--check | --watch] [lowering flags]`, with
// help for every option; settings from adjoint.config.json under the flags.
import { parseArgs } from "node:util";
// Each command's modules load when it runs: `adjoint --version` and `--help` load none of them.
import { compilerVersion } from "../codegen/version.ts";
import type { CompileFilesOptions } from "./compile.ts";
import { configFileName, expandPrograms, mergeSettings, readConfig } from "./config.ts";
import { reportingErrors, usageError } from "./exit.ts";
import { flagHelp, flagOptions, settingsFromFlags, type Settings } from "./settings.ts";

const mainHelp = `adjoint ${compilerVersion}: ahead-of-time automatic differentiation for TypeScript

Usage:
  adjoint compile [options] <file.graph.ts>...   compile graph files to TypeScript modules
  adjoint explain [options] <file.graph.ts>      print a scalar graph's derivatives as formulas
  adjoint --help                                 show this help
  adjoint --version                              show the version

Run \`adjoint compile --help\` or \`adjoint explain --help\` for their options.`;

const compileHelp = `Usage: adjoint compile [options] [<file.graph.ts>...]

Each file's default export must be a program (export default program("name", (g) => ...)).
FILE.graph.ts is written to OUT/FILE.ts as a formatted module exporting createName()
(with --emit js: OUT/FILE.js and OUT/FILE.d.ts).

Settings come from ${configFileName} in the working directory (or --config FILE), with
"programs" (files or globs, relative to the file) and the flags' names in camelCase as keys
(e.g. { "programs": ["src/**/*.graph.ts"], "out": "generated", "dtype": "f32" });
flags override the file, and files on the command line replace its programs.

Options:
${flagHelp()}
  --config <file>            read the settings from FILE instead of ./${configFileName}
  --check                    write nothing; exit 1 naming every generated file that is missing,
                             stale (its graph changed) or hand-edited, exit 0 if all are current
                             (a file only laid out differently by a formatter is current)
  --watch                    compile, then recompile each graph file when it or a file it
                             imports changes; errors are printed and watching goes on
  -h, --help                 show this help

Exit status: 0 on success, 1 on a compile error or a failed check, 2 on a usage error.`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(mainHelp);
    return command === undefined ? 2 : 0;
  }
  if (command === "--version" || command === "-v") {
    console.log(compilerVersion);
    return 0;
  }
  if (command === "explain") return (await import("./explain.ts")).runExplain(rest);
  if (command !== "compile") return usageError(`unknown command "${command}"`, mainHelp);
  return runCompile(rest);
}

async function runCompile(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        ...flagOptions(),
        config: { type: "string" },
        check: { type: "boolean", default: false },
        watch: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return usageError((error as Error).message, compileHelp);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(compileHelp);
    return 0;
  }
  let flags;
  try {
    flags = settingsFromFlags(values);
  } catch (error) {
    return usageError((error as Error).message, compileHelp);
  }
  return reportingErrors(async () => {
    const settings = mergeSettings(await readConfig(values.config), flags, positionals);
    if (settings.programs.length === 0)
      return usageError(
        `no graph files given (on the command line or in ${configFileName})`,
        compileHelp,
      );
    const files = await expandPrograms(settings.programs);
    const options = compileOptions(settings);
    if (values.check) return runCheck(files, options);
    if (values.watch) {
      // loaded only here: the module hooks and the import scanner serve watching alone
      const { watchFiles } = await import("./watch.ts");
      return watchFiles(files, options, settings.programs);
    }
    // every output directory is made first: a bad --svg or --dot fails before any module is written
    const { makeDirectory } = await import("./files.ts");
    for (const dir of [settings.out, settings.svg, settings.dot])
      if (dir !== undefined) await makeDirectory(dir);
    const { compileFiles } = await import("./compile.ts");
    const results = await compileFiles(files, options);
    for (const result of results)
      for (const output of result.outputs) console.log(`${result.status} ${output}`);
    if (settings.report) {
      const { reportText } = await import("./report.ts");
      for (const result of results) console.log(reportText(result));
    }
    const pictures = { svgDir: settings.svg, dotDir: settings.dot };
    const { writePictures } = await import("./pictures.ts");
    for (const line of await writePictures(results, pictures)) console.log(line);
    return 0;
  });
}

async function runCheck(files: readonly string[], options: CompileFilesOptions): Promise<number> {
  const { checkGenerated } = await import("./compile.ts");
  const { problems, formatted } = await checkGenerated(files, options);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`adjoint: ${problems.length} generated file(s) out of date; run adjoint compile`);
    return 1;
  }
  for (const file of formatted)
    console.log(`formatted differently: ${file} (the compiler's code, laid out by a formatter)`);
  const note = formatted.length > 0 ? ` (${formatted.length} formatted differently)` : "";
  console.log(`adjoint: ${files.length} generated file(s) up to date${note}`);
  return 0;
}

/** What compileFiles needs of the merged settings. */
export function compileOptions(settings: Settings): CompileFilesOptions {
  return {
    outDir: settings.out,
    runtimeImport: settings.runtimeImport,
    emit: settings.emit,
    dtype: settings.dtype,
    fusion: settings.fusion,
    maxFunctionLines: settings.maxFunctionLines,
    kernels: settings.kernels,
  };
}
