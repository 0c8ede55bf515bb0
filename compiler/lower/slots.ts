// Arena slots for tensor intermediates: liveness intervals per entry, shared where they do not overlap.
import type { Node } from "../ir/node.ts";
import type { Program } from "../ir/program.ts";
import { sizeOf } from "../ir/shape.ts";
import { ops } from "../ops/registry.ts";
import { entryRoots } from "../passes/rebuild.ts";
import type { View } from "./view.ts";
import { emitSite, isScalarNode } from "./chains.ts";
import type { Groups } from "./groups.ts";
import { LifetimeIndex } from "./intervals.ts";

interface Interval {
  readonly start: number;
  readonly end: number;
}

/** Per entry, where a value is alive in that entry's schedule (undefined: not computed there). */
type Lifetimes = readonly (Interval | undefined)[];

/** Elements of the scratch part of the arena that a value occupies. */
export interface Slot {
  readonly offset: number;
  readonly length: number;
}

interface Placed extends Slot {
  readonly lifetimes: Lifetimes;
}

/** A placed value alive with the one being placed; `shareable`: it may be overwritten in place. */
interface Live {
  readonly other: Placed;
  readonly shareable: boolean;
}

/**
 * The offset for `size` elements: first the offset of a value it may overwrite in place, if
 * nothing else alive there is in the way; else the lowest gap (at 0 or where a live value ends)
 * that no live value overlaps, by one sweep over the live values in offset order.
 */
function lowestFree(live: readonly Live[], size: number): number {
  const free = (offset: number) =>
    live.every(
      ({ other, shareable }) =>
        other.offset + other.length <= offset ||
        offset + size <= other.offset ||
        (shareable && other.offset === offset),
    );
  for (const { other, shareable } of live) if (shareable && free(other.offset)) return other.offset;
  // no in-place offset is free, so none of them is free below either: the exception is moot
  const blocks = live.map(({ other }) => other).sort((a, b) => a.offset - b.offset);
  let cursor = 0;
  for (const block of blocks) {
    if (block.offset >= cursor + size) break;
    cursor = Math.max(cursor, block.offset + block.length);
  }
  return cursor;
}

/**
 * Places tensor intermediates in the scratch part of the arena from their liveness in every entry:
 * largest first, each at the lowest offset that no value alive at the same time occupies. A value
 * may take exactly the elements of an input that dies at the elementwise op defining it (in place:
 * out[i] depends on in[i] alone).
 */
export function assignScratch(
  program: Program,
  schedules: readonly (readonly Node[])[],
  dedicated: ReadonlyMap<number, View>,
  fusedInto: ReadonlyMap<number, Node>,
  viewed: ReadonlySet<number>,
  groups: Groups,
) {
  const intervals = new Map<number, (Interval | undefined)[]>();
  schedules.forEach((nodes, entryIndex) => {
    const end = nodes.length;
    const kept = new Set(entryRoots(program.entries[entryIndex]).map((node) => node.id));
    // a loop shared by a group defines every member where it starts and reads until it ends
    const position = new Map(nodes.map((node, index) => [node.id, index]));
    const groupOf = groups.perEntry[entryIndex];
    const span = (site: Node) => {
      const group = groupOf.get(site.id);
      if (group === undefined)
        return { first: position.get(site.id)!, last: position.get(site.id)! };
      const members = group.members;
      return {
        first: position.get(members[0].id)!,
        last: position.get(members[members.length - 1].id)!,
      };
    };
    // last use of every value, in one sweep; a fused node reads its inputs where its chain ends
    const lastUse = new Map<number, number>();
    for (const node of nodes) {
      const at = span(emitSite(fusedInto, node)).last;
      for (const input of node.inputs) {
        lastUse.set(input.id, Math.max(at, lastUse.get(input.id) ?? 0));
        // read through a view at other offsets: the source stays busy past the reader, never in place
        if (viewed.has(input.id)) {
          const source = input.inputs[0];
          lastUse.set(source.id, Math.max(at + 1, lastUse.get(source.id) ?? 0));
        }
      }
    }
    nodes.forEach((node) => {
      if (isScalarNode(node) || dedicated.has(node.id) || fusedInto.has(node.id)) return;
      if (viewed.has(node.id) || groups.local.has(node.id)) return;
      const { first, last: defined } = span(node);
      const last = kept.has(node.id) ? end : Math.max(defined, lastUse.get(node.id) ?? defined);
      const perEntry = intervals.get(node.id) ?? [];
      perEntry[entryIndex] = { start: first, end: last };
      intervals.set(node.id, perEntry);
    });
  });

  // a loop that scatters writes other elements than the one it reads: never in place
  const inPlace = (entryIndex: number, at: number): boolean => {
    const site = schedules[entryIndex][at];
    const scatters = groups.perEntry[entryIndex].get(site.id)?.scatters.length ?? 0;
    return ops[site.op].emit.kind === "elementwise" && scatters === 0;
  };
  // "touch": one value dies at the elementwise op that defines the other, so it may be overwritten
  const conflict = (a: Lifetimes, b: Lifetimes): "none" | "touch" | "overlap" => {
    let result: "none" | "touch" = "none";
    for (let entryIndex = 0; entryIndex < Math.max(a.length, b.length); entryIndex++) {
      const x = a[entryIndex];
      const y = b[entryIndex];
      if (x === undefined || y === undefined || x.end < y.start || y.end < x.start) continue;
      const touches =
        (x.end === y.start && inPlace(entryIndex, y.start)) ||
        (y.end === x.start && inPlace(entryIndex, x.start));
      if (!touches) return "overlap";
      result = "touch";
    }
    return result;
  };

  // largest first, each at the lowest offset that no value alive at the same time occupies
  const ids = [...intervals.keys()].sort(
    (a, b) => sizeOf(program.graph.nodes[b].shape) - sizeOf(program.graph.nodes[a].shape) || a - b,
  );
  const placed: Placed[] = [];
  // only the placed values whose lifetimes overlap can conflict: found by index, in placed order
  const index = new LifetimeIndex(schedules.map((nodes) => nodes.length));
  const slotOf = new Map<number, Slot>();
  let length = 0;
  for (const id of ids) {
    const lifetimes = intervals.get(id)!;
    const size = sizeOf(program.graph.nodes[id].shape);
    const live: Live[] = [];
    for (const key of index.overlapping(lifetimes)) {
      const other = placed[key];
      const kind = conflict(other.lifetimes, lifetimes);
      // in place only over exactly the same elements: out[i] may overwrite in[i], nothing else
      if (kind !== "none")
        live.push({ other, shareable: kind === "touch" && other.length === size });
    }
    const offset = lowestFree(live, size);
    const slot = { offset, length: size };
    index.add(lifetimes, placed.length);
    placed.push({ ...slot, lifetimes });
    slotOf.set(id, slot);
    length = Math.max(length, offset + size);
  }
  return { slotOf, length };
}
