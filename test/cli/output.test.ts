// Where `adjoint compile` writes: an output path it cannot use is one line and exit 1 (no Node
// stack), a bad --svg or --dot fails before any module is written, modules replace the old file by
// a rename (a reader never sees a half-written one), and a graph file that ends the process fails.
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { adjoint, root, tempFolder } from "../support/cli.ts";
import { afterAll, describe, expect, it } from "vitest";

const tmp = tempFolder("out-");
const at = (...parts: string[]) => path.join(tmp, ...parts);
afterAll(() => rmSync(path.join(root, tmp), { recursive: true, force: true }));

function graphFile(name: string, body: string): string {
  writeFileSync(path.join(root, at(name)), `import { program } from "adjoint";\n\n${body}\n`);
  return at(name);
}

const good = graphFile(
  "square.graph.ts",
  `export default program("square", (g) => {\n  const x = g.input("x", [2]);\n  g.entry("run", { fetch: { y: g.sum(g.square(x)) } });\n});`,
);
const regular = at("regular.txt");
writeFileSync(path.join(root, regular), "not a directory\n");

describe("output paths the compiler cannot use", () => {
  const long = "a".repeat(300);
  it.each([
    [
      "--out under a regular file",
      ["--out", `${regular}/gen`],
      `cannot create the directory ${regular}/gen: a part of the path is a file, not a directory`,
    ],
    [
      "--out at an existing file",
      ["--out", regular],
      `cannot create the directory ${regular}: it exists and is not a directory`,
    ],
    [
      "--out with a name too long to create",
      ["--out", at(long)],
      `cannot create the directory ${at(long)}: the name is too long`,
    ],
    [
      "a directory where the module goes",
      ["--out", at("taken")],
      `cannot read ${at("taken", "square.ts")}: it is a directory`,
    ],
    [
      "--svg under a regular file",
      ["--out", at("svg-out"), "--svg", `${regular}/svg`],
      `cannot create the directory ${regular}/svg: a part of the path is a file, not a directory`,
    ],
    [
      "--dot at an existing file",
      ["--out", at("dot-out"), "--dot", regular],
      `cannot create the directory ${regular}: it exists and is not a directory`,
    ],
  ])("%s: one line, exit 1", async (_, args, message) => {
    mkdirSync(path.join(root, at("taken", "square.ts")), { recursive: true });
    const run = await adjoint("compile", good, ...args);
    expect(run.stderr).toBe(`adjoint: ${message}\n`);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
  });

  it("a bad --svg writes no module first", async () => {
    const run = await adjoint("compile", good, "--out", at("first"), "--svg", `${regular}/svg`);
    expect(run.status).toBe(1);
    expect(existsSync(path.join(root, at("first", "square.ts")))).toBe(false);
  });
});

describe("writing a module", () => {
  it("replaces the file by a rename: a reader holding the old file still reads it whole", async () => {
    const module = path.join(root, at("swap", "square.ts"));
    mkdirSync(path.dirname(module), { recursive: true });
    writeFileSync(module, "// an old module\n");
    // a second name for the old file: an in-place write would change what it reads
    linkSync(module, `${module}.old`);
    const before = statSync(module).ino;
    const run = await adjoint("compile", good, "--out", at("swap"), "--svg", at("swap"));
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(`${module}.old`, "utf8")).toBe("// an old module\n");
    expect(statSync(module).ino).not.toBe(before);
    expect(readFileSync(module, "utf8")).toContain("export function createSquare(");
    // nothing temporary is left beside it
    expect(readdirSync(path.dirname(module)).sort()).toEqual([
      "square.svg",
      "square.ts",
      "square.ts.old",
    ]);
  });
});

describe("a graph file that ends the process", () => {
  it.each([
    ["process.exit(0)", 0],
    ["process.exit(3)", 3],
  ])(
    "%s while loading fails with exit 1, naming the file, and writes nothing",
    async (call, code) => {
      const file = graphFile(
        `exits${code}.graph.ts`,
        `${call};\nexport default program("p", (g) => {\n  g.entry("run", { fetch: { y: g.exp(g.input("x")) } });\n});`,
      );
      const run = await adjoint("compile", file, "--out", at(`exited${code}`));
      expect(run.stderr).toBe(
        `adjoint: ${file}: the graph file ended the process (exit code ${code}) while it was loading; ` +
          `a graph file must only build and export its program\n`,
      );
      expect(run.status).toBe(1);
      expect(readdirSync(path.join(root, at(`exited${code}`)))).toEqual([]);
    },
  );
});
