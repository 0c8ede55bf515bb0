// `adjoint compile --svg DIR --dot DIR`: pictures of each graph with its adjoint nodes.
import path from "node:path";
import { graphDot } from "../viz/dot.ts";
import { renderSvg } from "../viz/svg.ts";
import type { CompiledFile } from "./compile.ts";
import { readIfPresent, writeAtomically } from "./files.ts";

export interface PictureOptions {
  readonly svgDir?: string;
  readonly dotDir?: string;
}

/**
 * Writes DIR/<name>.dot and/or DIR/<name>.svg for each compiled file: the program as built
 * (the textbook's extended graph: forward nodes with the adjoint and tangent nodes appended),
 * pruned to what its entry points reach. Returns one line per file: "wrote PATH" or "unchanged PATH".
 */
export async function writePictures(
  results: readonly CompiledFile[],
  options: PictureOptions,
): Promise<string[]> {
  const lines: string[] = [];
  for (const result of results) {
    const base = path.basename(result.output, ".ts");
    const dot = graphDot(result.program);
    if (options.dotDir !== undefined) {
      lines.push(await writeIfChanged(path.join(options.dotDir, `${base}.dot`), dot));
    }
    if (options.svgDir !== undefined) {
      const svg = await renderSvg(dot);
      lines.push(await writeIfChanged(path.join(options.svgDir, `${base}.svg`), svg));
    }
  }
  return lines;
}

async function writeIfChanged(file: string, text: string): Promise<string> {
  if ((await readIfPresent(file)) === text) return `unchanged ${file}`;
  await writeAtomically(file, text);
  return `wrote ${file}`;
}
