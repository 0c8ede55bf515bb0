// Generated code is formatted by prettier with fixed options, so output never depends on the machine.
// prettier loads on the first module formatted, not with the compiler (`adjoint --version`).
import type { Options } from "prettier";

/** Must match the repository's .prettierrc.json, so `prettier --check` accepts generated files. */
export const prettierOptions: Options = { parser: "typescript", printWidth: 100 };

export async function formatTypeScript(source: string): Promise<string> {
  const prettier = await import("prettier");
  return prettier.format(source, prettierOptions);
}

let verifying = false;

/**
 * Turns on a check that every generated module is exactly what prettier prints (the test suite
 * keeps it on, so the direct layout of bodies can never drift from the formatter).
 */
export function setFormatVerification(on: boolean): void {
  verifying = on;
}

export async function verifyFormatting(source: string): Promise<void> {
  if (!verifying) return;
  const formatted = await formatTypeScript(source);
  if (formatted === source) return;
  const ours = source.split("\n");
  const theirs = formatted.split("\n");
  const line = ours.findIndex((text, index) => text !== theirs[index]);
  throw new Error(
    `codegen: line ${line + 1} is not laid out as prettier would\n  ours:     ${ours[line]}\n  prettier: ${theirs[line]}`,
  );
}
