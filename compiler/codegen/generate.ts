// Program -> formatted TypeScript module: optimize, plan buffers, lay out bodies, print, format.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Program } from "../ir/program.ts";
import { programText } from "../ir/text.ts";
import { plan as planBuffers, type Plan, type View } from "../lower/plan.ts";
import { allRegions, planRegions, type RegionPlans } from "../lower/regions.ts";
import { optimize, type OptimizeResult } from "../passes/pipeline.ts";
import { bodyMarker, describeModule, viewDeclarations, type ModuleLayout } from "./describe.ts";
import { safeComment } from "./comments.ts";
import { shareLoops } from "./shared.ts";
import { entryGroups, kernelsLocal, leafLoad, type KernelChoice } from "./entry.ts";
import { formatTypeScript, verifyFormatting } from "./format.ts";
import { printModule, printModuleText } from "./module.ts";
import { regionDeclarations } from "./region.ts";
import { moduleNames, type ModuleNames } from "./scope.ts";
import { indentLines, overWidth, tidyBlankLines } from "./printer.ts";
import { splitEntry, type SplitEntry } from "./split.ts";

export const compilerVersion: string = createRequire(import.meta.url)("../../package.json").version;

/**
 * What generated code imports by default: the runtime's core alone, not the whole `adjoint/runtime`,
 * because Node reads, parses and links every file of the import graph before the first call.
 */
export const defaultRuntimeImport = "adjoint/runtime/core";

export interface GenerateOptions {
  /** Module specifier the generated code imports the runtime from (default `defaultRuntimeImport`). */
  readonly runtimeImport?: string;
  /** File name shown in the header, e.g. "quadratic.graph.ts". */
  readonly sourceName?: string;
  /** Fuse chains of elementwise tensor ops into one loop (default true). */
  readonly fusion?: boolean;
  /** Element type of the arena, overriding the program's own (float32 halves the memory). */
  readonly dtype?: "f64" | "f32";
  /** Most lines in one emitted function; longer entries are split into helper functions. */
  readonly maxFunctionLines?: number;
  /**
   * Matmul through the runtime's WebAssembly SIMD kernel library ("wasm"), the generated JS loops
   * ("js"), or both with the choice made per instance: the library where the engine has SIMD
   * ("auto", the default).
   */
  readonly kernels?: KernelChoice;
  /**
   * Print the skeleton through ts-morph and prettier (default true). Off only where nobody reads
   * the module (the fuzzer): the statements are the same, only their layout differs (and the hash,
   * which covers the skeleton's text), and printing dominates compile time there.
   */
  readonly format?: boolean;
}

/** Well below the size at which V8 stops optimising a function (about 60 KB of bytecode). */
export const defaultMaxFunctionLines = 500;

export interface Generated {
  readonly source: string;
  /** sha256 of the optimized graph and the options: equal hashes mean equal output. */
  readonly hash: string;
  readonly plan: Plan;
  readonly optimized: OptimizeResult;
  /** Arena elements, spill slots for split entries included. */
  readonly arenaLength: number;
  readonly arenaType: "f64" | "f32";
}

export async function generate(
  program: Program,
  options: GenerateOptions = {},
): Promise<Generated> {
  const optimized = optimize(program);
  const plan = planBuffers(optimized.program, { fusion: options.fusion });
  // first: the module's public names are fixed, every other identifier (loop bodies' too) avoids them
  const names = moduleNames(plan);
  // loop bodies are planned after the program, each in a region of the arena of its own
  const regions = planRegions(plan, { fusion: options.fusion }, plan.arenaLength);
  const { layout, bodies } = layOut(plan, options, regions, names);
  const call = new RegExp(`\\b${layout.names.runtime.checkIndex}\\(`);
  const usesCheckIndex = bodies.some((body) => body.some((line) => call.test(line)));
  const thrown = new RegExp(`\\bnew ${layout.names.runtime.AdjointRuntimeError}\\(`);
  const throwsError = bodies.some((body) => body.some((line) => thrown.test(line)));
  const specialCall = new RegExp(`\\b${layout.names.runtime.special}\\.\\w+\\(`);
  const usesSpecial = bodies.some((body) => body.some((line) => specialCall.test(line)));
  // a call, not the program's name in a string ("kernels.run")
  const library = new RegExp(`(^|[\\s;{(])${kernelsLocal}\\.\\w+\\(`);
  const usesKernels = bodies.some((body) => body.some((line) => library.test(line)));
  const kernels = usesKernels ? (options.kernels ?? "auto") : "js";
  const format = options.format ?? true;
  const spec = describeModule(
    plan,
    layout,
    { checkIndex: usesCheckIndex, throwsError, special: usesSpecial },
    kernels,
  );
  const skeleton = format ? printModule(spec) : printModuleText(spec);
  // the hash covers everything the module says, so a moved DSL line is stale, not hand-edited
  const hash = createHash("sha256")
    .update(`${compilerVersion}\n${programText(optimized.program)}\n${skeleton}\n`)
    .update(bodies.map((body) => body.join("\n")).join("\n"))
    .digest("hex");
  const from = options.sourceName === undefined ? "" : ` from ${safeComment(options.sourceName)}`;
  const header = [
    `// Generated by adjoint ${compilerVersion}${from}. Do not edit: run \`adjoint compile\` to regenerate.`,
    `// ${hashLinePrefix}${hash}`,
  ];
  const module = `${header.join("\n")}\n${skeleton}`;
  const formatted = format ? await formatTypeScript(module) : module;
  let source = tidyBlankLines(insertBodies(formatted, bodies));
  if (!format) return { source, hash, plan, optimized, ...arenaOf(layout) };
  // bodies are laid out as prettier would; a line too long for that layout goes through prettier
  // (measured indented: a body line fits unindented and not at its depth)
  if (overWidth(source)) source = await formatTypeScript(source);
  await verifyFormatting(source);
  return { source, hash, plan, optimized, ...arenaOf(layout) };
}

