// Element reads of emitted lines get a non-null assertion (`x_buf[0]!`), so generated modules
// compile under `noUncheckedIndexedAccess`. Every index the planner emits is in bounds by
// construction (checkIndex guards the data-dependent ones), and `!` is erased: no runtime cost.

/**
 * A plain assignment after `a[i]` makes it a write alone; a compound one (`a[i] += x`) reads it
 * too, and TypeScript accepts the assertion there (`a[i]! += x`).
 */
const assignment = /^\s*=(?!=)/;

/** A local declared from an element read: `const t = t_buf[0]`. */
const elementLocal = /^(\s*(?:const|let) [\w$]+)( = [\w$]+\[)/;

/**
 * `line` with `!` after every `name[index]` that is read, strings and comments as they were; a
 * local declared from an element read is typed `number`, since inside a loop TypeScript's narrowing
 * of `buf[0]` can otherwise refer back to the local itself (TS7022).
 */
export function assertElementReads(line: string): string {
  return rewrite(line, 0, line.length).text.replace(elementLocal, "$1: number$2");
}

function rewrite(line: string, from: number, to: number): { text: string; end: number } {
  let text = "";
  let at = from;
  while (at < to) {
    const char = line[at]!;
    if (char === "/" && line[at + 1] === "/") return { text: text + line.slice(at, to), end: to };
    if (char === '"' || char === "'" || char === "`") {
      const end = stringEnd(line, at);
      text += line.slice(at, end);
      at = end;
      continue;
    }
    if (char === "[" && isIndexed(line, at)) {
      const close = matchingBracket(line, at);
      const inner = rewrite(line, at + 1, close).text;
      const rest = line.slice(close + 1);
      const read = inner.trim() !== "" && !assignment.test(rest) && !rest.startsWith("!");
      text += `[${inner}]${read ? "!" : ""}`;
      at = close + 1;
      continue;
    }
    text += char;
    at++;
  }
  return { text, end: at };
}

/** An index access follows a name, a call or another index; an array literal follows anything else. */
function isIndexed(line: string, bracket: number): boolean {
  const before = line[bracket - 1];
  return before !== undefined && /[\w$\])]/.test(before);
}

function matchingBracket(line: string, open: number): number {
  let depth = 0;
  for (let at = open; at < line.length; at++) {
    const char = line[at];
    if (char === '"' || char === "'" || char === "`") {
      at = stringEnd(line, at) - 1;
    } else if (char === "[") depth++;
    else if (char === "]" && --depth === 0) return at;
  }
  throw new Error(`codegen: unbalanced brackets in emitted line: ${line}`);
}

/** The index just past the string literal starting at `open`. */
function stringEnd(line: string, open: number): number {
  const quote = line[open];
  for (let at = open + 1; at < line.length; at++) {
    if (line[at] === "\\") at++;
    else if (line[at] === quote) return at + 1;
  }
  return line.length;
}
