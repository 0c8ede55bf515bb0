#!/usr/bin/env node
// The `adjoint` command from the TypeScript sources, for development (`npm run gen`, the tests):
// run it as `node --conditions=adjoint-source compiler/cli/adjoint.mjs`, so `adjoint` and
// `@adjoint/runtime` resolve to their sources too. The installed command is dist/cli/bin.js.
import { setFlagsFromString } from "node:v8";
import { register } from "tsx/esm/api";

// compiling a large graph allocates many short-lived nodes: a larger young generation halves GC time
setFlagsFromString("--max-semi-space-size=64");
register();
globalThis[Symbol.for("adjoint.typescriptLoader")] = true;
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
