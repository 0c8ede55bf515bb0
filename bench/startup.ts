// Time to the first gradient in a fresh process: the runtime and a generated module are transpiled
// to plain JavaScript in a temporary folder, and plain `node` (no tsx, so module loading is real)
// runs a script that imports them, creates an instance and takes one gradient.
//
// The runtime is laid out as an installed package (node_modules/@adjoint/runtime: the JavaScript
// `npm run build` wrote, and its package.json), and the module is run twice: importing the runtime
// by file path, as a bundle or a relative import would, and by package name, which makes Node look
// the package up and read its package.json. Two empty files, one importing the other, give Node's floor for any module that
// imports a runtime. The three scripts run in turn, so each sees the same load on a shared machine.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ts } from "ts-morph";
import { repositoryRoot } from "./children.ts";
import { oneLine } from "./format.ts";
import { median } from "./timing.ts";

export interface StartupResult {
  readonly module: string;
  readonly spawns: number;
  /** performance.now() when the script body starts: Node's own start-up, before any of ours. */
  readonly scriptStartMs: number;
  /** performance.now() right after the first gradient: from process start. */
  readonly firstGradientMs: number;
  /** The difference: importing the runtime and the module, creating an instance, one gradient. */
  readonly loadAndFirstGradientMs: number;
  /** The same, the module importing the runtime by package name (`adjoint/runtime/core`). */
  readonly byPackageNameMs: number;
  /** Importing two empty files, one importing the other: the floor for a module and its runtime. */
  readonly emptyImportMs: number;
}

const generatedModule = "generated/bench/w1_quadratic.ts";

interface Run {
  readonly start: number;
  readonly done: number;
}

export function measureStartup(spawns: number): StartupResult | { error: string } {
  const folder = mkdtempSync(path.join(os.tmpdir(), "adjoint-startup-"));
  try {
    const scripts = writeScripts(folder);
    const runs = { byPath: [] as Run[], byName: [] as Run[], empty: [] as Run[] };
    for (let spawn = 0; spawn < spawns; spawn++) {
      for (const kind of ["byPath", "byName", "empty"] as const) {
        const run = spawnOnce(scripts[kind], kind !== "empty");
        if (typeof run === "string") return { error: run };
        runs[kind].push(run);
      }
    }
    const took = (list: readonly Run[]) => median(list.map((run) => run.done - run.start));
    return {
      module: generatedModule,
      spawns,
      scriptStartMs: median(runs.byPath.map((run) => run.start)),
      firstGradientMs: median(runs.byPath.map((run) => run.done)),
      loadAndFirstGradientMs: took(runs.byPath),
      byPackageNameMs: took(runs.byName),
      emptyImportMs: took(runs.empty),
    };
  } catch (error) {
    return { error: oneLine(String(error)) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Writes the package, the module twice, the empty pair and a script for each; returns the scripts. */
function writeScripts(folder: string): Record<"byPath" | "byName" | "empty", string> {
  // the runtime as installed: its package.json and the JavaScript tsc built (npm run build)
  const built = path.join(repositoryRoot, "runtime");
  const packageFolder = path.join(folder, "node_modules", "@adjoint", "runtime");
  cpSync(path.join(built, "dist"), path.join(packageFolder, "dist"), { recursive: true });
  cpSync(path.join(built, "package.json"), path.join(packageFolder, "package.json"));
  const exports = JSON.parse(readFileSync(path.join(built, "package.json"), "utf8"))
    .exports as Record<string, string | { readonly import?: string }>;
  const source = readFileSync(path.join(repositoryRoot, generatedModule), "utf8");
  const factory = /export function (create\w+)\(/.exec(source)?.[1];
  if (factory === undefined) throw new Error(`${generatedModule} exports no create function`);
  const module = toJavaScript(source);
  const byPath = module.replace(
    /(["'])@adjoint\/runtime([^"']*)\1/g,
    (_whole, quote: string, subpath: string) => {
      const target = exports[`.${subpath}`];
      const file = typeof target === "object" ? target.import : target;
      if (file === undefined) throw new Error(`@adjoint/runtime does not export .${subpath}`);
      return `${quote}./node_modules/@adjoint/runtime/${file.slice(2)}${quote}`;
    },
  );
  writeFileSync(path.join(folder, "by-path.mjs"), byPath);
  writeFileSync(path.join(folder, "by-name.mjs"), module);
  writeFileSync(path.join(folder, "empty-runtime.mjs"), "export const nothing = 0;\n");
  writeFileSync(path.join(folder, "empty.mjs"), 'export { nothing } from "./empty-runtime.mjs";\n');
  // everything between the two clock reads is ours; printing the result comes after
  const write = (name: string, lines: readonly string[], printed: string) => {
    const script = path.join(folder, name);
    const timed = ["const start = performance.now();", ...lines, "const done = performance.now();"];
    writeFileSync(script, [...timed, `console.log(JSON.stringify(${printed}));`].join("\n") + "\n");
    return script;
  };
  const firstGradient = (module: string) => [
    `const { ${factory} } = await import("./${module}");`,
    `const instance = ${factory}();`,
    "instance.inputs.x[0] = 3;",
    "instance.inputs.y[0] = 4;",
    "const { df_dx } = instance.grad();",
  ];
  const gradientPrinted = "{ start, done, df_dx: df_dx[0] }";
  return {
    byPath: write("first-gradient-by-path.mjs", firstGradient("by-path.mjs"), gradientPrinted),
    byName: write("first-gradient-by-name.mjs", firstGradient("by-name.mjs"), gradientPrinted),
    empty: write("empty-import.mjs", ['await import("./empty.mjs");'], "{ start, done }"),
  };
}

function toJavaScript(source: string): string {
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}

/** One fresh process; a gradient script must print the known ∂f/∂x. */
function spawnOnce(script: string, gradient: boolean): Run | string {
  const child = spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 30_000 });
  if (child.status !== 0)
    return `node ${path.basename(script)}: exit ${child.status}: ${child.stderr.trim()}`;
  const result = JSON.parse(child.stdout) as { start: number; done: number; df_dx?: number };
  if (gradient && result.df_dx !== 24)
    return `${path.basename(script)}: the first gradient gave ∂f/∂x = ${result.df_dx}, not 24`;
  return result;
}
