// The page's Vite configuration: the adjoint plugin compiles ../mnist.graph.ts when main.ts imports
// it, and a virtual module carries the slice of digits cut in Node at build time.
import { fileURLToPath } from "node:url";
import type { InlineConfig, Plugin } from "vite";
import adjoint from "../../compiler/vite/plugin.ts";
import { sliceBytes } from "./slice.ts";

const sliceId = "virtual:mnist-slice";

function mnistSlice(): Plugin {
  return {
    name: "mnist-slice",
    resolveId: (id) => (id === sliceId ? `\0${sliceId}` : null),
    load: (id) =>
      id === `\0${sliceId}`
        ? `export const digitsBase64 = ${JSON.stringify(Buffer.from(sliceBytes()).toString("base64"))};`
        : null,
  };
}

export function webConfig(outDir: string): InlineConfig {
  return {
    root: fileURLToPath(new URL(".", import.meta.url)),
    configFile: false,
    logLevel: "warn",
    plugins: [adjoint(), mnistSlice()],
    // the slice of digits alone is a megabyte of base64
    build: {
      outDir,
      emptyOutDir: true,
      target: "es2022",
      minify: false,
      chunkSizeWarningLimit: 4096,
    },
  };
}
