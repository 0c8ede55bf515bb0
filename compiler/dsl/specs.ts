// Checks of the records a program is declared with: leaf options and entry specs, each failing
// with the user's line and what was given instead.
import { AdjointError, type SourceLoc } from "../errors.ts";
import { describeValue } from "./arguments.ts";
import { callerLoc } from "./loc.ts";

/** The options argument of a declaration is a record (a bare "i32" would be ignored silently). */
export function checkOptions(what: string, options: unknown, expected: string): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new AdjointError(
      `${what}: options must be a record ${expected}, got ${describeValue(options)}`,
      callerLoc(),
    );
  }
}

/** An entry's update or accumulate list: pairs, each written [target, value]. */
export function pairList<T>(
  entry: string,
  what: string,
  form: string,
  value: readonly T[] | undefined,
  loc: SourceLoc | undefined,
): readonly T[] {
  if (value === undefined) return [];
  const bad = Array.isArray(value)
    ? value.findIndex((pair) => !Array.isArray(pair) || pair.length !== 2)
    : -1;
  if (!Array.isArray(value) || bad >= 0) {
    const given = Array.isArray(value)
      ? `item ${bad + 1} is ${describeValue(value[bad])}`
      : `got ${describeValue(value)}`;
    throw new AdjointError(
      `entry "${entry}": ${what} must be a list of ${form} pairs; ${given}`,
      loc,
    );
  }
  return value;
}

const specKeys = ["fetch", "update", "accumulate", "zero", "after"];

/** An entry's spec is a record of the known options (a misspelt one would be ignored silently). */
export function checkSpec(entry: string, spec: unknown, loc: SourceLoc | undefined): void {
  const expected = `{ ${specKeys.join(", ")} }`;
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new AdjointError(
      `entry "${entry}": expects a spec ${expected} as its second argument, got ${describeValue(spec)}`,
      loc,
    );
  }
  const unknown = Object.keys(spec).find((key) => !specKeys.includes(key));
  if (unknown !== undefined) {
    throw new AdjointError(
      `entry "${entry}": unknown option "${unknown}" (the spec takes ${expected})`,
      loc,
    );
  }
}
