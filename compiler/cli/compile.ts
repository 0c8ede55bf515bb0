// Loading graph files and writing (or checking) their generated modules.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generate, hashLinePrefix, type Generated } from "../codegen/generate.ts";
import { AdjointError } from "../errors.ts";
import { isProgram, type Program } from "../ir/program.ts";
import { loadingGuarded } from "./exit.ts";
import { makeDirectory, readIfPresent, writeAtomically } from "./files.ts";
import { registerTypeScriptLoader } from "./typescript-loader.ts";

export interface CompileFilesOptions {
  readonly outDir: string;
  readonly runtimeImport: string;
}

interface Job {
  readonly input: string;
  readonly output: string;
}

/** One graph file compiled: where it came from, where it went, and what the compiler made of it. */
export interface CompiledFile {
  readonly input: string;
  readonly output: string;
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
  for (const job of jobs(files, options.outDir)) {
    const program = await loadProgram(job.input);
    const generated = await generateFrom(program, job, options);
    const current = await readIfPresent(job.output);
    const status = current === generated.source ? "unchanged" : "wrote";
    if (status === "wrote") await writeAtomically(job.output, generated.source);
    results.push({ ...job, program, generated, status });
  }
  return results;
}

/** One line per generated file that is missing, stale or hand-edited. */
export async function checkFiles(
  files: readonly string[],
  options: CompileFilesOptions,
): Promise<string[]> {
  const problems: string[] = [];
  for (const job of jobs(files, options.outDir)) {
    const { source, hash } = await generateFile(job, options);
    const current = await readIfPresent(job.output);
    if (current === undefined) {
      problems.push(`missing: ${job.output} (compile ${job.input} to create it)`);
      continue;
    }
    if (current === source) continue;
    const recorded = current.split("\n").find((line) => line.includes(hashLinePrefix));
    problems.push(
      recorded?.endsWith(hash) === true
        ? `hand-edited: ${job.output} (its graph is unchanged, but the file differs from what the compiler writes)`
        : `stale: ${job.output} (${job.input} compiles to a different module)`,
    );
  }
  return problems;
}

function jobs(files: readonly string[], outDir: string): Job[] {
  const seen = new Map<string, string>();
  return files.map((input) => {
    const base = path.basename(input).replace(/(\.graph)?\.[cm]?ts$/, "");
    const output = path.join(outDir, `${base}.ts`);
    const earlier = seen.get(output);
    if (earlier !== undefined) {
      throw new AdjointError(`${input} and ${earlier} would both be written to ${output}`);
    }
    seen.set(output, input);
    return { input, output };
  });
}

async function generateFile(job: Job, options: CompileFilesOptions): Promise<Generated> {
  return generateFrom(await loadProgram(job.input), job, options);
}

function generateFrom(
  program: Program,
  job: Job,
  options: CompileFilesOptions,
): Promise<Generated> {
  return generate(program, {
    runtimeImport: options.runtimeImport,
    sourceName: path.basename(job.input),
  });
}

/** Imports a graph file and returns its default export, which must be a program. */
export async function loadProgram(file: string): Promise<Program> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new AdjointError(`${file}: no such file`);
  let module: { default?: unknown };
  try {
    const url = pathToFileURL(absolute).href;
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
