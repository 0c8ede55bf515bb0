// The user's files a graph file imports, directly or not: what the watcher must also watch. Read
// from the text (relative specifiers only), so a file that fails to load still has its imports.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ts } from "ts-morph";

/** `file` and every file it imports through relative specifiers, as absolute paths. */
export function localImports(file: string): Set<string> {
  const found = new Set<string>();
  const visit = (absolute: string) => {
    if (found.has(absolute)) return;
    found.add(absolute);
    let text: string;
    try {
      text = readFileSync(absolute, "utf8");
    } catch {
      return; // gone or unreadable: the load reports it
    }
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const resolved = resolveLocal(path.resolve(path.dirname(absolute), fileName));
      if (resolved !== undefined) visit(resolved);
    }
  };
  visit(path.resolve(file));
  return found;
}

const candidates = (base: string) => [
  base,
  base.replace(/\.js$/, ".ts"),
  base.replace(/\.mjs$/, ".mts"),
  `${base}.ts`,
  path.join(base, "index.ts"),
];

function resolveLocal(base: string): string | undefined {
  return candidates(base).find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
  );
}
