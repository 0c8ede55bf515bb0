// Arena slots for tensor intermediates: liveness intervals per entry, shared where they do not overlap.
import type { Node } from "../ir/node.ts";
import type { Program } from "../ir/program.ts";
import { sizeOf } from "../ir/shape.ts";
import { ops } from "../ops/registry.ts";
import { entryRoots } from "../passes/rebuild.ts";
import type { View } from "./plan.ts";
import { emitSite, isScalarNode } from "./plan.ts";

interface Interval {
  readonly start: number;
  readonly end: number;
}

interface Slot {
  readonly offset: number;
  readonly length: number;
  /** Per entry, the intervals of the values that share this slot. */
  readonly busy: Interval[][];
}

/**
 * Greedy slot sharing over liveness intervals in every entry. A value may take the slot of an
 * input that dies at the elementwise op defining it (in place: out[i] depends on in[i] alone).
 */
export function assignScratch(
  program: Program,
  schedules: readonly (readonly Node[])[],
  dedicated: ReadonlyMap<number, View>,
  fusedInto: ReadonlyMap<number, Node>,
  viewed: ReadonlySet<number>,
) {
  const intervals = new Map<number, (Interval | undefined)[]>();
  schedules.forEach((nodes, entryIndex) => {
    const end = nodes.length;
    const kept = new Set(entryRoots(program.entries[entryIndex]).map((node) => node.id));
    // last use of every value, in one sweep; a fused node reads its inputs where its chain ends
    const position = new Map(nodes.map((node, index) => [node.id, index]));
    const lastUse = new Map<number, number>();
    for (const node of nodes) {
      const at = position.get(emitSite(fusedInto, node).id)!;
      for (const input of node.inputs) {
        lastUse.set(input.id, Math.max(at, lastUse.get(input.id) ?? 0));
        // read through a view at other offsets: the source stays busy past the reader, never in place
        if (viewed.has(input.id)) {
          const source = input.inputs[0];
          lastUse.set(source.id, Math.max(at + 1, lastUse.get(source.id) ?? 0));
        }
      }
    }
    nodes.forEach((node, index) => {
      if (isScalarNode(node) || dedicated.has(node.id) || fusedInto.has(node.id)) return;
      if (viewed.has(node.id)) return;
      const last = kept.has(node.id) ? end : Math.max(index, lastUse.get(node.id) ?? index);
      const perEntry = intervals.get(node.id) ?? [];
      perEntry[entryIndex] = { start: index, end: last };
      intervals.set(node.id, perEntry);
    });
  });

  const inPlace = (entryIndex: number, at: number): boolean =>
    ops[schedules[entryIndex][at].op].emit.kind === "elementwise";
  const fits = (slot: Slot, mine: (Interval | undefined)[]): boolean =>
    mine.every((interval, entryIndex) => {
      if (interval === undefined) return true;
      return (slot.busy[entryIndex] ?? []).every(
        (other) =>
          other.end < interval.start ||
          interval.end < other.start ||
          (other.end === interval.start && inPlace(entryIndex, interval.start)),
      );
    });

  const slots: Slot[] = [];
  const slotOf = new Map<number, Slot>();
  let length = 0;
  const ids = [...intervals.keys()].sort((a, b) => a - b);
  for (const id of ids) {
    const mine = intervals.get(id)!;
    const size = sizeOf(program.graph.nodes[id].shape);
    let slot = slots.find((candidate) => candidate.length === size && fits(candidate, mine));
    if (slot === undefined) {
      slot = { offset: length, length: size, busy: [] };
      length += size;
      slots.push(slot);
    }
    mine.forEach((interval, entryIndex) => {
      if (interval !== undefined) (slot.busy[entryIndex] ??= []).push(interval);
    });
    slotOf.set(id, slot);
  }
  return { slotOf, length };
}
