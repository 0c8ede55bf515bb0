// Command line: `adjoint compile FILES --out DIR [--check]`, with help for every option.
import { parseArgs } from "node:util";
// Each command's modules load when it runs: `adjoint --version` and `--help` load none of them.
import { compilerVersion, defaultRuntimeImport } from "../codegen/version.ts";
import { reportingErrors, usageError } from "./exit.ts";

const mainHelp = `adjoint ${compilerVersion}: ahead-of-time automatic differentiation for TypeScript

Usage:
  adjoint compile [options] <file.graph.ts>...   compile graph files to TypeScript modules
  adjoint explain [options] <file.graph.ts>      print a scalar graph's derivatives as formulas
  adjoint --help                                 show this help
  adjoint --version                              show the version

Run \`adjoint compile --help\` or \`adjoint explain --help\` for their options.`;

const compileHelp = `Usage: adjoint compile [options] <file.graph.ts>...

Each file's default export must be a program (export default program("name", (g) => ...)).
FILE.graph.ts is written to OUT/FILE.ts as a formatted module exporting createName().

Options:
  --out <dir>              directory for generated modules (default: generated)
  --check                  write nothing; exit 1 naming every generated file that is missing,
                           stale (its graph changed) or hand-edited, exit 0 if all are current
  --runtime-import <spec>  module the generated code imports the runtime from
                           (default: ${defaultRuntimeImport})
  --svg <dir>              also draw each graph with its adjoint nodes to DIR/FILE.svg
  --dot <dir>              also write each graph as Graphviz DOT to DIR/FILE.dot
  --report                 print, per file and entry point, the node count after each pass,
                           the rules that fired, forward/backward operations, estimated flops,
                           arena bytes against no reuse, and the values saved for backward
  -h, --help               show this help

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
        out: { type: "string", default: "generated" },
        check: { type: "boolean", default: false },
        "runtime-import": { type: "string", default: defaultRuntimeImport },
        report: { type: "boolean", default: false },
        svg: { type: "string" },
        dot: { type: "string" },
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
  if (positionals.length === 0) return usageError("no graph files given", compileHelp);
  const options = { outDir: values.out, runtimeImport: values["runtime-import"] };
  return reportingErrors(async () => {
    const { checkFiles, compileFiles } = await import("./compile.ts");
    if (values.check) {
      const problems = await checkFiles(positionals, options);
      for (const problem of problems) console.error(problem);
      if (problems.length > 0) {
        console.error(
          `adjoint: ${problems.length} generated file(s) out of date; run adjoint compile`,
        );
        return 1;
      }
      console.log(`adjoint: ${positionals.length} generated file(s) up to date`);
      return 0;
    }
    // every output directory is made first: a bad --svg or --dot fails before any module is written
    const { makeDirectory } = await import("./files.ts");
    for (const dir of [values.out, values.svg, values.dot])
      if (dir !== undefined) await makeDirectory(dir);
    const results = await compileFiles(positionals, options);
    for (const result of results) console.log(`${result.status} ${result.output}`);
    if (values.report) {
      const { reportText } = await import("./report.ts");
      for (const result of results) console.log(reportText(result));
    }
    const pictures = { svgDir: values.svg, dotDir: values.dot };
    const { writePictures } = await import("./pictures.ts");
    for (const line of await writePictures(results, pictures)) console.log(line);
    return 0;
  });
}
