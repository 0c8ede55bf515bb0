// The `adjoint` command, run as a child process from the repository root: help, usage errors,
// compile, compile --check (current, hand-edited, missing, stale) and graph files that fail.
import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { adjoint, root, tempFolder } from "../support/cli.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate, type Program } from "adjoint";

const tmp = tempFolder("cli-");
const at = (...parts: string[]) => path.join(root, tmp, ...parts);
const out = path.join(tmp, "out");

function graphFile(name: string, body: string): string {
  writeFileSync(at(name), `import { program } from "adjoint";\n\n${body}\n`);
  return path.join(tmp, name);
}

const scaled = (factor: number) => `export default program("scaled", (g) => {
  const x = g.input("x", [3]);
  const y = g.mul(${factor}, g.sum(g.mul(x, x)));
  g.entry("run", { fetch: { y, dy_dx: g.grad(y, x) } });
});`;

let good: string;
let other: string;
beforeAll(() => {
  good = graphFile("good.graph.ts", scaled(3));
  other = graphFile(
    "other.graph.ts",
    `export default program("other", (g) => {\n  g.entry("run", { fetch: { y: g.exp(g.input("x")) } });\n});`,
  );
});
afterAll(() => rmSync(at(), { recursive: true, force: true }));

describe("usage", () => {
  it("prints help, and exits 2 on an unknown command or no files", async () => {
    const [help, compileHelp, version, unknown, noFiles] = await Promise.all([
      adjoint("--help"),
      adjoint("compile", "--help"),
      adjoint("--version"),
      adjoint("transmogrify"),
      adjoint("compile"),
    ]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("adjoint compile [options] <file.graph.ts>...");
    expect(help.stdout).toContain("--help");
    expect(compileHelp.status).toBe(0);
    for (const option of ["--out <dir>", "--check", "--runtime-import <spec>", "--help"]) {
      expect(compileHelp.stdout).toContain(option);
    }
    expect(version).toMatchObject({ status: 0, stdout: "0.1.0\n" });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('adjoint: unknown command "transmogrify"');
    expect(noFiles.status).toBe(2);
    expect(noFiles.stderr).toContain("adjoint: no graph files given");
    expect(noFiles.stdout).toBe("");
  });
});

describe("compile and compile --check", () => {
  const quadratic = path.join("examples", "quadratic.graph.ts");
  const files = () => [quadratic, good, other];

  it("writes OUT/name.ts for each file: the same bytes as generate(), and a module that runs", async () => {
    const run = await adjoint("compile", ...files(), "--out", out);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual(
      ["quadratic", "good", "other"].map((name) => `wrote ${path.join(out, `${name}.ts`)}`),
    );
    expect(readFileSync(at("out", "quadratic.ts"), "utf8")).toBe(
      readFileSync(path.join(root, "generated", "quadratic.ts"), "utf8"),
    );
    const program = ((await import(at("good.graph.ts"))) as { default: Program }).default;
    const expected = await generate(program, { sourceName: "good.graph.ts" });
    expect(readFileSync(at("out", "good.ts"), "utf8")).toBe(expected.source);
    expect(expected.source).toContain(`from "@adjoint/runtime/core";`);
    // y = 3·Σx², ∇y = 6x
    const module = (await import(at("out", "good.ts"))) as {
      createScaled: () => { run: (feeds: { x: number[] }) => Record<string, Float64Array> };
    };
    const result = module.createScaled().run({ x: [1, 2, -3] });
    expect([...result.y, ...result.dy_dx]).toEqual([42, 6, 12, -18]);
  });

  it("--check exits 0 when every module is current", async () => {
    const run = await adjoint("compile", "--check", ...files(), "--out", out);
    expect(run).toMatchObject({ status: 0, stderr: "" });
    expect(run.stdout).toContain("adjoint: 3 generated file(s) up to date");
  });

  it("--check exits 1 naming hand-edited, missing and stale modules", async () => {
    const edited = at("out", "quadratic.ts");
    writeFileSync(
      edited,
      readFileSync(edited, "utf8").replace("return gradOutputs;", "return gradOutputs; // tweak"),
    );
    unlinkSync(at("out", "good.ts"));
    writeFileSync(
      at("other.graph.ts"),
      readFileSync(at("other.graph.ts"), "utf8").replace("g.exp", "g.sin"),
    );
    const run = await adjoint("compile", "--check", ...files(), "--out", out);
    expect(run.status).toBe(1);
    const problems = run.stderr.trim().split("\n");
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^hand-edited: ${escape(path.join(out, "quadratic.ts"))} `)),
      expect.stringMatching(new RegExp(`^missing: ${escape(path.join(out, "good.ts"))} `)),
      expect.stringMatching(new RegExp(`^stale: ${escape(path.join(out, "other.ts"))} `)),
      "adjoint: 3 generated file(s) out of date; run adjoint compile",
    ]);
    expect(existsSync(at("out", "good.ts"))).toBe(false); // --check writes nothing
  });
});

describe("graph files that fail", () => {
  it("report the problem and the user's line, exit 1, and print no compiler stack", async () => {
    const notProgram = graphFile(
      "notprog.graph.ts",
      `export default { kind: "program", name: "x" };`,
    );
    const mismatch = graphFile(
      "mismatch.graph.ts",
      `export default program("mismatch", (g) => {
  const x = g.input("x", [2]);
  const y = g.input("y", [3]);
  g.entry("run", { fetch: { z: g.add(x, y) } });
});`,
    );
    const throws = graphFile("throws.graph.ts", `\nthrow new TypeError("boom");`);
    const [a, b, c] = await Promise.all([
      adjoint("compile", notProgram, "--out", out),
      adjoint("compile", mismatch, "--out", out),
      adjoint("compile", throws, "--out", out),
    ]);
    expect(a.status).toBe(1);
    expect(a.stderr).toBe(
      `adjoint: ${notProgram}: the default export is not a program (export default program("name", (g) => ...))\n`,
    );
    expect(b.status).toBe(1);
    // line 6 of the file: the import, a blank line, then the fourth line of the program
    expect(b.stderr).toBe(
      "adjoint: add: shapes [2] and [3] do not broadcast" +
        ` (inputs %0: [2], %1: [3])\n  at ${mismatch}:6:34\n`,
    );
    expect(c.status).toBe(1);
    const lines = c.stderr.trim().split("\n");
    expect(lines.slice(0, 2)).toEqual([`adjoint: ${throws}: failed to load:`, "TypeError: boom"]);
    expect(lines.slice(2).join("\n")).toContain(`${at("throws.graph.ts")}:4:`);
    for (const run of [a, b, c]) {
      expect(run.stdout).toBe("");
      expect(run.stderr).not.toMatch(/compiler[\\/]|node:internal|node_modules/);
    }
    expect(existsSync(at("out", "mismatch.ts"))).toBe(false);
  });

  it("--runtime-import sets the module the generated code imports", async () => {
    const run = await adjoint(
      "compile",
      good,
      "--out",
      path.join(tmp, "rt"),
      "--runtime-import",
      "./my-runtime.js",
    );
    expect(run.status).toBe(0);
    const source = readFileSync(at("rt", "good.ts"), "utf8");
    expect(source).toContain(`from "./my-runtime.js";`);
    expect(source).not.toContain("@adjoint/runtime");
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
