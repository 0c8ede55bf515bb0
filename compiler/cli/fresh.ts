// Loading a graph file afresh: each call runs the current text of the file and of every file it
// imports (see fresh-hooks.mjs), so a long-running process sees edits without restarting.
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Program } from "../ir/program.ts";
import { loadProgram } from "./compile.ts";

let registered = false;
let generation = 0;

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function registerHooks(): void {
  if (registered) return;
  registered = true;
  // the compiler and the runtime are shared: a program built by a second copy of the DSL would
  // still be a program, but two copies of the compiler's tables in one process help nobody
  const shared = ["compiler", "runtime"].map(
    (dir) => pathToFileURL(path.join(packageRoot, dir)).href + "/",
  );
  register("./fresh-hooks.mjs", import.meta.url, { data: { shared } });
}

/** The program of `file` as its text (and its imports' text) is now. */
export function loadFreshProgram(file: string): Promise<Program> {
  registerHooks();
  generation += 1;
  return loadProgram(file, `adjoint-generation=${generation}`);
}
