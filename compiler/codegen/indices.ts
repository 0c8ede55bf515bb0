// Inputs that ops use as indices: the feed check tests their range before anything is written.
import type { LoweredEntry, Plan } from "../lower/plan.ts";
import type { OpDef } from "../ops/def.ts";
import { ops } from "../ops/registry.ts";
import { provenance } from "./comments.ts";

/** The bound every element of an index input must stay below, and the op that reads it. */
export interface IndexBound {
  readonly size: number;
  readonly op: string;
}

/**
 * For each input `lowered` takes as a feed that is itself an op's index operand, in this entry or
 * in an entry that runs after it (and reads its inputs): the tightest bound, by node id.
 */
export function feedIndexBounds(plan: Plan, lowered: LoweredEntry): Map<number, IndexBound> {
  const feeds = new Set(lowered.feeds.map((leaf) => leaf.id));
  const bounds = new Map<number, IndexBound>();
  for (const reader of readersOfFeeds(plan, lowered)) {
    for (const node of reader.schedule) {
      const rule = (ops[node.op] as OpDef<typeof node.op>).indices;
      if (rule === undefined) continue;
      const { operand, size, what } = rule(
        node.inputs.map((input) => input.shape),
        node.attrs as never,
        node.shape,
      );
      const indices = node.inputs[operand];
      if (!feeds.has(indices.id) || (bounds.get(indices.id)?.size ?? Infinity) <= size) continue;
      const where = provenance(plan, node);
      bounds.set(indices.id, { size, op: where === "" ? what : `${what} (${where})` });
    }
  }
  return bounds;
}

/** `lowered` and every entry that runs after it, directly or through others. */
function readersOfFeeds(plan: Plan, lowered: LoweredEntry): LoweredEntry[] {
  const readers = [lowered];
  for (const other of plan.entries) {
    let after = other.entry.after;
    while (after !== undefined && after !== lowered.entry.name)
      after = plan.entries.find((candidate) => candidate.entry.name === after)?.entry.after;
    if (after !== undefined && other !== lowered) readers.push(other);
  }
  return readers;
}
