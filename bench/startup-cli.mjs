// Start-up of the installed command (dist/cli/bin.js, as `npx adjoint` runs it), hyperfine-style:
// each command runs `--runs` times, the commands interleaved so each sees the same machine load,
// with a warm-up run first. Prints the median and the fastest wall time of each, and Node's own
// floor (`node -e 0`). Run `npm run build` first; `npm run bench:startup -- --runs 20`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("../", import.meta.url));
const { values } = parseArgs({ options: { runs: { type: "string", default: "10" } } });
const runs = Number(values.runs);
const out = mkdtempSync(path.join(os.tmpdir(), "adjoint-startup-"));
const bin = path.join(root, "dist", "cli", "bin.js");
const commands = [
  ["node -e 0", ["-e", "0"]],
  ["adjoint --version", [bin, "--version"]],
  ["adjoint compile quadratic", [bin, "compile", "examples/quadratic.graph.ts", "--out", out]],
];

function once(args) {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`${args.join(" ")} failed:\n${child.stderr}`);
  return ms;
}

try {
  const times = commands.map(() => []);
  for (const [, args] of commands) once(args);
  for (let run = 0; run < runs; run++) {
    commands.forEach(([, args], index) => times[index].push(once(args)));
  }
  const median = (list) => {
    const sorted = [...list].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  console.log(
    `node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}, ${runs} runs each`,
  );
  console.log("| command | median wall | fastest wall |");
  console.log("| --- | ---: | ---: |");
  commands.forEach(([name], index) => {
    const list = times[index];
    console.log(
      `| \`${name}\` | ${(median(list) / 1000).toFixed(3)} s | ${(Math.min(...list) / 1000).toFixed(3)} s |`,
    );
  });
} finally {
  rmSync(out, { recursive: true, force: true });
}
