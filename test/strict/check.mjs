// Generated modules and the runtime's published types (runtime/dist, built by `npm run build`)
// under the strictest common settings, with `module` nodenext and bundler, in TypeScript 7 and 5.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, "..", "..", "node_modules");
const compilers = [
  ["TypeScript 7", path.join(modules, "typescript", "bin", "tsc")],
  ["TypeScript 5", path.join(modules, "typescript5", "bin", "tsc")],
];
let failed = false;
for (const [name, tsc] of compilers) {
  for (const resolution of ["nodenext", "bundler"]) {
    const project = path.join(here, `tsconfig.${resolution}.json`);
    const version = spawnSync(process.execPath, [tsc, "--version"], { encoding: "utf8" });
    const run = spawnSync(process.execPath, [tsc, "-p", project], { encoding: "utf8" });
    const ok = run.status === 0;
    console.log(`${ok ? "ok  " : "FAIL"} ${name} (${version.stdout.trim()}), module ${resolution}`);
    if (!ok) {
      process.stdout.write(run.stdout + run.stderr);
      failed = true;
    }
  }
}
process.exitCode = failed ? 1 : 0;
