// Names from the DSL become identifiers in generated code: only plain identifiers pass.
import { AdjointError, type SourceLoc } from "../errors.ts";

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Words that cannot name a binding in strict-mode TypeScript, or that would shadow what generated code uses. */
export const reservedWords: ReadonlySet<string> = new Set([
  ...["break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete"],
  ...["do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if"],
  ...["import", "in", "instanceof", "new", "null", "return", "super", "switch", "this", "throw"],
  ...["true", "try", "typeof", "var", "void", "while", "with", "yield", "let", "static"],
  ...["implements", "interface", "package", "private", "protected", "public", "await", "async"],
  ...["arguments", "eval", "undefined", "NaN", "Infinity", "Math", "Object", "Array", "Error"],
  ...["Float64Array", "Float32Array", "constructor", "prototype", "__proto__", "toString"],
]);

/** Types a generated module refers to by name, which the program's own type must not shadow. */
export const moduleTypeNames: ReadonlySet<string> = new Set([
  "Feeds",
  "InputSpec",
  "Float64Array",
  "Float32Array",
]);

export function checkName(kind: string, name: unknown, loc: SourceLoc | undefined): string {
  if (typeof name !== "string" || !identifier.test(name) || reservedWords.has(name)) {
    const shown = typeof name === "string" ? JSON.stringify(name) : String(name);
    throw new AdjointError(
      `${kind} name ${shown} is not a valid name: use letters, digits and _ (not starting with a digit), ` +
        `and not a reserved word`,
      loc,
    );
  }
  return name;
}

/** A dotted path as one identifier: "layer1.W" -> "layer1_W" (a flat name is itself). */
export function pathIdentifier(path: string): string {
  return path.replaceAll(".", "_");
}

/** "grad" -> "Grad", "a_b" -> "A_b": distinct names stay distinct. */
export function capitalize(name: string): string {
  return name[0].toUpperCase() + name.slice(1);
}

/** "quadratic" -> "Quadratic", "two_layer" -> "TwoLayer". */
export function pascalCase(name: string): string {
  return name
    .split("_")
    .filter((part) => part !== "")
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join("");
}
