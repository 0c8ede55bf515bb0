// The build-pipeline side of `adjoint compile`: adjoint.config.json and the flags over it, bad
// config files, --emit js (a module and its .d.ts, checked like the .ts output), and a --check
// that tells a formatter's layout from a person's edit.
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adjoint, root, tempFolder, type Run } from "../support/cli.ts";

const tmp = tempFolder("pipeline-");
const at = (...parts: string[]) => path.join(root, tmp, ...parts);
const rel = (...parts: string[]) => path.join(tmp, ...parts);

// y = 3·Σx², ∇y = 6x, and a tensor op (exp of a matrix) so the arena type shows in the module
const scaled = `import { program } from "adjoint";

export default program("scaled", (g) => {
  const x = g.input("x", [3]);
  const y = g.mul(3, g.sum(g.mul(x, x)));
  g.entry("run", { fetch: { y, dy_dx: g.grad(y, x) } });
});
`;

function config(name: string, settings: unknown): string {
  writeFileSync(at(name), typeof settings === "string" ? settings : JSON.stringify(settings));
  return rel(name);
}

beforeAll(() => {
  writeFileSync(at("scaled.graph.ts"), scaled);
  writeFileSync(at("other.graph.ts"), scaled.replace('"scaled"', '"other"'));
});
afterAll(() => rmSync(at(), { recursive: true, force: true }));

/** Each CLI run starts Node and tsx: on a loaded 2-core machine that takes seconds. */
const slow = 300_000;

describe("adjoint.config.json", { timeout: slow }, () => {
  it("compiles its programs (globs, relative to the file) into its out directory, with its options", async () => {
    const file = config("a.json", { programs: ["*.graph.ts"], out: "from-config", dtype: "f32" });
    const run = await adjoint("compile", "--config", file);
    expect(run.stderr).toBe("");
    expect(run.stdout.trim().split("\n")).toEqual([
      `wrote ${rel("from-config", "other.ts")}`,
      `wrote ${rel("from-config", "scaled.ts")}`,
    ]);
    const module = readFileSync(at("from-config", "scaled.ts"), "utf8");
    expect(module).toContain('allocateArena("f32"');
  });

  it("lets every flag override the file", async () => {
    const file = config("b.json", {
      programs: ["scaled.graph.ts"],
      out: "b-out",
      dtype: "f32",
      kernels: "wasm",
    });
    const run = await adjoint(
      "compile",
      "--config",
      file,
      "--dtype",
      "f64",
      "--out",
      rel("flag-out"),
      "--fusion",
      "off",
      "--max-function-lines",
      "40",
      "--kernels",
      "js",
    );
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(`wrote ${rel("flag-out", "scaled.ts")}`);
    expect(readFileSync(at("flag-out", "scaled.ts"), "utf8")).toContain('allocateArena("f64"');
  });

  it("names the key, the file and the expected type of a bad setting, in one line", async () => {
    const cases: [unknown, string][] = [
      [
        { programs: ["*.graph.ts"], fuson: false },
        `unknown key "fuson" (expected one of programs, out, runtimeImport, emit, dtype, fusion, maxFunctionLines, kernels, svg, dot, report)`,
      ],
      [
        { programs: ["*.graph.ts"], maxFunctionLines: "500" },
        `"maxFunctionLines" must be an integer of at least 1, got "500"`,
      ],
      [{ programs: ["*.graph.ts"], fusion: "off" }, `"fusion" must be true or false, got "off"`],
      [
        { programs: "*.graph.ts" },
        `"programs" must be an array of file names or globs, got "*.graph.ts"`,
      ],
      [
        { programs: ["*.graph.ts"], dtype: "f16" },
        `"dtype" must be one of "f64", "f32", got "f16"`,
      ],
      ["[1, 2]", `expected an object of settings ({ "programs": [...], ... })`],
    ];
    const runs = await Promise.all(
      cases.map(([settings], index) =>
        adjoint("compile", "--config", config(`bad${index}.json`, settings)),
      ),
    );
    runs.forEach((run, index) => {
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(`adjoint: ${rel(`bad${index}.json`)}: ${cases[index][1]}\n`);
    });
  });

  it("rejects a bad flag value as a usage error naming the flag", async () => {
    const [lines, fusion, kernels] = await Promise.all([
      adjoint("compile", rel("scaled.graph.ts"), "--max-function-lines", "0"),
      adjoint("compile", rel("scaled.graph.ts"), "--fusion", "maybe"),
      adjoint("compile", rel("scaled.graph.ts"), "--kernels", "gpu"),
    ]);
    expect(lines.status).toBe(2);
    expect(lines.stderr).toMatch(
      /^adjoint: --max-function-lines must be an integer of at least 1, got "0"\n/,
    );
    expect(fusion.stderr).toMatch(/^adjoint: --fusion must be on or off, got "maybe"\n/);
    expect(kernels.stderr).toMatch(
      /^adjoint: --kernels must be one of "wasm", "js", "auto", got "gpu"\n/,
    );
  });
});

