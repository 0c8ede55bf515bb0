#!/usr/bin/env node
// The `adjoint` command as installed: the compiled CLI. A graph file's TypeScript loader is
// registered by the commands that load one; ts-morph, prettier and Graphviz load where first used.
import { setFlagsFromString } from "node:v8";
import { main } from "./main.ts";

// compiling a large graph allocates many short-lived nodes: a larger young generation halves GC time
setFlagsFromString("--max-semi-space-size=64");
process.exitCode = await main(process.argv.slice(2));
