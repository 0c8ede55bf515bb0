// In-process compilation: the same generated module the CLI writes, executed here (tests, experiments).
// the core is all that generated code imports, whatever specifier names it
import * as runtime from "@adjoint/runtime/core";
import type { Arena, FeedValue, Instance } from "@adjoint/runtime/core";
import {
  defaultRuntimeImport,
  generate,
  type Generated,
  type GenerateOptions,
} from "./codegen/generate.ts";
import { AdjointError } from "./errors.ts";
import { isProgram, type Program } from "./ir/program.ts";

/** An instance of a generated module, typed loosely: the generated file declares the precise types. */
export interface DynamicInstance extends Instance {
  readonly [entry: string]: unknown;
}

export type EntryFunction = (
  feeds?: Readonly<Record<string, FeedValue>>,
) => Readonly<Record<string, Arena>>;

export interface Compiled extends Generated {
  /** A fresh instance with its own arena. */
  create(): DynamicInstance;
  /** The entry point `name` of `instance`, checked to exist. */
  entry(instance: DynamicInstance, name: string): EntryFunction;
}

export interface CompileOptions extends GenerateOptions {
  /** TypeScript to CommonJS, types stripped (default the TypeScript compiler's transpileModule). */
  readonly transpile?: (source: string) => string;
}

export async function compile(program: Program, options: CompileOptions = {}): Promise<Compiled> {
  if (!isProgram(program))
    throw new AdjointError(`compile: expected a program built with program(...)`);
  const runtimeImport = options.runtimeImport ?? defaultRuntimeImport;
  const generated = await generate(program, { ...options, runtimeImport });
  // ts-morph (the TypeScript compiler) loads on the first in-process compile, not with the package
  const transpile =
    options.transpile ?? (await import("./codegen/transpile.ts")).transpileToCommonJs;
  const factory = load(
    transpile(generated.source),
    runtimeImport,
    `create${factoryName(generated)}`,
  );
  return {
    ...generated,
    create: () => factory(),
    entry: (instance, name) => {
      const fn = instance[name];
      if (typeof fn !== "function" || !program.entries.some((entry) => entry.name === name)) {
        const known = program.entries.map((entry) => entry.name).join(", ");
        throw new AdjointError(`${program.name}: no entry point "${name}" (it has ${known})`);
      }
      return fn as EntryFunction;
    },
  };
}

function factoryName(generated: Generated): string {
  const match = /export function create(\w+)\(/.exec(generated.source);
  if (match === null) throw new Error("compile: generated module has no factory");
  return match[1];
}

/** Evaluates the module as CommonJS with the runtime as its only importable module. */
function load(script: string, runtimeImport: string, factory: string): () => DynamicInstance {
  const exports: Record<string, unknown> = {};
  const require = (specifier: string) => {
    if (specifier !== runtimeImport) throw new Error(`generated code imports ${specifier}`);
    return runtime;
  };
  new Function("require", "exports", script)(require, exports);
  return exports[factory] as () => DynamicInstance;
}
