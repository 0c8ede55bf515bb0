// `adjoint compile --svg DIR --dot DIR`: pictures of each graph with its adjoint nodes.
import type { CompiledFile } from "./compile.ts";

export interface PictureOptions {
  readonly svgDir?: string;
  readonly dotDir?: string;
}

/** Writes the requested pictures; returns one line per file written. */
export async function writePictures(
  results: readonly CompiledFile[],
  options: PictureOptions,
): Promise<string[]> {
  if (options.svgDir === undefined && options.dotDir === undefined) return [];
  throw new Error(`--svg and --dot are not implemented yet (${results.length} files)`);
}
