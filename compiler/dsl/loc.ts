// Finds the user's line in the stack: the first frame outside the compiler itself.
import { findSourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceLoc } from "../errors.ts";

const compilerDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const framePattern = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?$/;

export function callerLoc(): SourceLoc | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  try {
    const sites = callSites();
    return sites === undefined ? fromStackText() : fromCallSites(sites);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function isUserFile(file: string): boolean {
  if (file.startsWith("node:") || file.includes(`${path.sep}node_modules${path.sep}`)) return false;
  return !file.startsWith(compilerDir + path.sep);
}

/** The raw call sites of the caller of callerLoc, when the engine hands them out. */
function callSites(): NodeJS.CallSite[] | undefined {
  const previous = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, sites) => sites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, callerLoc);
    // read while the override is in place: the stack is prepared on first access
    const sites = holder.stack;
    return Array.isArray(sites) ? (sites as NodeJS.CallSite[]) : undefined;
  } finally {
    Error.prepareStackTrace = previous;
  }
}

// Mapped places by raw position: a loop in the user's file creates many nodes from one line.
const mappedPlaces = new Map<string, SourceLoc | null>();

/**
 * The fast way, for large graphs: raw positions mapped through the loader's source map, cached.
 * Falls back to the stack text when a user frame has no such map (another loader maps it).
 */
function fromCallSites(sites: readonly NodeJS.CallSite[]): SourceLoc | undefined {
  for (const site of sites) {
    const name = site.getFileName();
    if (name === undefined || name === null) continue;
    const line = site.getLineNumber() ?? 0;
    const column = site.getColumnNumber() ?? 0;
    const key = `${name}:${line}:${column}`;
    const known = mappedPlaces.get(key);
    if (known === null) continue;
    if (known !== undefined) return known;
    const file = name.startsWith("file://") ? fileURLToPath(name) : name;
    if (!isUserFile(file)) {
      mappedPlaces.set(key, null);
      continue;
    }
    const map = findSourceMap(name);
    if (map === undefined) return fromStackText();
    const entry = map.findEntry(line - 1, column - 1);
    if (!("originalLine" in entry)) return fromStackText();
    const place = { file, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
    mappedPlaces.set(key, place);
    return place;
  }
  return undefined;
}

function fromStackText(): SourceLoc | undefined {
  const stack = new Error().stack ?? "";
  for (const line of stack.split("\n").slice(1)) {
    const match = framePattern.exec(line.trim());
    if (match === null) continue;
    const file = match[1].startsWith("file://") ? fileURLToPath(match[1]) : match[1];
    if (!isUserFile(file)) continue;
    return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}
