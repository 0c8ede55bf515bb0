// The runtime's core is all a generated module loads (feeds.test.ts checks that it imports
// nothing); `adjoint/runtime` still exports everything it did, plus what only applications use;
// and both names resolve through package.json "exports" in Node with tsx as they do here.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as core from "@adjoint/runtime/core";
import * as runtime from "@adjoint/runtime";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** What `adjoint/runtime` exported before the core was split off; it may only grow. */
const publicNames = [
  "AdjointRuntimeError",
  "Rng",
  "allocateArena",
  "checkIndex",
  "fans",
  "feedInputs",
  "glorotNormal",
  "glorotUniform",
  "heNormal",
  "heUniform",
  "normal",
  "uniform",
  "zeros",
];

describe("runtime/core.ts", () => {
  it("has what generated code calls, and the error class applications catch", () => {
    expect(Object.keys(core).sort()).toEqual([
      "AdjointRuntimeError",
      "allocateArena",
      "allocateKernelArena",
      "checkIndex",
      "feedInputs",
      "kernelMemory",
      "setKernels",
      "simdSupported",
    ]);
  });

  it("is the same module `adjoint/runtime` re-exports: one error class, not two", () => {
    expect(runtime.AdjointRuntimeError).toBe(core.AdjointRuntimeError);
    expect(runtime.feedInputs).toBe(core.feedInputs);
  });
});

describe("runtime/", () => {
  it("`adjoint/runtime` still exports every name it did, and the params file format", () => {
    const names = Object.keys(runtime);
    expect(names).toEqual(expect.arrayContaining(publicNames));
    expect(names).toEqual(
      expect.arrayContaining(["encodeParams", "decodeParams", "readParamsHeader"]),
    );
  });

  it("resolves `adjoint/runtime/core` and `adjoint/runtime` through package.json in Node with tsx", () => {
    const script = [
      'const core = await import("@adjoint/runtime/core");',
      'const all = await import("@adjoint/runtime");',
      "console.log(JSON.stringify([Object.keys(core), Object.keys(all)]));",
    ].join("\n");
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "--eval", script],
      { cwd: root, encoding: "utf8", timeout: 30_000 },
    );
    expect(child.stderr).toBe("");
    const [coreNames, allNames] = JSON.parse(child.stdout) as [string[], string[]];
    expect(coreNames.sort()).toEqual(Object.keys(core).sort());
    expect(allNames.sort()).toEqual(Object.keys(runtime).sort());
  });
});
