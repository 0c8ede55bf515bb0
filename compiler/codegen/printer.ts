// Code text laid out exactly as prettier would, so large bodies skip the formatter.
import { prettierOptions } from "./format.ts";

const indentUnit = "  ";
export const printWidth = prettierOptions.printWidth!;

/** Statements and braces, one per line, indented by brace depth from `depth`; "" is a blank line. */
export function indentLines(lines: readonly string[], depth: number): string[] {
  const out: string[] = [];
  let level = depth;
  for (const line of lines) {
    const text = line.trim();
    if (text === "") {
      out.push("");
      continue;
    }
    if (text.startsWith("}")) level--;
    out.push(indentUnit.repeat(level) + (text.startsWith("//") ? text : canonicalCode(text)));
    if (text.endsWith("{")) level++;
  }
  return out;
}

// A negative literal in parentheses where prettier drops them: not after a unary sign, not a
// callee's own parentheses, not the base of `**`.
const redundantParens = /(?<![\w$)\]+-])\((-(?:\d[\d.]*(?:e-?\d+)?|Infinity))\)(?! \*\*)/g;

/** The spelling prettier gives a statement that emitters write with defensive parentheses. */
export function canonicalCode(text: string): string {
  const comment = text.lastIndexOf("; // ");
  if (comment < 0) return text.replace(redundantParens, "$1");
  return text.slice(0, comment).replace(redundantParens, "$1") + text.slice(comment);
}

/**
 * Removes what prettier removes around inserted bodies: blank lines that open or close a block
 * and runs of blank lines.
 */
export function tidyBlankLines(text: string): string {
  return text
    .replace(/\{\n(?:[ \t]*\n)+/g, "{\n")
    .replace(/\n(?:[ \t]*\n)+([ \t]*\})/g, "\n$1")
    .replace(/\n(?:[ \t]*\n){2,}/g, "\n\n");
}

/** True when a line is too long for prettier to leave alone. */
export function overWidth(text: string): boolean {
  return text.split("\n").some((line) => line.length > printWidth);
}
