#!/usr/bin/env node
// The `adjoint` command. Graph files are TypeScript, which Node 20 cannot run alone: tsx loads them.
import { setFlagsFromString } from "node:v8";
import { register } from "tsx/esm/api";

// compiling a large graph allocates many short-lived nodes: a larger young generation halves GC time
setFlagsFromString("--max-semi-space-size=64");
register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
