// BENCHMARKS.md: the generated report lives between two markers; everything outside them is
// written by hand and kept. The file is formatted with the repository's prettier settings.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as prettier from "prettier";

const begin = "<!-- bench:begin: written by `npm run bench`; edit outside these markers -->";
const end = "<!-- bench:end -->";

export async function formatMarkdown(text: string, file: string): Promise<string> {
  const config = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...config, parser: "markdown" });
}

export async function writeBenchmarks(file: string, report: string): Promise<void> {
  const block = `${begin}\n\n${report}\n\n${end}`;
  const current = existsSync(file)
    ? readFileSync(file, "utf8")
    : `# Benchmarks\n\n${begin}\n${end}\n`;
  const from = current.indexOf(begin.slice(0, begin.indexOf(":")));
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, await formatMarkdown(next, file));
}
