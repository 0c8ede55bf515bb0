#!/usr/bin/env node
// The `adjoint` command. Graph files are TypeScript, which Node 20 cannot run alone: tsx loads them.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
