// Telling a generated file that a formatter rewrote from one a person edited: the same code laid out
// differently is "formatted differently", which --check accepts; anything else is "hand-edited".
import path from "node:path";
import * as prettier from "prettier";
import { ts } from "ts-morph";

export type Difference = "same" | "formatted differently" | "hand-edited";

/** How the file on disk (`current`) differs from what the compiler writes (`expected`). */
export async function compareGenerated(
  file: string,
  expected: string,
  current: string,
): Promise<Difference> {
  if (current === expected) return "same";
  if (await sameOnceFormatted(file, expected, current)) return "formatted differently";
  return sameTokens(expected, current) ? "formatted differently" : "hand-edited";
}

/** Both texts formatted with the prettier config that applies to `file` (prettier's defaults without one). */
async function sameOnceFormatted(file: string, expected: string, current: string) {
  const config = (await prettier.resolveConfig(path.resolve(file)).catch(() => null)) ?? {};
  const options = { ...config, filepath: file };
  try {
    return (await prettier.format(expected, options)) === (await prettier.format(current, options));
  } catch {
    return false; // a file prettier cannot parse was not written by a formatter
  }
}

/**
 * The same tokens, whatever the whitespace, the quotes, and the optional commas, semicolons and
 * parentheses a formatter adds or drops; comments count, their whitespace collapsed.
 */
function sameTokens(expected: string, current: string): boolean {
  const a = tokens(expected);
  const b = tokens(current);
  return a.length === b.length && a.every((token, index) => token === b[index]);
}

const optional = new Set([
  ts.SyntaxKind.CommaToken,
  ts.SyntaxKind.SemicolonToken,
  ts.SyntaxKind.OpenParenToken,
  ts.SyntaxKind.CloseParenToken,
]);

function tokens(text: string): string[] {
  const scanner = ts.createScanner(
    ts.ScriptTarget.Latest,
    false,
    ts.LanguageVariant.Standard,
    text,
  );
  const result: string[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.WhitespaceTrivia || kind === ts.SyntaxKind.NewLineTrivia) continue;
    if (optional.has(kind)) continue;
    if (
      kind === ts.SyntaxKind.SingleLineCommentTrivia ||
      kind === ts.SyntaxKind.MultiLineCommentTrivia
    ) {
      result.push(scanner.getTokenText().replace(/\s+/g, " "));
    } else if (kind === ts.SyntaxKind.StringLiteral)
      result.push(JSON.stringify(scanner.getTokenValue()));
    else result.push(scanner.getTokenText());
  }
  return result;
}
