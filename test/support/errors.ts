// Asserting build errors: the AdjointError a DSL body throws, its message parts, and the line of the
// calling test file that the error points at (marked with a trailing `// @marker` comment).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { AdjointError, program, type ProgramBuilder } from "../../compiler/index.ts";

/** The AdjointError that building a program with `body` throws. */
export function failure(body: (g: ProgramBuilder) => void): AdjointError {
  try {
    program("p", body);
  } catch (error) {
    if (error instanceof AdjointError) return error;
    throw error;
  }
  throw new Error("expected an AdjointError");
}

/**
 * A checker for errors raised from the test file at `fileUrl` (its import.meta.url): the message
 * holds every part, is one line plus the place (no stack), and points at the line marked `marker`.
 */
export function markedErrors(fileUrl: string) {
  const file = fileURLToPath(fileUrl);
  const lines = readFileSync(file, "utf8").split("\n");
  const lineOf = (marker: string): number => {
    const found = lines.flatMap((line, i) => (line.endsWith(`// @${marker}`) ? [i + 1] : []));
    expect(found, `marker @${marker}`).toHaveLength(1);
    return found[0];
  };
  return (error: AdjointError, parts: readonly string[], marker: string): void => {
    for (const part of parts) expect(error.message).toContain(part);
    const line = lineOf(marker);
    expect(error.loc).toMatchObject({ file, line });
    expect(error.message).toContain(`\n  at ${path.relative(process.cwd(), file)}:${line}:`);
    expect(error.message.split("\n")).toHaveLength(2);
  };
}

/** Building `body` fails with every one of `parts`, pointing at the line marked `marker`. */
export function errorsIn(fileUrl: string) {
  const expectError = markedErrors(fileUrl);
  return (body: (g: ProgramBuilder) => void, parts: readonly string[], marker: string): void =>
    expectError(failure(body), parts, marker);
}