function arenaOf(layout: ModuleLayout) {
  return { arenaLength: layout.arenaLength, arenaType: layout.arenaType };
}

export const hashLinePrefix = "adjoint-graph-hash: ";

/** Entry bodies in parts, spill slots after the planned arena, and marker bodies in order. */
function layOut(plan: Plan, options: GenerateOptions, regions: RegionPlans, names: ModuleNames) {
  const maxLines = options.maxFunctionLines ?? defaultMaxFunctionLines;
  if (!(maxLines >= 1)) throw new Error(`maxFunctionLines must be at least 1, got ${maxLines}`);
  const spillName = plan.table.claim("spill");
  const arenaType = options.dtype ?? (plan.program.dtype === "f32" ? "f32" : "f64");
  const kernelChoice = options.kernels ?? "auto";
  if (!["wasm", "js", "auto"].includes(kernelChoice))
    throw new Error(`kernels must be "wasm", "js" or "auto", got ${JSON.stringify(kernelChoice)}`);
  const grouped = plan.entries.map((lowered) =>
    entryGroups(plan, lowered, {
      checkIndex: names.runtime.checkIndex,
      runtimeError: names.runtime.AdjointRuntimeError,
      arenaType,
      kernels: kernelChoice,
      regions,
    }),
  );
  // a loop two entries compute is one function they both call
  const shared = shareLoops(plan, grouped);
  const splits: SplitEntry[] = shared.entries.map((groups) =>
    splitEntry(groups, {
      maxLines,
      leafLoad: (leaf) => leafLoad(plan, leaf),
      localName: (node) => plan.names.get(node.id)!,
      spillView: spillName,
    }),
  );
  const spills = Math.max(0, ...splits.map((split) => split.spills));
  const spill: View | undefined =
    spills === 0
      ? undefined
      : { name: spillName, offset: plan.arenaLength + regions.length, length: spills };
  const partNames = plan.entries.map((lowered, index) =>
    splits[index].parts.length === 1
      ? [lowered.functionName]
      : splits[index].parts.map((_, part) =>
          plan.table.claim(`${lowered.entry.name}Part${part + 1}`),
        ),
  );
  const targets = new Set(plan.entries.flatMap(({ entry }) => entry.after ?? []));
  const calledFlags = new Map(
    [...targets].map((name) => [name, plan.table.claim(`${name}Called`)] as const),
  );
  const layout: ModuleLayout = {
    runtimeImport: options.runtimeImport ?? defaultRuntimeImport,
    arenaType,
    arenaLength: plan.arenaLength + regions.length + spills,
    spill,
    partNames,
    sharedLoops: shared.loops,
    calledFlags,
    names,
  };
  const declarations = [
    ...viewDeclarations(plan, spill),
    ...regionDeclarations(allRegions(regions)),
  ];
  const bodies = [
    declarations,
    ...shared.loops.map((loop) => loop.lines),
    ...splits.flatMap((split) => split.parts),
  ];
  return { layout, bodies };
}

/** Replaces each marker line of the formatted skeleton with its body, indented to match. */
function insertBodies(formatted: string, bodies: readonly (readonly string[])[]): string {
  const lines = formatted.split("\n");
  const out: string[] = [];
  for (const line of lines) {
    const match = /^( *)\/\/ @adjoint-body (\d+)$/.exec(line);
    if (match === null || bodyMarker(Number(match[2])) !== line.trim()) {
      out.push(line);
      continue;
    }
    out.push(...indentLines(bodies[Number(match[2])], match[1].length / 2));
  }
  return out.join("\n");
}
