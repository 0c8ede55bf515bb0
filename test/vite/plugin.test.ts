// The Vite plugin through Vite's JS API, in a child process (driver.ts): graph files compile in the
// dev server and in a production build, a failing graph reaches the error overlay at the user's
// line and the server keeps serving, and an edit to an imported file recompiles the graph.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { root, tempFolder } from "../support/cli.ts";

const dir = path.join(root, tempFolder("vite-"));

beforeAll(() => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "helper.ts"), "export const scale = 3;\n");
  // y = scale·Σx², ∇y = 2·scale·x
  writeFileSync(
    path.join(dir, "good.graph.ts"),
    `import { program } from "adjoint";
import { scale } from "./helper.ts";

export default program("scaled", (g) => {
  const x = g.input("x", [3]);
  const y = g.mul(scale, g.sum(g.mul(x, x)));
  g.entry("run", { fetch: { y, dy_dx: g.grad(y, x) } });
});
`,
  );
  writeFileSync(
    path.join(dir, "bad.graph.ts"),
    `import { program } from "adjoint";

export default program("bad", (g) => {
  const x = g.input("x", [2]);
  const y = g.input("y", [3]);
  g.entry("run", { fetch: { z: g.add(x, y) } });
});
`,
  );
  writeFileSync(
    path.join(dir, "entry.ts"),
    `import { createScaled } from "./good.graph.ts";\nconst out = createScaled().run({ x: [1, 2, -3] });\nexport const result = [...out.y, ...out.dy_dx];\n`,
  );
  writeFileSync(path.join(dir, "bad-entry.ts"), `export * from "./bad.graph.ts";\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function drive(): Promise<Record<string, Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const driver = path.join(root, "test", "vite", "driver.ts");
    const child = spawn(
      process.execPath,
      ["--conditions=adjoint-source", "--import", "tsx", driver, dir],
      { cwd: root },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => {
      const findings = stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      if (status !== 0) reject(new Error(`driver exited ${status}:\n${stdout}\n${stderr}`));
      resolve(Object.fromEntries(findings.map((finding) => [String(finding.step), finding])));
    });
  });
}

it(
  "compiles graph files in dev and production, with errors at the user's line",
  { timeout: 300_000 },
  async () => {
    const found = await drive();
    expect(found["dev-compiled"]).toMatchObject({ hasFactory: true, scale: "3" });
    // the add of [2] and [3] is on line 6 of bad.graph.ts
    expect(found["dev-error"]).toMatchObject({
      status: 500,
      plugin: "adjoint",
      loc: { file: path.join(dir, "bad.graph.ts"), line: 6 },
    });
    expect(found["dev-error"].message).toMatch(/add.*\[2\].*\[3\]/);
    expect(found["dev-after-edit"]).toMatchObject({ scale: "7" });
    // built after the edit: scale 7, so y = 7·14 = 98 and ∇y = 14x
    expect(found.build).toEqual({ step: "build", result: [98, 14, 28, -42] });
    expect(found["build-error"]).toMatchObject({ failed: true });
    expect(found["build-error"].message).toMatch(/bad\.graph\.ts:6/);
    expect(found.done).toBeDefined();
  },
);