describe("--emit js", { timeout: slow }, () => {
  const out = () => rel("js-out");

  it("writes a module and its declarations, the same bytes every time, that compute the graph", async () => {
    const first = await adjoint("compile", rel("scaled.graph.ts"), "--emit", "js", "--out", out());
    expect(first.stdout.trim().split("\n")).toEqual([
      `wrote ${rel("js-out", "scaled.js")}`,
      `wrote ${rel("js-out", "scaled.d.ts")}`,
    ]);
    const js = readFileSync(at("js-out", "scaled.js"), "utf8");
    const dts = readFileSync(at("js-out", "scaled.d.ts"), "utf8");
    expect(js).not.toMatch(/: Float64Array|interface /);
    expect(js).toContain("export function createScaled()");
    expect(dts).toContain("export declare function createScaled(): Scaled;");
    expect(dts).toContain("readonly dy_dx: Float64Array;");
    rmSync(at("js-out"), { recursive: true });
    const second = await adjoint("compile", rel("scaled.graph.ts"), "--emit", "js", "--out", out());
    expect(second.status).toBe(0);
    expect(readFileSync(at("js-out", "scaled.js"), "utf8")).toBe(js);
    expect(readFileSync(at("js-out", "scaled.d.ts"), "utf8")).toBe(dts);
    const module = (await import(at("js-out", "scaled.js"))) as {
      createScaled: () => { run: (feeds: { x: number[] }) => Record<string, Float64Array> };
    };
    const result = module.createScaled().run({ x: [1, 2, -3] });
    expect([...result.y, ...result.dy_dx]).toEqual([42, 6, 12, -18]);
  });

  it("is covered by --check: current, hand-edited, missing", async () => {
    const check = () =>
      adjoint("compile", "--check", rel("scaled.graph.ts"), "--emit", "js", "--out", out());
    expect((await check()).status).toBe(0);
    const js = at("js-out", "scaled.js");
    writeFileSync(
      js,
      readFileSync(js, "utf8").replace(
        "export function createScaled()",
        "export function createScaled(/* mine */)",
      ),
    );
    rmSync(at("js-out", "scaled.d.ts"));
    const run = await check();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^hand-edited: ${escape(rel("js-out", "scaled.js"))} `, "m"),
    );
    expect(run.stderr).toMatch(
      new RegExp(`^missing: ${escape(rel("js-out", "scaled.d.ts"))} `, "m"),
    );
  });
});

describe("--check after the user's formatter", { timeout: slow }, () => {
  const prettier = path.join(root, "node_modules", "prettier", "bin", "prettier.cjs");

  /** `prettier --write` over one folder, ignoring the repository's ignore file (it lists .vitest-tmp). */
  function format(dir: string, ...args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [prettier, "--write", "--ignore-path", "none", ...args, dir],
        { cwd: root },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
  }

  async function compiledAndFormatted(name: string, setup: (dir: string) => Promise<void>) {
    const dir = rel(name);
    expect((await adjoint("compile", rel("scaled.graph.ts"), "--out", dir)).status).toBe(0);
    const before = readFileSync(at(name, "scaled.ts"), "utf8");
    await setup(dir);
    const after = readFileSync(at(name, "scaled.ts"), "utf8");
    expect(after).not.toBe(before); // the formatter did change the layout
    return dir;
  }

  it("passes, saying 'formatted differently', after prettier with its defaults", async () => {
    const dir = await compiledAndFormatted("fmt-default", async (d) => {
      expect((await format(d, "--no-config")).status).toBe(0);
    });
    const run = await adjoint("compile", "--check", rel("scaled.graph.ts"), "--out", dir);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`formatted differently: ${path.join(dir, "scaled.ts")}`);
    expect(run.stdout).toContain(
      "adjoint: 1 generated file(s) up to date (1 formatted differently)",
    );
  });

  it("passes after prettier with the project's own config, and still catches an edit", async () => {
    const dir = await compiledAndFormatted("fmt-project", async (d) => {
      writeFileSync(
        at("fmt-project", ".prettierrc.json"),
        '{ "singleQuote": true, "semi": false, "printWidth": 60 }',
      );
      expect((await format(d)).status).toBe(0);
    });
    const check = () => adjoint("compile", "--check", rel("scaled.graph.ts"), "--out", dir);
    const formatted = await check();
    expect(formatted.status).toBe(0);
    expect(formatted.stdout).toContain(`formatted differently: ${path.join(dir, "scaled.ts")}`);
    // the same formatted file with one number changed is an edit, not a layout
    const file = at("fmt-project", "scaled.ts");
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/= 3 \* /);
    writeFileSync(file, text.replace(/= 3 \* /, "= 4 * "));
    const edited = await check();
    expect(edited.status).toBe(1);
    expect(edited.stderr).toMatch(
      new RegExp(`^hand-edited: ${escape(path.join(dir, "scaled.ts"))} `),
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
