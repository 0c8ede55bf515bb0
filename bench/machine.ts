// The machine and the versions the figures were taken with.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { compilerVersion } from "adjoint";
import { tfjsWasmFeatures } from "./engines/tfjs.ts";

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly tfjsWasm: string;
  /** os.loadavg() over 1 minute when the run started: other work on a shared machine skews figures. */
  readonly loadAverage: number;
}

export async function describeMachine(): Promise<Machine> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions: {
      adjoint: compilerVersion,
      "@tensorflow/tfjs": packageVersion("@tensorflow/tfjs"),
      "@tensorflow/tfjs-backend-wasm": packageVersion("@tensorflow/tfjs-backend-wasm"),
      "@jax-js/jax": packageVersion("@jax-js/jax"),
      typescript: packageVersion("typescript"),
    },
    tfjsWasm: await tfjsWasmFeatures(),
    loadAverage: os.loadavg()[0],
  };
}

/** The version in a package's package.json, found above its resolved entry point. */
function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    let folder = path.dirname(require.resolve(name));
    while (path.basename(folder) !== path.basename(name) && folder !== path.dirname(folder)) {
      folder = path.dirname(folder);
    }
    return (
      JSON.parse(readFileSync(path.join(folder, "package.json"), "utf8")) as { version: string }
    ).version;
  } catch {
    return "not installed";
  }
}
