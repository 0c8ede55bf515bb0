// Loading graph files and writing (or checking) their generated modules.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  generate,
  hashLinePrefix,
  type Generated,
  type GenerateOptions,
} from "../codegen/generate.ts";
import { AdjointError } from "../errors.ts";
import { isProgram, type Program } from "../ir/program.ts";
import { loadingGuarded } from "./exit.ts";
import { compareGenerated } from "./compare.ts";
import { outputFiles } from "./emit.ts";
import { makeDirectory, readIfPresent, writeAtomically } from "./files.ts";
import type { Emit } from "./settings.ts";
import { registerTypeScriptLoader } from "./typescript-loader.ts";

export interface CompileFilesOptions extends LoweringOptions {
  readonly outDir: string;
  readonly runtimeImport: string;
  /** "ts" (default) or "js": a JavaScript module and its .d.ts. */
  readonly emit?: Emit;
}

/** The lowering options a project may set (adjoint.config.json, flags): GenerateOptions' own. */
export type LoweringOptions = Pick<
  GenerateOptions,
  "dtype" | "fusion" | "maxFunctionLines" | "kernels"
>;

interface Job {
  readonly input: string;
  /** The output path without its extension. */
  readonly base: string;
}

/** One graph file compiled: where it came from, where it went, and what the compiler made of it. */
export interface CompiledFile {
  readonly input: string;
  /** The first file written (the module itself); `outputs` lists all. */
  readonly output: string;
  readonly outputs: readonly string[];
  readonly program: Program;
  readonly generated: Generated;
  /** "wrote" or "unchanged". */
  readonly status: string;
}

/** Compiles each file and writes its module when the bytes differ. */
export async function compileFiles(
  files: readonly string[],
  options: CompileFilesOptions,
): Promise<CompiledFile[]> {
  const results: CompiledFile[] = [];
  await makeDirectory(options.outDir);
  for (const job of jobs(files, options.outDir)) results.push(await compileJob(job, options));
  return results;
}

/** Compiles one graph file into `outDir` (the watcher's unit of work). */
export async function compileFile(
  file: string,
  options: CompileFilesOptions,
  load: (file: string) => Promise<Program> = loadProgram,
): Promise<CompiledFile> {
  return compileJob(jobs([file], options.outDir)[0], options, load);
}

async function compileJob(
  job: Job,
  options: CompileFilesOptions,
  load: (file: string) => Promise<Program> = loadProgram,
): Promise<CompiledFile> {
  const program = await load(job.input);
  const generated = await generateFrom(program, job, options);
  const outputs = await outputFiles(generated.source, job.base, options.emit ?? "ts");
  let status = "unchanged";
  for (const { file, text } of outputs) {
    if ((await readIfPresent(file)) === text) continue;
    await writeAtomically(file, text);
    status = "wrote";
  }
  const files = outputs.map((output) => output.file);
  return { input: job.input, output: files[0], outputs: files, program, generated, status };
}

export interface CheckResult {
  /** One line per generated file that is missing, stale or hand-edited. */
  readonly problems: readonly string[];
  /** Files with the compiler's code laid out by a formatter (accepted). */
  readonly formatted: readonly string[];
}

/** One line per generated file that is missing, stale or hand-edited. */
export async function checkFiles(
  files: readonly string[],
  options: CompileFilesOptions,
): Promise<string[]> {
  return [...(await checkGenerated(files, options)).problems];
}

/** Every generated file compared with what the compiler writes now. */
export async function checkGenerated(
  files: readonly string[],
  options: CompileFilesOptions,
): Promise<CheckResult> {
  const problems: string[] = [];
  const formatted: string[] = [];
  for (const job of jobs(files, options.outDir)) {
    const generated = await generateFrom(await loadProgram(job.input), job, options);
    for (const { file, text } of await outputFiles(
      generated.source,
      job.base,
      options.emit ?? "ts",
    )) {
      const current = await readIfPresent(file);
      if (current === undefined) {
        problems.push(`missing: ${file} (compile ${job.input} to create it)`);
        continue;
      }
      if (current === text) continue;
      const recorded = current.split("\n").find((line) => line.includes(hashLinePrefix));
      if (recorded?.endsWith(generated.hash) !== true) {
        problems.push(`stale: ${file} (${job.input} compiles to a different module)`);
        continue;
      }
      const difference = await compareGenerated(file, text, current);
      if (difference === "formatted differently") formatted.push(file);
      else
        problems.push(
          `hand-edited: ${file} (its graph is unchanged, but the file differs from what the compiler writes)`,
        );
    }
  }
  return { problems, formatted };
}

function jobs(files: readonly string[], outDir: string): Job[] {
  const seen = new Map<string, string>();
  return files.map((input) => {
    const name = path.basename(input).replace(/(\.graph)?\.[cm]?ts$/, "");
    const base = path.join(outDir, name);
    const earlier = seen.get(base);
    if (earlier !== undefined) {
      throw new AdjointError(`${input} and ${earlier} would both be written to ${base}.*`);
    }
    seen.set(base, input);
    return { input, base };
  });
}

function generateFrom(
  program: Program,
  job: Job,
  options: CompileFilesOptions,
): Promise<Generated> {
  return generate(program, {
    runtimeImport: options.runtimeImport,
    sourceName: path.basename(job.input),
    dtype: options.dtype,
    fusion: options.fusion,
    maxFunctionLines: options.maxFunctionLines,
    kernels: options.kernels,
  });
}

/**
 * Imports a graph file and returns its default export, which must be a program; `query` is added
 * to its URL (fresh.ts loads each generation of a file under a query of its own).
 */
export async function loadProgram(file: string, query?: string): Promise<Program> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new AdjointError(`${file}: no such file`);
  let module: { default?: unknown };
  try {
    const url = pathToFileURL(absolute).href + (query === undefined ? "" : `?${query}`);
    await registerTypeScriptLoader();
    module = (await loadingGuarded(file, () => import(url))) as { default?: unknown };
  } catch (error) {
    if (error instanceof AdjointError) throw error;
    throw new AdjointError(`${file}: failed to load:\n${userStack(error)}`);
  }
  if (!isProgram(module.default)) {
    throw new AdjointError(
      `${file}: the default export is not a program (export default program("name", (g) => ...))`,
    );
  }
  return module.default;
}

const compilerDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The error with only the frames in the user's files: Node's and the compiler's are noise there. */
function userStack(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .filter((line) => !/node:|node_modules/.test(line) && !line.includes(compilerDir));
  return [`${error.name}: ${error.message}`, ...frames].join("\n");
}
