// Every example: its committed module is what the compiler writes now, and its generated code, run in
// process, matches the reference interpreter on seeded random inputs, for every entry point.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { compile, type Compiled, type GenerateOptions, type Program } from "adjoint";
import { checkFiles } from "../../compiler/cli/compile.ts";
import { defaultRuntimeImport } from "../../compiler/codegen/generate.ts";
import { checkEntry, randomLeaves, type Domains } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

const examplesDir = fileURLToPath(new URL("../../examples/", import.meta.url));
const generatedDir = fileURLToPath(new URL("../../generated/", import.meta.url));
const graphFiles = readdirSync(examplesDir)
  .filter((file) => file.endsWith(".graph.ts"))
  .sort();

/** Where an example's inputs must stay: ln(x1) in trace needs x1 > 0, labels name a class. */
const domains: Readonly<Record<string, Domains>> = {
  trace: { x1: [0.1, 4] },
  softmax_sgd: { labels: [0, 3] },
  // Newton stops at |F| < tolerance: one float32 can meet, so that the f32 lowering takes the
  // same number of steps as the float64 interpreter (for p > 0 the root is unique)
  implicit: { p: [0.1, 4], tolerance: [1e-4, 1e-2] },
  // Adam's second moments are never negative and its step count is a whole number from 0 on
  mnist: {
    labels: [0, 10],
    evalLabels: [0, 10],
    adam_step: [0, 50],
    W1_v: [0, 2],
    b1_v: [0, 2],
    W2_v: [0, 2],
    b2_v: [0, 2],
  },
};
const defaultSeeds = [1, 2, 3];
/**
 * The interpreter takes seconds per mnist entry (1,000 × 784 evaluation batches) and per pendulum
 * entry (1,000 RK4 steps, four tangent sweeps for the Hessian): one seed there.
 */
const oneSeed = new Set(["mnist", "pendulum"]);
const seedsOf = (name: string) => (oneSeed.has(name) ? [1] : defaultSeeds);
/** Interpreting every entry of the larger examples is slow on a busy two-core machine. */
const slowTestMs = 120_000;

it("has one committed module per example and no other", () => {
  const modules = readdirSync(generatedDir).filter((file) => file.endsWith(".ts"));
  expect(modules.sort()).toEqual(graphFiles.map((file) => file.replace(".graph.ts", ".ts")));
  expect(graphFiles.length).toBeGreaterThanOrEqual(6);
});

describe.each(graphFiles)("%s", (file) => {
  let program: Program;
  let compiled: Compiled;
  beforeAll(async () => {
    program = ((await import(path.join(examplesDir, file))) as { default: Program }).default;
    compiled = await compile(program, { sourceName: file });
  }, slowTestMs);

  it("compiles to exactly the committed generated module", () => {
    const committed = readFileSync(
      path.join(generatedDir, file.replace(".graph.ts", ".ts")),
      "utf8",
    );
    expect(compiled.source).toBe(committed);
    expect(committed).toContain(`// adjoint-graph-hash: ${compiled.hash}\n`);
  });

  it.each(["original", "optimized"] as const)(
    "runs every entry point like the interpreter on the %s program",
    (which) => {
      const oracle = which === "original" ? program : compiled.optimized.program;
      expect(oracle.entries.map((entry) => entry.name)).toEqual(program.entries.map((e) => e.name));
      const instance = compiled.create();
      for (const seed of seedsOf(program.name)) {
        const values = randomLeaves(program, seeded(seed), domains[program.name]);
        for (const entry of program.entries) {
          checkEntry(compiled, instance, oracle, entry.name, values, 1e-12);
        }
      }
    },
    slowTestMs,
  );
});

/** Every lowering option changes the code, never the values (float32 only by its rounding). */
const lowerings: readonly { name: string; options: GenerateOptions; tolerance: number }[] = [
  { name: "unfused", options: { fusion: false }, tolerance: 1e-12 },
  { name: "split every 3 lines", options: { maxFunctionLines: 3 }, tolerance: 1e-12 },
  { name: "float32 arena", options: { dtype: "f32" }, tolerance: 1e-4 },
];

describe.each(graphFiles)("%s lowered differently", (file) => {
  it.each(lowerings)(
    "$name: every entry point matches the interpreter",
    async (lowering) => {
      const program = ((await import(path.join(examplesDir, file))) as { default: Program })
        .default;
      const compiled = await compile(program, lowering.options);
      const instance = compiled.create();
      const round = lowering.options.dtype === "f32" ? Math.fround : undefined;
      for (const seed of seedsOf(program.name)) {
        const values = randomLeaves(program, seeded(seed), domains[program.name], round);
        for (const entry of program.entries) {
          checkEntry(compiled, instance, program, entry.name, values, lowering.tolerance);
        }
      }
    },
    slowTestMs,
  );
});

it("every committed module imports the runtime's core and nothing else", () => {
  const benchDir = path.join(generatedDir, "bench");
  const modules = [generatedDir, benchDir].flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(".ts"))
      .map((file) => path.join(dir, file)),
  );
  expect(modules.length).toBeGreaterThan(graphFiles.length);
  for (const module of modules) {
    const source = readFileSync(module, "utf8");
    const imports = [...source.matchAll(/^import\b[^;]*?from\s+"([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports, module).toEqual([defaultRuntimeImport]);
    expect(source, module).not.toMatch(/\bimport\s*\(|\brequire\s*\(/);
  }
  expect(defaultRuntimeImport).toBe("@adjoint/runtime/core");
});

it("checkFiles finds every committed module current", async () => {
  const files = graphFiles.map((file) => path.join(examplesDir, file));
  const problems = await checkFiles(files, {
    outDir: generatedDir,
    runtimeImport: defaultRuntimeImport,
  });
  expect(problems).toEqual([]);
});
