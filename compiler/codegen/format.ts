// Generated code is formatted by prettier with fixed options, so output never depends on the machine.
import * as prettier from "prettier";

/** Must match the repository's .prettierrc.json, so `prettier --check` accepts generated files. */
export const prettierOptions: prettier.Options = { parser: "typescript", printWidth: 100 };

export async function formatTypeScript(source: string): Promise<string> {
  return prettier.format(source, prettierOptions);
}
