// `adjoint compile --watch` as a running process: an edit to an imported file recompiles the graph
// that imports it (and not the other), a graph that fails prints its error at the user's line and
// the process keeps going, a removed graph is reported and compiled again when it comes back, and
// a new file matching the glob is compiled.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { root, tempFolder } from "../support/cli.ts";

const tmp = tempFolder("watch-");
const at = (...parts: string[]) => path.join(root, tmp, ...parts);
const rel = (...parts: string[]) => path.join(tmp, ...parts);

// y = factor·Σx²: the factor comes from helper.ts
const graph = (name: string, body: string) => `import { program } from "adjoint";
import { factor } from "./helper.ts";

export default program("${name}", (g) => {
  const x = g.input("x", [3]);
  const y = ${body};
  g.entry("run", { fetch: { y } });
});
`;
const scaled = graph("a", "g.mul(factor, g.sum(g.mul(x, x)))");
const plain = graph("b", "g.sum(g.mul(x, x))").replace(
  `import { factor } from "./helper.ts";\n`,
  "",
);

let child: ChildProcess | undefined;
let stdout = "";
let stderr = "";
afterAll(() => {
  child?.kill();
  rmSync(at(), { recursive: true, force: true });
});

/** Waits until `probe` holds (polling; generous, since the machine may be loaded). */
async function eventually(what: string, probe: () => boolean, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never happened: ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
}

const count = (text: string, needle: string) => text.split(needle).length - 1;
const wroteA = `wrote ${rel("out", "a.ts")}`;
const wroteB = `wrote ${rel("out", "b.ts")}`;
const factorIn = (file: string) => /= (\d+) \* /.exec(readFileSync(file, "utf8"))?.[1];

it("recompiles on changes, survives errors and removed files", { timeout: 600_000 }, async () => {
  writeFileSync(at("helper.ts"), "export const factor = 2;\n");
  writeFileSync(at("a.graph.ts"), scaled);
  writeFileSync(at("b.graph.ts"), plain);
  const cli = path.join(root, "compiler", "cli", "adjoint.mjs");
  const args = [
    cli,
    "compile",
    "--watch",
    // a glob, as a shell would not expand it (quoted): a new match is compiled too
    rel("*.graph.ts"),
    "--out",
    rel("out"),
  ];
  child = spawn(process.execPath, args, { cwd: root });
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await eventually("watching", () => stdout.includes("adjoint: watching 2 graph file(s)"));
  expect(factorIn(at("out", "a.ts"))).toBe("2");

  // an imported file changes: a (which imports it) is compiled again with the new factor, b is not
  writeFileSync(at("helper.ts"), "export const factor = 5;\n");
  await eventually("a recompiled", () => count(stdout, wroteA) === 2);
  expect(factorIn(at("out", "a.ts"))).toBe("5");
  expect(count(stdout, wroteB)).toBe(1);

  // a failing graph: its error with the user's line, and the process goes on
  writeFileSync(at("a.graph.ts"), scaled.replace("g.mul(x, x)", "g.matmul(x, x)"));
  await eventually("the error", () => stderr.includes("matmul: expects matrices"));
  expect(stderr).toContain(`at ${rel("a.graph.ts")}:6:`);
  expect(stderr).not.toMatch(/^\s+at .*compiler\//m);
  writeFileSync(at("b.graph.ts"), plain.replace("g.sum(g.mul(x, x))", "g.sum(g.mul(x, g.exp(x)))"));
  await eventually("b recompiled after a's error", () => count(stdout, wroteB) === 2);
  expect(child.exitCode).toBeNull();

  // the graph file disappears: reported; it comes back (fixed): compiled again
  unlinkSync(at("a.graph.ts"));
  await eventually("the removal", () => stderr.includes(`adjoint: ${rel("a.graph.ts")}: removed`));
  writeFileSync(at("a.graph.ts"), scaled.replace("factor,", "factor + 1,"));
  await eventually("a back", () => count(stdout, wroteA) === 3);
  expect(factorIn(at("out", "a.ts"))).toBe("6");
  expect(existsSync(at("out", "b.ts"))).toBe(true);

  // a new file matching the glob is compiled and watched
  writeFileSync(at("c.graph.ts"), scaled.replace('"a"', '"c"'));
  await eventually("c compiled", () => stdout.includes(`wrote ${rel("out", "c.ts")}`));
  expect(factorIn(at("out", "c.ts"))).toBe("5");
  expect(child.exitCode).toBeNull();
});
