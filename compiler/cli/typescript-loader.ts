// Graph files are TypeScript, which Node 20 cannot import alone: tsx registers a loader for them.
// Only commands that load a graph file pay for it (`adjoint --version` does not).

/** Set by the development entry (adjoint.mjs), which runs the CLI's own sources through tsx. */
const registered = Symbol.for("adjoint.typescriptLoader");

export async function registerTypeScriptLoader(): Promise<void> {
  const flags = globalThis as { [registered]?: boolean };
  if (flags[registered] === true) return;
  const { register } = await import("tsx/esm/api");
  register();
  flags[registered] = true;
}
