// DOT -> SVG with Graphviz compiled to WebAssembly (@viz-js/viz): nothing to install on the system.
import { instance, type Viz } from "@viz-js/viz";

let viz: Promise<Viz> | undefined;

/** Renders DOT text to an SVG document; the WebAssembly module is loaded once, on first use. */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  return (await viz).renderString(dot, { format: "svg" });
}
