// How every command ends: 0 on success, 1 for a user-facing AdjointError, 2 for a usage error.
import { writeSync } from "node:fs";
import { AdjointError } from "../errors.ts";

/** Runs a command, printing an AdjointError as one clean message (exit 1) instead of a stack. */
export async function reportingErrors(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (error) {
    if (error instanceof AdjointError) {
      console.error(`adjoint: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** Prints a usage problem followed by the command's help; exit status 2. */
export function usageError(message: string, help: string): number {
  console.error(`adjoint: ${message}\n\n${help}`);
  return 2;
}

/**
 * Loads a graph file with `load`, failing the command if the file ends the process meanwhile
 * (process.exit(0) in a graph file would otherwise exit 0 with nothing written).
 */
export async function loadingGuarded<T>(file: string, load: () => Promise<T>): Promise<T> {
  const onExit = (code: number) => {
    // only synchronous work runs in an exit listener: write straight to stderr
    writeSync(
      2,
      `adjoint: ${file}: the graph file ended the process (exit code ${code}) while it was ` +
        `loading; a graph file must only build and export its program\n`,
    );
    process.exitCode = 1;
  };
  process.on("exit", onExit);
  try {
    return await load();
  } finally {
    process.off("exit", onExit);
  }
}
