// Every user-facing failure is an AdjointError: a message meant to be read, never a deep stack.
import path from "node:path";

/** Where a node was declared in the user's graph file. */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export class AdjointError extends Error {
  override readonly name = "AdjointError";
  constructor(
    message: string,
    readonly loc?: SourceLoc,
  ) {
    super(loc === undefined ? message : `${message}\n  at ${formatLoc(loc)}`);
  }
}

/**
 * An op refused its operands or arguments: `op: reason`, with `detail` (the inputs' ids and
 * shapes) after it. A composite built from ops reports the reason again under its own name.
 */
export class OpError extends AdjointError {
  constructor(
    readonly op: string,
    readonly reason: string,
    detail: string,
    loc?: SourceLoc,
  ) {
    super(`${op}: ${reason}${detail}`, loc);
  }
}

/** `file:line:column`, the file relative to the working directory when it lies below it. */
export function formatLoc(loc: SourceLoc): string {
  const relative = path.relative(process.cwd(), loc.file);
  const file = relative.startsWith("..") || path.isAbsolute(relative) ? loc.file : relative;
  return `${file}:${loc.line}:${loc.column}`;
}
