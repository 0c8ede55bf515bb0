// What a check reports when a program fails it.
import { AdjointError } from "../compiler/errors.ts";
import { AdjointRuntimeError } from "../runtime/core.ts";

export class FuzzFailure extends Error {
  override readonly name = "FuzzFailure";
  constructor(
    /** Which check failed: "lowering fusion off", "grad", "error", ... */
    readonly check: string,
    message: string,
  ) {
    super(message);
  }
}

/** A message meant for a reader: our error classes, with no stack frames in the message itself. */
export function isClear(error: unknown): boolean {
  if (!(error instanceof AdjointError || error instanceof AdjointRuntimeError)) return false;
  const [first, ...rest] = error.message.split("\n");
  return first.trim() !== "" && rest.every((line) => /^ {2}at [^()]+:\d+:\d+$/.test(line));
}

/** Any error thrown while checking a valid program, as a failure of `check`. */
export function asFailure(check: string, error: unknown): FuzzFailure {
  if (error instanceof FuzzFailure) return error;
  const text = error instanceof Error ? error.message : String(error);
  if (isClear(error)) return new FuzzFailure(check, `rejected a valid program: ${text}`);
  const stack = error instanceof Error ? (error.stack ?? text) : text;
  return new FuzzFailure(
    check,
    `raw error (not an AdjointError): ${stack.split("\n").slice(0, 6).join("\n")}`,
  );
}
