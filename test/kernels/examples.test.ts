// Every example and bench program with a matmul, through the kernel library and through the JS
// loops, float64 and float32: each entry's outputs and updates against the interpreter.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { compile, type Program } from "adjoint";
import { setKernels } from "../../runtime/core.ts";
import { expectClose, expectedEntry, randomLeaves, writeLeaves } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

afterEach(() => setKernels("auto"));

const here = (dir: string) => fileURLToPath(new URL(dir, import.meta.url));
const places = [
  { graphs: here("../../examples/"), generated: here("../../generated/") },
  { graphs: here("../../bench/graphs/"), generated: here("../../generated/bench/") },
];
/** The graphs whose committed module calls the library (checked current by the examples test). */
const files = places.flatMap(({ graphs, generated }) =>
  readdirSync(graphs)
    .filter((file) => file.endsWith(".graph.ts"))
    .filter((file) =>
      readFileSync(path.join(generated, file.replace(".graph.ts", ".ts")), "utf8").includes(
        "kernels.matmulF64(",
      ),
    )
    .map((file) => path.join(graphs, file)),
);
/** Labels name a class; Adam's second moments (`*_v`) are never negative; other integers keep [0, 2). */
const domainsOf = (program: Program) =>
  Object.fromEntries(
    program.leaves
      .filter((leaf) => leaf.dtype !== "i32" || /labels|Labels/.test(leaf.attrs.name))
      .map((leaf) => {
        const name = leaf.attrs.name;
        const classes = program.name === "softmax_sgd" ? 3 : 10;
        if (/labels|Labels/.test(name)) return [name, [0, classes] as const];
        if (name === "adam_step") return [name, [0, 50] as const];
        return [name, name.endsWith("_v") ? ([0, 2] as const) : ([-2, 2] as const)];
      }),
  );
const slowTestMs = 300_000;

it("finds the programs with a matmul", () => {
  expect(files.map((file) => path.basename(file)).sort()).toEqual(
    expect.arrayContaining([
      "logistic.graph.ts",
      "mnist.graph.ts",
      "softmax_sgd.graph.ts",
      "w4_mlp.graph.ts",
    ]),
  );
});

describe.each(files.map((file) => [path.basename(file), file] as const))("%s", (_, file) => {
  it.each([
    ["f64", 1e-12],
    ["f32", 1e-4],
  ] as const)(
    "%s: the library and the JS loops both match the interpreter",
    async (dtype, tolerance) => {
      const program = ((await import(file)) as { default: Program }).default;
      const compiled = await compile(program, { dtype });
      expect(compiled.source).toContain(`kernels.matmul${dtype.toUpperCase()}(`);
      setKernels("wasm");
      const library = compiled.create();
      setKernels("js");
      const loops = compiled.create();
      const round = dtype === "f32" ? Math.fround : undefined;
      const domains = domainsOf(program);
      const values = randomLeaves(program, seeded(1), domains, round);
      for (const entry of program.entries) {
        const want = expectedEntry(program, entry.name, values);
        for (const [how, instance] of [
          ["library", library],
          ["loops", loops],
        ] as const) {
          writeLeaves(program, instance, values);
          const outputs = compiled.entry(instance, entry.name)();
          const what = `${program.name}.${entry.name} (${how}, ${dtype})`;
          for (const [key, value] of Object.entries(want.fetch))
            expectClose(outputs[key], value, tolerance, `${what} ${key}`);
          for (const [param, value] of Object.entries(want.update))
            expectClose(instance.params[param], value, tolerance, `${what} updates ${param}`);
        }
      }
    },
    slowTestMs,
  );
});
