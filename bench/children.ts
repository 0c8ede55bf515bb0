// Child processes of the benchmark: TypeScript files run by node with tsx loaded (--import tsx),
// with a time limit after which the child is killed; the last JSON line of its stdout is its result.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { oneLine } from "./format.ts";

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export type ChildResult =
  | { readonly ok: true; readonly json: Record<string, unknown>; readonly seconds: number }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly seconds: number;
      readonly lines: readonly Record<string, unknown>[];
    };

export function runChild(
  script: string,
  args: readonly string[],
  options: { readonly timeoutMs: number; readonly nodeFlags?: readonly string[] },
): ChildResult {
  const start = performance.now();
  const child = spawnSync(
    process.execPath,
    [...(options.nodeFlags ?? []), "--import", "tsx", path.join(repositoryRoot, script), ...args],
    {
      cwd: repositoryRoot,
      encoding: "utf8",
      timeout: Math.max(1, Math.round(options.timeoutMs)),
      maxBuffer: 16 << 20,
    },
  );
  const seconds = (performance.now() - start) / 1000;
  const lines = jsonLines(child.stdout ?? "");
  if (child.error !== undefined) {
    const timedOut = (child.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
    const reason = timedOut
      ? `timed out after ${Math.round(options.timeoutMs / 1000)} s`
      : String(child.error);
    return { ok: false, reason, seconds, lines };
  }
  const last = lines.at(-1);
  if (child.status !== 0 || last === undefined) {
    return {
      ok: false,
      reason: `exit ${child.status}: ${oneLine(child.stderr ?? "")}`,
      seconds,
      lines,
    };
  }
  return { ok: true, json: last, seconds };
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
