// Writing generated files: into a temporary file beside the target, then renamed over it, so a
// reader sees the old file or the new one, never a half-written one. File-system failures become
// one AdjointError line naming the path and the reason.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { AdjointError } from "../errors.ts";

const reasons: Readonly<Record<string, string>> = {
  ENOTDIR: "a part of the path is a file, not a directory",
  EISDIR: "it is a directory",
  EEXIST: "it exists and is not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  ENAMETOOLONG: "the name is too long",
};

/** An fs error as one readable line: what could not be done to which path, and why. */
export function fileError(what: string, file: string, error: unknown): AdjointError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    (code !== undefined ? reasons[code] : undefined) ??
    (error instanceof Error ? error.message.split("\n")[0] : String(error));
  return new AdjointError(`cannot ${what} ${file}: ${reason}`);
}

/** Creates `dir` and its parents; fails with one line when it cannot be a directory. */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    // mkdir accepts an existing path of any kind on some platforms: make sure it is a directory
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error(), { code: "EEXIST" });
  } catch (error) {
    throw fileError("create the directory", dir, error);
  }
}

/** The text of `file`, or undefined when there is none. */
export async function readIfPresent(file: string): Promise<string | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw fileError("read", file, error);
  }
}

/** Writes `text` to `file` by renaming a complete temporary file in the same directory over it. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await makeDirectory(dir);
  const temporary = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (error) {
    // the write's failure is the one to report; a leftover temporary file is secondary
    await rm(temporary, { force: true }).catch(() => undefined);
    throw fileError("write", file, error);
  }
}
