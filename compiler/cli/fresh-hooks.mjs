// Module hooks for loading a graph file afresh (watch mode, the Vite plugin): an import whose
// parent URL carries `?adjoint-generation=N` resolves the user's own files with the same query, so
// each generation runs the current text of the graph file and of every file it imports, while the
// compiler, the runtime and node_modules stay the single instances already loaded.
let shared = [];

/** `data.shared`: file URLs (directories, ending in "/") whose modules are never reloaded. */
export function initialize(data) {
  shared = data?.shared ?? [];
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const parent = context.parentURL;
  if (parent === undefined || !parent.includes("adjoint-generation=")) return result;
  const generation = new URL(parent).searchParams.get("adjoint-generation");
  const url = result.url;
  if (generation === null || !url.startsWith("file:") || url.includes("/node_modules/")) {
    return result;
  }
  if (shared.some((prefix) => url.startsWith(prefix))) return result;
  const fresh = new URL(url);
  fresh.searchParams.set("adjoint-generation", generation);
  return { ...result, url: fresh.href };
}
