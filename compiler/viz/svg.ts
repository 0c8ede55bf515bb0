// DOT -> SVG with Graphviz compiled to WebAssembly (@viz-js/viz): nothing to install on the system.
// It is an optional peer dependency of the package, loaded only when an SVG is asked for.
import type { Viz } from "@viz-js/viz";
import { AdjointError } from "../errors.ts";

let viz: Promise<Viz> | undefined;

/** Renders DOT text to an SVG document; the WebAssembly module is loaded once, on first use. */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= loadViz();
  return (await viz).renderString(dot, { format: "svg" });
}

async function loadViz(): Promise<Viz> {
  let module: typeof import("@viz-js/viz");
  try {
    module = await import("@viz-js/viz");
  } catch {
    throw new AdjointError(
      "--svg draws with Graphviz from the optional package @viz-js/viz: npm install --save-dev @viz-js/viz (or use --dot)",
    );
  }
  return module.instance();
}
