// `adjoint explain FILE [--entry NAME]`: each derivative of a scalar graph as a simplified formula.
import { parseArgs } from "node:util";
import { explain, explanationText } from "../explain/explain.ts";
import { loadProgram } from "./compile.ts";
import { reportingErrors, usageError } from "./exit.ts";

const explainHelp = `Usage: adjoint explain [options] <file.graph.ts>

Prints, for each entry point that fetches a scalar, every fetched value as a formula of the
scalar inputs and params, with its partial derivatives simplified the way they are derived by
hand (for f = x²·y + y + 2: ∂f/∂x = 2·x·y, ∂f/∂y = x² + 1). Works on scalar graphs of
elementwise ops.

Options:
  --entry <name>  explain only this entry point
  -h, --help      show this help

Exit status: 0 on success, 1 when the graph cannot be explained, 2 on a usage error.`;

export async function runExplain(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        entry: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return usageError((error as Error).message, explainHelp);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(explainHelp);
    return 0;
  }
  if (positionals.length !== 1) {
    return usageError(
      positionals.length === 0 ? "no graph file given" : "give one graph file",
      explainHelp,
    );
  }
  return reportingErrors(async () => {
    const program = await loadProgram(positionals[0]);
    console.log(explanationText(program, explain(program, values.entry)));
    return 0;
  });
}
