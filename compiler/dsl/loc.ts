// Finds the user's line in the stack: the first frame outside the compiler itself.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceLoc } from "../errors.ts";

const compilerDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const framePattern = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?$/;

export function callerLoc(): SourceLoc | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const line of stack.split("\n").slice(1)) {
    const match = framePattern.exec(line.trim());
    if (match === null) continue;
    const file = match[1].startsWith("file://") ? fileURLToPath(match[1]) : match[1];
    if (file.startsWith("node:") || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (file.startsWith(compilerDir + path.sep)) continue;
    return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}
