// A loop that several entry points compute, written once: a function of the factory that each of
// them calls. The value and the gradient of a loop program both run the forward scan (the gradient
// to record its tape); without this, its body's code is in the module once per entry.
import type { Node } from "../ir/node.ts";
import type { Plan } from "../lower/plan.ts";
import { provenance } from "./comments.ts";
import type { CodeGroup } from "./entry.ts";

export interface SharedLoop {
  readonly name: string;
  readonly doc: string;
  /** The function's body. */
  readonly lines: readonly string[];
}

/**
 * Each entry's groups with every loop that two or more entries compute replaced by a call, and the
 * functions called. A loop is shared only when it reads no scalar local of its entry: then its
 * lines touch the arena's views alone, which the factory declares for every function.
 */
export function shareLoops(
  plan: Plan,
  entries: readonly (readonly CodeGroup[])[],
): { entries: CodeGroup[][]; loops: SharedLoop[] } {
  const users = new Map<number, { node: Node; group: CodeGroup; entries: Set<number> }>();
  entries.forEach((groups, index) => {
    for (const group of groups) {
      if (group.loop === undefined || group.reads.length > 0) continue;
      const user = users.get(group.loop.id) ?? { node: group.loop, group, entries: new Set() };
      user.entries.add(index);
      users.set(group.loop.id, user);
    }
  });
  const shared = new Map<number, SharedLoop>();
  for (const [id, { node, group, entries: by }] of users) {
    if (by.size < 2) continue;
    const name = plan.table.claim(`${node.op}${capitalize(plan.names.get(id) ?? `t${id}`)}`);
    const callers = [...by].map((index) => `${plan.entries[index].entry.name}()`).join(" and ");
    shared.set(id, {
      name,
      doc: `The ${node.op} into ${plan.names.get(id) ?? `%${id}`}${where(plan, node)}, run by ${callers}.`,
      lines: group.lines.slice(1),
    });
  }
  return {
    entries: entries.map((groups) =>
      groups.map((group) => {
        const loop = group.loop === undefined ? undefined : shared.get(group.loop.id);
        if (loop === undefined) return group;
        return { ...group, lines: [group.lines[0], `${loop.name}();`], block: false };
      }),
    ),
    loops: [...shared.values()],
  };
}

function where(plan: Plan, node: Node): string {
  const place = provenance(plan, node);
  return place === "" ? "" : ` (${place})`;
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
