// The start-up benchmark runs each of its scripts in a fresh `node`: the module with the runtime
// imported by file path and by package name (through the package.json "exports" it writes, so a
// runtime path the repository does not export fails here), and the empty baseline.
import { expect, it } from "vitest";
import { measureStartup } from "../../bench/startup.ts";

it("measures the first gradient by path and by package name, and the empty baseline", () => {
  const result = measureStartup(1);
  if ("error" in result) throw new Error(result.error);
  expect(result.module).toBe("generated/bench/w1_quadratic.ts");
  expect(result.scriptStartMs).toBeGreaterThan(0);
  for (const figure of ["loadAndFirstGradientMs", "byPackageNameMs", "emptyImportMs"] as const)
    expect(result[figure]).toBeGreaterThan(0);
  expect(result.firstGradientMs).toBeCloseTo(result.scriptStartMs + result.loadAndFirstGradientMs);
});
