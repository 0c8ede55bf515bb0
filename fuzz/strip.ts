// Generated TypeScript to a script that load() runs: types stripped in process by oxc (a tenth of
// a millisecond, where the TypeScript compiler takes tens), then the module's one import and its
// exports rewritten as CommonJS. The statements are the generated ones, unchanged.
import { transformSync } from "rolldown/experimental";

export function stripTypes(source: string): string {
  const { code, errors } = transformSync("module.ts", source, {});
  if (errors.length > 0) throw new Error(`fuzz: oxc could not strip types: ${errors[0].message}`);
  const exported: string[] = [];
  const script = code
    .replace(/^import \{([^}]*)\} from ("[^"]+");$/m, "const {$1} = require($2);")
    .replace(/^export (function|const) (\w+)/gm, (_, kind: string, name: string) => {
      exported.push(name);
      return `${kind} ${name}`;
    });
  return `${script}\n${exported.map((name) => `exports.${name} = ${name};`).join("\n")}\n`;
}
