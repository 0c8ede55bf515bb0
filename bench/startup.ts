// Time to the first gradient in a fresh process: the runtime and a generated module are transpiled
// to plain JavaScript in a temporary folder, and plain `node` (no tsx, so module loading is real)
// runs a script that imports them, creates an instance and takes one gradient.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
}

const generatedModule = "generated/bench/w1_quadratic.ts";

export function measureStartup(spawns: number): StartupResult | { error: string } {
  const folder = mkdtempSync(path.join(os.tmpdir(), "adjoint-startup-"));
  try {
    const script = writeScripts(folder);
    const runs = Array.from({ length: spawns }, () => spawnOnce(script));
    const failed = runs.find((run) => typeof run === "string");
    if (typeof failed === "string") return { error: failed };
    const figures = runs as { start: number; done: number }[];
    return {
      module: generatedModule,
      spawns,
      scriptStartMs: median(figures.map((run) => run.start)),
      firstGradientMs: median(figures.map((run) => run.done)),
      loadAndFirstGradientMs: median(figures.map((run) => run.done - run.start)),
    };
  } catch (error) {
    return { error: oneLine(String(error)) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Writes the runtime into runtime/, the module as module.mjs and the script; returns the script. */
function writeScripts(folder: string): string {
  writeRuntime(path.join(repositoryRoot, "runtime"), path.join(folder, "runtime"));
  const source = readFileSync(path.join(repositoryRoot, generatedModule), "utf8");
  const factory = /export function (create\w+)\(/.exec(source)?.[1];
  if (factory === undefined) throw new Error(`${generatedModule} exports no create function`);
  const module = toJavaScript(source).replace(/(["'])adjoint\/runtime\1/g, '"./runtime/index.mjs"');
  writeFileSync(path.join(folder, "module.mjs"), module);
  const script = path.join(folder, "first-gradient.mjs");
  writeFileSync(
    script,
    [
      "const start = performance.now();",
      `const { ${factory} } = await import("./module.mjs");`,
      `const instance = ${factory}();`,
      "instance.inputs.x[0] = 3;",
      "instance.inputs.y[0] = 4;",
      "const { df_dx } = instance.grad();",
      "const done = performance.now();",
      "console.log(JSON.stringify({ start, done, df_dx: df_dx[0] }));",
    ].join("\n"),
  );
  return script;
}

/** Every .ts file of the runtime as .mjs, its relative imports pointing at the .mjs files. */
function writeRuntime(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) writeRuntime(source, path.join(to, entry.name));
    else if (entry.name.endsWith(".ts")) {
      const javaScript = toJavaScript(readFileSync(source, "utf8")).replace(
        /(["'])(\.{1,2}\/[^"']+)\.ts\1/g,
        "$1$2.mjs$1",
      );
      writeFileSync(path.join(to, entry.name.replace(/\.ts$/, ".mjs")), javaScript);
    }
  }
}

function toJavaScript(source: string): string {
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}

function spawnOnce(script: string): { start: number; done: number } | string {
  const child = spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 30_000 });
  if (child.status !== 0)
    return `node ${path.basename(script)}: exit ${child.status}: ${child.stderr.trim()}`;
  const result = JSON.parse(child.stdout) as { start: number; done: number; df_dx: number };
  if (result.df_dx !== 24) return `the first gradient gave ∂f/∂x = ${result.df_dx}, not 24`;
  return result;
}
