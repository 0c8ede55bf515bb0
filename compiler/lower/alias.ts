// Reshapes that copy nothing: their input is computed straight into their view.
import type { Node } from "../ir/node.ts";
import type { Program } from "../ir/program.ts";
import { entryRoots } from "../passes/rebuild.ts";
import { isScalarNode, readersOf } from "./chains.ts";
import type { View } from "./view.ts";

/**
 * A reshape that has a view of its own (a fetched value, say) and whose tensor input nothing else
 * reads: the input is computed straight into that view, since row-major order is unchanged, and the
 * reshape copies nothing. Returns the reshapes; their inputs join `views`.
 */
export function aliasReshapes(
  program: Program,
  schedules: readonly (readonly Node[])[],
  views: Map<number, View>,
): Set<number> {
  const roots = new Set(program.entries.flatMap(entryRoots).map((node) => node.id));
  const readers = readersOf(schedules.flat());
  const aliased = new Set<number>();
  for (const node of new Set(schedules.flat())) {
    const view = views.get(node.id);
    const [source] = node.inputs;
    if (node.op !== "reshape" || view === undefined || isScalarNode(node)) continue;
    if (
      isScalarNode(source) ||
      source.inputs.length === 0 ||
      views.has(source.id) ||
      roots.has(source.id)
    )
      continue;
    if (readers.get(source.id)?.size !== 1) continue;
    views.set(source.id, view);
    aliased.add(node.id);
  }
  return aliased;
}
