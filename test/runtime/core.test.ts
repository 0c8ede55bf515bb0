// The runtime's core is all a generated module loads (feeds.test.ts checks that it imports
// nothing); `@adjoint/runtime` exports everything the runtime had, plus what only applications
// use; both names resolve through package.json "exports" in plain Node, to the built package as
// they do here to the sources; and a module made for another runtime version refuses to load.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
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
      "checkRuntimeVersion",
      "feedInputs",
      "kernelMemory",
      "runtimeVersion",
      "setBase64Values",
      "setKernels",
      "simdSupported",
      "special",
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

  it("resolves `@adjoint/runtime/core` and `@adjoint/runtime` to the built package in plain Node", () => {
    const script = [
      'const core = await import("@adjoint/runtime/core");',
      'const all = await import("@adjoint/runtime");',
      "console.log(JSON.stringify([Object.keys(core), Object.keys(all)]));",
    ].join("\n");
    const child = spawnSync(process.execPath, ["--input-type=module", "--eval", script], {
      cwd: root,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(child.stderr).toBe("");
    const [coreNames, allNames] = JSON.parse(child.stdout) as [string[], string[]];
    expect(coreNames.sort()).toEqual(Object.keys(core).sort());
    expect(allNames.sort()).toEqual(Object.keys(runtime).sort());
  });
});

describe("the runtime version", () => {
  it("is the package's, and the compiler's: the two are released together", () => {
    const version = (file: string) =>
      (JSON.parse(readFileSync(new URL(file, import.meta.url), "utf8")) as { version: string })
        .version;
    expect(core.runtimeVersion).toBe(version("../../runtime/package.json"));
    expect(core.runtimeVersion).toBe(version("../../package.json"));
  });

  it("lets a module made for the same major.minor load, whatever the patch", () => {
    const [major, minor] = core.runtimeVersion.split(".");
    expect(core.checkRuntimeVersion(`${major}.${minor}.99`, "quadratic")).toBe(
      `${major}.${minor}.99`,
    );
  });

  it("refuses a module made for another minor or major, naming both versions", () => {
    const [major, minor] = core.runtimeVersion.split(".").map(Number) as [number, number];
    for (const other of [`${major}.${minor + 1}.0`, `${major + 1}.${minor}.0`]) {
      expect(() => core.checkRuntimeVersion(other, "quadratic")).toThrow(
        new core.AdjointRuntimeError(
          `quadratic: this module was generated for @adjoint/runtime ${other}, but the runtime installed is ${core.runtimeVersion}; ` +
            `install @adjoint/runtime@${other.split(".").slice(0, 2).join(".")} or regenerate the module with adjoint ${major}.${minor}`,
        ),
      );
    }
  });
});
