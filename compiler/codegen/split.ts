// An entry's groups packed into functions small enough for V8 to optimise; scalars that cross
// from one function to another pass through spill slots of the arena.
import type { Node } from "../ir/node.ts";
import type { CodeGroup } from "./entry.ts";

export interface SplitOptions {
  /** Most lines in one function before the rest moves to the next. */
  readonly maxLines: number;
  /** The statement that loads a scalar leaf into a local. */
  readonly leafLoad: (leaf: Node) => string;
  /** The local name of a computed scalar. */
  readonly localName: (node: Node) => string;
  /** The arena view that holds spilled scalars. */
  readonly spillView: string;
}

export interface SplitEntry {
  /** The body lines of each function, in call order ("" is a blank line). */
  readonly parts: readonly (readonly string[])[];
  /** Spill slots this entry uses. */
  readonly spills: number;
}

export function splitEntry(groups: readonly CodeGroup[], options: SplitOptions): SplitEntry {
  const packed = pack(
    groups.filter((group) => group.lines.length > 0),
    options.maxLines,
  );
  const partOf = new Map<number, number>();
  packed.forEach((part, index) => {
    for (const group of part) for (const node of group.defines) partOf.set(node.id, index);
  });
  // a scalar read in a later part than the one that defines it goes through a spill slot
  const slot = new Map<number, number>();
  packed.forEach((part, index) => {
    for (const group of part) {
      for (const node of group.reads) {
        const home = partOf.get(node.id);
        if (home !== undefined && home !== index && !slot.has(node.id))
          slot.set(node.id, slot.size);
      }
    }
  });
  const parts = packed.map((part, index) => partLines(part, index, partOf, slot, options));
  return { parts, spills: slot.size };
}

/**
 * Consecutive groups, each run at most `maxLines` long unless one group alone is longer. A part's
 * length counts the loads it needs and, at worst, a spill store for every scalar it defines.
 */
function pack(groups: readonly CodeGroup[], maxLines: number): CodeGroup[][] {
  const parts: CodeGroup[][] = [[]];
  let lines = 0;
  let available = new Set<number>();
  const cost = (group: CodeGroup) =>
    group.lines.length +
    group.defines.length +
    group.reads.filter((node) => !available.has(node.id)).length;
  for (const group of groups) {
    const current = parts[parts.length - 1];
    if (current.length > 0 && lines + cost(group) > maxLines) {
      parts.push([]);
      lines = 0;
      available = new Set<number>();
    }
    lines += cost(group);
    parts[parts.length - 1].push(group);
    for (const node of [...group.reads, ...group.defines]) available.add(node.id);
  }
  return parts;
}

function partLines(
  part: readonly CodeGroup[],
  index: number,
  partOf: ReadonlyMap<number, number>,
  slot: ReadonlyMap<number, number>,
  options: SplitOptions,
): string[] {
  const loads = new Map<number, string>();
  for (const group of part) {
    for (const node of group.reads) {
      const home = partOf.get(node.id);
      if (home === index || loads.has(node.id)) continue;
      loads.set(
        node.id,
        home === undefined
          ? options.leafLoad(node)
          : `const ${options.localName(node)} = ${options.spillView}[${slot.get(node.id)}];`,
      );
    }
  }
  const lines = [...[...loads].sort(([a], [b]) => a - b).map(([, line]) => line)];
  let previousBlock = false;
  for (const group of part) {
    if (group.lines.length === 0) continue;
    if (lines.length > 0 && (group.block || previousBlock)) lines.push("");
    lines.push(...group.lines);
    for (const node of group.defines) {
      const spill = slot.get(node.id);
      if (spill !== undefined)
        lines.push(`${options.spillView}[${spill}] = ${options.localName(node)};`);
    }
    previousBlock = group.block;
  }
  return lines;
}
