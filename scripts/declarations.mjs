// After tsc: the .d.ts files it writes keep the sources' `./name.ts` specifiers, which TypeScript
// resolves but other tools reading declarations may not; they become `./name.js`, like the .js files.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

for (const dir of process.argv.slice(2)) {
  for (const entry of readdirSync(dir, { recursive: true })) {
    if (!entry.endsWith(".d.ts")) continue;
    const file = path.join(dir, entry);
    const text = readFileSync(file, "utf8");
    const rewritten = text.replace(
      /(from\s+|import\(\s*)(["'])(\.{1,2}\/[^"']+)\.ts\2/g,
      "$1$2$3.js$2",
    );
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}
