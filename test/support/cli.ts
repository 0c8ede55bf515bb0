// The `adjoint` command as a child process from the repository root, for the CLI tests.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "compiler", "cli", "adjoint.mjs");
/** The CLI from its sources: `adjoint` and `@adjoint/runtime` resolve to theirs too. */
const nodeArgs = ["--conditions=adjoint-source", cli];

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node compiler/cli/adjoint.mjs ...args` in the repository root. */
export function adjoint(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** A fresh folder (relative to the root) in a gitignored place inside the repository, so `import "adjoint"` resolves. */
export function tempFolder(prefix: string): string {
  mkdirSync(path.join(root, ".vitest-tmp"), { recursive: true });
  return path.relative(root, mkdtempSync(path.join(root, ".vitest-tmp", prefix)));
}
