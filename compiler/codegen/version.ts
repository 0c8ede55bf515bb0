// What a generated module names: the compiler's version in its header, the runtime package it
// imports, and the runtime version its guard checks. No heavy import: `adjoint --version` reads it.
import { createRequire } from "node:module";

export const compilerVersion: string = createRequire(import.meta.url)("../../package.json").version;

/**
 * The runtime version generated modules are made for. The compiler and the runtime are released
 * together with one version number, so it is the compiler's own.
 */
export const runtimeVersion: string = compilerVersion;

/**
 * What generated code imports by default: the runtime package's core alone, not its whole index,
 * because Node reads, parses and links every file of the import graph before the first call.
 */
export const defaultRuntimeImport = "@adjoint/runtime/core";
