// How every command ends: 0 on success, 1 for a user-facing AdjointError, 2 for a usage error.
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
