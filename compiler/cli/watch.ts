// `adjoint compile --watch`: compile every graph file, then recompile a graph file when it or a file
// it imports changes. A graph that fails prints its error and the others carry on; a file that
// disappears is reported and compiled again if it comes back; a new file matching a glob of the
// programs is compiled and watched. Runs until the process is stopped.
import { existsSync, watch, type FSWatcher } from "node:fs";
import path from "node:path";
import { AdjointError } from "../errors.ts";
import { compileFile, type CompileFilesOptions } from "./compile.ts";
import { expandPrograms } from "./config.ts";
import { makeDirectory } from "./files.ts";
import { loadFreshProgram } from "./fresh.ts";
import { localImports } from "./imports.ts";

/** Changes closer together than this are one rebuild (an editor's save is often several events). */
const settleMs = 40;

export async function watchFiles(
  files: readonly string[],
  options: CompileFilesOptions,
  patterns: readonly string[] = files,
): Promise<number> {
  await makeDirectory(options.outDir);
  const watcher = new GraphWatcher(files, options, patterns);
  await watcher.start();
  console.log(`adjoint: watching ${files.length} graph file(s) for changes (Ctrl-C to stop)`);
  // never resolves: the watchers keep the process alive until it is stopped
  return new Promise<number>(() => undefined);
}

class GraphWatcher {
  /** Each graph file (as given) and the absolute paths it depends on, itself included. */
  private readonly dependencies = new Map<string, Set<string>>();
  private readonly missing = new Set<string>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly changed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private building: Promise<void> = Promise.resolve();

  private readonly graphs: string[];

  constructor(
    graphs: readonly string[],
    private readonly options: CompileFilesOptions,
    /** The programs as given (globs among them), expanded again when a new file appears. */
    private readonly patterns: readonly string[],
  ) {
    this.graphs = [...graphs];
  }

  async start(): Promise<void> {
    for (const graph of this.graphs) await this.build(graph);
    this.watchDirectories();
  }

  /** Compiles one graph, printing what happened; never throws. */
  private async build(graph: string): Promise<void> {
    this.dependencies.set(graph, localImports(graph));
    if (!existsSync(graph)) {
      if (!this.missing.has(graph))
        console.error(`adjoint: ${graph}: removed; still watching for it`);
      this.missing.add(graph);
      return;
    }
    this.missing.delete(graph);
    const started = performance.now();
    try {
      const result = await compileFile(graph, this.options, loadFreshProgram);
      const ms = Math.round(performance.now() - started);
      for (const output of result.outputs) console.log(`${result.status} ${output} (${ms} ms)`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.error(
        `adjoint: ${error instanceof AdjointError ? "" : "internal error: "}${message}`,
      );
      if (!(error instanceof AdjointError) && error instanceof Error) console.error(error.stack);
    }
  }

  /** One watcher per directory holding a watched file; directories no longer needed let go. */
  private watchDirectories(): void {
    const needed = new Set<string>();
    for (const files of this.dependencies.values())
      for (const file of files) needed.add(path.dirname(file));
    for (const [dir, watcher] of this.watchers)
      if (!needed.has(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    for (const dir of needed) {
      if (this.watchers.has(dir) || !existsSync(dir)) continue;
      const watcher = watch(dir, (_event, name) => {
        if (name !== null) this.noteChange(path.join(dir, name.toString()));
      });
      watcher.on("error", () => {
        console.error(`adjoint: ${dir}: can no longer be watched (removed?)`);
        watcher.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, watcher);
    }
  }

  private noteChange(file: string): void {
    this.changed.add(file);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.building = this.building.then(() => this.rebuild());
    }, settleMs);
  }

  /** Recompiles every graph that depends on a changed file. */
  private async rebuild(): Promise<void> {
    const changed = [...this.changed];
    this.changed.clear();
    const affected = this.graphs.filter((graph) => {
      const files = this.dependencies.get(graph) ?? new Set([path.resolve(graph)]);
      return changed.some((file) => files.has(file));
    });
    for (const graph of [...affected, ...(await this.newGraphs(changed))]) await this.build(graph);
    this.watchDirectories();
  }

  /** Files that now match a glob of the programs and were not watched yet. */
  private async newGraphs(changed: readonly string[]): Promise<string[]> {
    const known = new Set(this.graphs.map((graph) => path.resolve(graph)));
    if (changed.every((file) => known.has(file)) || !this.patterns.some((p) => /[*?]/.test(p))) {
      return [];
    }
    const globs = this.patterns.filter((pattern) => /[*?]/.test(pattern));
    const matched = (await Promise.all(globs.map((glob) => expandPrograms([glob]).catch(() => []))))
      .flat()
      .filter((file) => !known.has(path.resolve(file)) && existsSync(file));
    const added = [...new Set(matched)];
    this.graphs.push(...added);
    return added;
  }
}
