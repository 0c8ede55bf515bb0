// A user's app, end to end from the packed tarballs: `npm pack` both packages, install them into a
// fresh app (type module, the strictest common tsconfig), compile a graph there with
// `npx adjoint compile`, type-check and build with tsc, run with plain `node` (no tsx) and check the
// printed numbers against the hand-derived ones. Also reports what each kind of app installs.
// Run by .ci/run (`npm run test:app`): installing takes longer than a unit test should.
import { execFileSync, spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
const work = mkdtempSync(path.join(os.tmpdir(), "adjoint-app-"));
const quiet = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

function run(cwd, command, args) {
  console.log(`$ ${[command, ...args].join(" ")}`);
  const out = execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (out.trim() !== "") console.log(out.trimEnd());
  return out;
}

function bytesUnder(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true })) {
    const stats = statSync(path.join(dir, entry), { throwIfNoEntry: false });
    if (stats?.isFile()) total += stats.size;
  }
  return total;
}

function writeFiles(dir, files) {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

const strict = {
  target: "es2022",
  lib: ["es2022"],
  module: "nodenext",
  moduleResolution: "nodenext",
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  noPropertyAccessFromIndexSignature: true,
  verbatimModuleSyntax: true,
  erasableSyntaxOnly: true,
  isolatedModules: true,
  skipLibCheck: false,
  types: [],
};

try {
  const packs = path.join(work, "packs");
  mkdirSync(packs);
  run(root, "npm", ["pack", "--workspace", "runtime", "--pack-destination", packs, "--silent"]);
  run(root, "npm", ["pack", "--pack-destination", packs, "--silent"]);
  const tarball = (prefix) =>
    path.join(
      packs,
      readdirSync(packs).find((f) => f.startsWith(prefix)),
    );
  const runtimeTgz = tarball("adjoint-runtime-");
  const compilerTgz = tarball("adjoint-0");

  // an app that ships generated modules: the runtime alone
  const small = path.join(work, "runtime-only");
  writeFiles(small, {
    "package.json": JSON.stringify({ name: "small", private: true, type: "module" }),
  });
  run(small, "npm", ["install", ...quiet, runtimeTgz]);
  const runtimeBytes = bytesUnder(path.join(small, "node_modules"));

  const app = path.join(work, "app");
  writeFiles(app, {
    "package.json": JSON.stringify({ name: "app", private: true, type: "module" }, null, 2),
    "tsconfig.json": JSON.stringify(
      {
        // console from the DOM's declarations: the app needs no @types/node
        compilerOptions: { ...strict, lib: ["es2022", "dom"], rootDir: ".", outDir: "dist" },
        include: ["main.ts", "generated"],
      },
      null,
      2,
    ),
    // the README's quick start, as a user writes it
    "graphs/quadratic.graph.ts": [
      'import { program } from "adjoint";',
      "",
      'export default program("quadratic", (g) => {',
      '  const x = g.input("x");',
      '  const y = g.input("y");',
      "  const f = g.add(g.add(g.mul(g.mul(x, x), y), y), 2);",
      "  const [df_dx, df_dy] = g.grad(f, [x, y]);",
      '  g.entry("grad", { fetch: { f, df_dx, df_dy } });',
      "});",
      "",
    ].join("\n"),
    "main.ts": [
      'import { encodeParams } from "@adjoint/runtime";',
      'import { createQuadratic } from "./generated/quadratic.js";',
      "",
      "const m = createQuadratic();",
      "const out = m.grad({ x: 3, y: 4 });",
      "const bytes: Uint8Array = encodeParams(m.params);",
      "console.log(`f=${out.f[0]} df_dx=${out.df_dx[0]} df_dy=${out.df_dy[0]} params=${bytes.length}B`);",
      "",
    ].join("\n"),
  });
  run(app, "npm", ["install", ...quiet, runtimeTgz]);
  run(app, "npm", ["install", ...quiet, "--save-dev", compilerTgz]);
  const appBytes = bytesUnder(path.join(app, "node_modules"));
  run(app, "npx", ["--no-install", "adjoint", "--version"]);
  run(app, "npx", [
    "--no-install",
    "adjoint",
    "compile",
    "graphs/quadratic.graph.ts",
    "--out",
    "generated",
  ]);
  run(app, process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit"]);
  run(app, process.execPath, [tsc, "-p", "tsconfig.json"]);
  const printed = run(app, process.execPath, ["dist/main.js"]).trim();
  // f = x²y + y + 2 = 42, ∂f/∂x = 2xy = 24, ∂f/∂y = x² + 1 = 10 at (3, 4); no params: a header alone
  const expected = /^f=42 df_dx=24 df_dy=10 params=\d+B$/;
  if (!expected.test(printed)) throw new Error(`the app printed "${printed}", not ${expected}`);
  // the same app with a runtime of another minor version: the generated module refuses to load
  const version = JSON.parse(
    readFileSync(path.join(root, "runtime", "package.json"), "utf8"),
  ).version;
  const [major, minor] = version.split(".").map(Number);
  const other = `${major}.${minor + 1}.0`;
  const core = path.join(app, "node_modules", "@adjoint", "runtime", "dist", "core.js");
  const coreText = readFileSync(core, "utf8");
  writeFileSync(
    core,
    coreText.replace(`runtimeVersion = "${version}"`, `runtimeVersion = "${other}"`),
  );
  const mismatched = spawnSync(process.execPath, ["dist/main.js"], { cwd: app, encoding: "utf8" });
  const message = `quadratic: this module was generated for @adjoint/runtime ${version}, but the runtime installed is ${other}`;
  if (mismatched.status === 0 || !mismatched.stderr.includes(message)) {
    throw new Error(
      `with runtime ${other} the app did not fail naming both versions:\n${mismatched.stderr}`,
    );
  }
  console.log(
    `with runtime ${other} installed: ${mismatched.stderr.split("\n").find((l) => l.includes(message))}`,
  );
  const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
  console.log(
    `installed: runtime only ${kb(runtimeBytes)}; runtime + compiler (dev) ${kb(appBytes)}`,
  );
  if (runtimeBytes >= 100 * 1024) throw new Error(`the runtime alone installs ${kb(runtimeBytes)}`);
  console.log("ok: the app built with tsc under the strict settings and ran in plain node");
} finally {
  rmSync(work, { recursive: true, force: true });
}
