// Lowering: per entry a schedule, and for every value a place: a scalar local, a literal, or an arena view.
import type { Node } from "../ir/node.ts";
import type { EntryPoint, Program } from "../ir/program.ts";
import { sameShape, sizeOf } from "../ir/shape.ts";
import { ops } from "../ops/registry.ts";
import { entryRoots } from "../passes/rebuild.ts";
import { chainOperands, isScalarNode, isSplatConst, readersOf } from "./chains.ts";
import { loopGroups, type LoopGroup } from "./groups.ts";
import { pathIdentifier } from "../dsl/names.ts";
import { NameTable } from "./names.ts";
import { aliasReshapes } from "./alias.ts";
import { assignScratch } from "./slots.ts";
import type { View } from "./view.ts";

export { emitSite, isScalarNode, isSplatConst } from "./chains.ts";
export type { LoopGroup } from "./groups.ts";

export type { View } from "./view.ts";

export interface Output {
  readonly name: string;
  readonly node: Node;
  /** Where the caller reads it; for a tensor computed in the entry, the node's own view. */
  readonly view: View;
}

export interface LoweredEntry {
  readonly entry: EntryPoint;
  /** Local identifiers of the entry's function, its feed specs and its outputs object. */
  readonly functionName: string;
  readonly feedsName: string;
  readonly outputsName: string;
  /** Computed nodes in execution order (leaves and constants excluded). */
  readonly schedule: readonly Node[];
  /** The loop group of each site that shares its loop with others (see lower/groups.ts). */
  readonly groups: ReadonlyMap<number, LoopGroup>;
  /** Inputs the entry reads, in declaration order. */
  readonly feeds: readonly Node[];
  /** Scalar leaves the entry reads into locals. */
  readonly scalarLeaves: readonly Node[];
  readonly outputs: readonly Output[];
}

export interface Plan {
  readonly program: Program;
  readonly arenaLength: number;
  /** Bytes the arena would need if no two values shared a slot. */
  readonly unsharedLength: number;
  /**
   * The scratch part (values that are neither inputs, params, outputs nor constants): its
   * elements, and what its values would take each in a buffer of its own.
   */
  readonly scratchLength: number;
  readonly unsharedScratchLength: number;
  /** Identifier of every value that has one (locals and views). */
  readonly names: ReadonlyMap<number, string>;
  /** Arena views of leaves, constants, outputs and tensor intermediates, by node id. */
  readonly views: ReadonlyMap<number, View>;
  /** Views that hold fetched values which are not computed in place (scalars, leaves, constants). */
  readonly outputViews: ReadonlyMap<number, View>;
  /** Copies of tensor params that an update reads while the same entry also overwrites them. */
  readonly staged: ReadonlyMap<number, View>;
  readonly entries: readonly LoweredEntry[];
  /**
   * Elementwise tensors computed inside the loop of their only consumer (a fused chain), by id:
   * they get a loop-local name and no arena view.
   */
  readonly fusedInto: ReadonlyMap<number, Node>;
  /**
   * Movement ops (slice, pad, reshape, broadcastTo) that every reader, an elementwise loop of
   * their shape, reads through: no buffer, no copy.
   */
  readonly viewed: ReadonlySet<number>;
  /** Reshapes whose input is computed right into their view: they emit no code. */
  readonly aliased: ReadonlySet<number>;
  /** Tensors that live in a loop-local of the group loop computing them: no arena view. */
  readonly loopLocal: ReadonlySet<number>;
  /** Values computed by one entry and read by a later one (`after`): each has a lasting view. */
  readonly saved: ReadonlySet<number>;
  /** Every identifier claimed so far; codegen claims its own locals from it too. */
  readonly table: NameTable;
}

export interface PlanOptions {
  /** Fuse chains of elementwise tensor ops into one loop (default on). */
  readonly fusion?: boolean;
  /** The identifiers already taken (a loop body's plan shares the module's). */
  readonly table?: NameTable;
}

function isComputed(node: Node): boolean {
  return node.inputs.length > 0;
}

export function plan(program: Program, options: PlanOptions = {}): Plan {
  const names = options.table ?? new NameTable();
  const nodeNames = new Map<number, string>();
  const nameOf = (node: Node, wanted?: string): string => {
    const known = nodeNames.get(node.id);
    if (known !== undefined) return known;
    const name = names.claim(wanted ?? program.graph.origin(node).label ?? `t${node.id}`);
    nodeNames.set(node.id, name);
    return name;
  };
  let arenaLength = 0;
  const views = new Map<number, View>();
  const outputViews = new Map<number, View>();
  const place = (name: string, length: number): View => {
    const view = { name, offset: arenaLength, length };
    arenaLength += length;
    return view;
  };

  // Leaves come first and keep their DSL names (renamed locally only if they clash).
  for (const leaf of program.leaves) {
    const local = nameOf(leaf, pathIdentifier(leaf.attrs.name));
    const viewName = isScalarNode(leaf) ? names.claim(`${local}_buf`) : local;
    views.set(leaf.id, place(viewName, sizeOf(leaf.shape)));
  }

  const reached = program.entries.map(reach);
  const { saved, schedules } = reuseEarlierValues(
    program,
    reached,
    reached.map((nodes) => nodes.filter(isComputed)),
  );
  const entryNames = program.entries.map((entry) => ({
    functionName: names.claim(entry.name),
    feedsName: names.claim(`${entry.name}Feeds`),
    outputsName: names.claim(`${entry.name}Outputs`),
  }));
  const consumers = consumerOps(schedules.flat());

  // Constants that cannot be inlined as a literal: non-splat, read by a kernel, or fetched
  // (an update to a splat constant is a fill).
  const fetched = new Set(
    program.entries.flatMap((entry) => entry.fetch.map(([, node]) => node.id)),
  );
  for (const node of program.graph.nodes) {
    if (node.op !== "const" || isScalarNode(node)) continue;
    const needsView =
      !isSplatConst(node) || consumers.get(node.id)?.has("kernel") === true || fetched.has(node.id);
    if (needsView) views.set(node.id, place(nameOf(node, "c"), sizeOf(node.shape)));
  }

  // Fetched values: tensors computed by an entry are written in place; others get an output view.
  for (const entry of program.entries) {
    for (const [fetchName, node] of entry.fetch) {
      if (!isScalarNode(node) && isComputed(node)) {
        if (!views.has(node.id))
          views.set(node.id, place(nameOf(node, pathIdentifier(fetchName)), sizeOf(node.shape)));
      } else if (!outputViews.has(node.id)) {
        const name = names.claim(`${pathIdentifier(fetchName)}_out`);
        outputViews.set(node.id, place(name, sizeOf(node.shape)));
      }
    }
  }
  // Values a later entry reads from an earlier one persist: tensors in their own view, scalars in a
  // one-element view that the computing entry stores into.
  for (const id of saved) {
    const node = program.graph.nodes[id];
    if (views.has(id)) continue;
    const name = isScalarNode(node) ? names.claim(`${nameOf(node)}_saved`) : nameOf(node);
    views.set(id, place(name, sizeOf(node.shape)));
  }
  // A param read as another param's new value (a swap) must be copied before any update writes it.
  const staged = new Map<number, View>();
  for (const entry of program.entries) {
    for (const [target, value] of entry.update) {
      if (value === target || value.op !== "param" || isScalarNode(value) || staged.has(value.id))
        continue;
      if (entry.update.some(([other]) => other === value))
        staged.set(
          value.id,
          place(names.claim(`${pathIdentifier(value.attrs.name)}_old`), sizeOf(value.shape)),
        );
    }
  }
  const aliased = aliasReshapes(program, schedules, views);
  const dedicatedLength = arenaLength;
  const { fused: fusedInto, viewed } =
    options.fusion === false
      ? { fused: new Map<number, Node>(), viewed: new Set<number>() }
      : fusedChains(program, schedules, views);
  const groups =
    options.fusion === false
      ? { perEntry: schedules.map(() => new Map<number, LoopGroup>()), local: new Set<number>() }
      : loopGroups({
          entries: program.entries,
          schedules,
          fusedInto,
          viewed,
          dedicated: new Set(views.keys()),
        });
  const scratch = assignScratch(program, schedules, views, fusedInto, viewed, groups);
  // without reuse every tensor value has a buffer of its own, fused ones included
  let unsharedLength = dedicatedLength;
  for (const id of [...fusedInto.keys(), ...viewed, ...groups.local])
    unsharedLength += sizeOf(program.graph.nodes[id].shape);
  let unsharedScratchLength = 0;
  for (const [id, slot] of scratch.slotOf) {
    const node = program.graph.nodes[id];
    unsharedScratchLength += slot.length;
    views.set(id, {
      name: nameOf(node),
      offset: dedicatedLength + slot.offset,
      length: slot.length,
    });
    unsharedLength += slot.length;
  }
  arenaLength = dedicatedLength + scratch.length;

  // Remaining computed scalars become locals.
  for (const nodes of schedules) for (const node of nodes) nameOf(node);

  const entries = program.entries.map((entry, index): LoweredEntry => {
    const nodes = schedules[index];
    // a scalar param that the entry only overwrites needs no local holding its old value
    const used = new Set(
      [
        ...nodes.flatMap((node) => node.inputs),
        ...entry.fetch.map(([, node]) => node),
        ...entry.update.map(([, value]) => value),
      ].map((node) => node.id),
    );
    // an entry that runs after another reads that one's inputs as they were fed to it: it does not
    // take them as feeds, so a call cannot mix values from two different inputs
    const earlier =
      entry.after === undefined
        ? new Set<number>()
        : new Set(
            reached[program.entries.findIndex((e) => e.name === entry.after)].map((n) => n.id),
          );
    const read = reached[index].filter(
      (node) =>
        (node.op === "input" || node.op === "param") &&
        (entry.after === undefined || used.has(node.id)),
    );
    return {
      entry,
      ...entryNames[index],
      schedule: nodes,
      groups: groups.perEntry[index],
      feeds: read.filter((leaf) => leaf.op === "input" && !earlier.has(leaf.id)),
      scalarLeaves: read.filter((leaf) => isScalarNode(leaf) && used.has(leaf.id)),
      outputs: entry.fetch.map(([name, node]) => ({
        name,
        node,
        view: outputViews.get(node.id) ?? views.get(node.id)!,
      })),
    };
  });
  return {
    program,
    arenaLength,
    unsharedLength,
    scratchLength: scratch.length,
    unsharedScratchLength,
    names: nodeNames,
    views,
    outputViews,
    staged,
    entries,
    fusedInto,
    viewed,
    loopLocal: groups.local,
    aliased,
    saved,
    table: names,
  };
}

/**
 * For an entry that runs after another, the computed values it shares with that one are read from
 * the arena: they leave its schedule and must persist between the calls.
 */
function reuseEarlierValues(
  program: Program,
  reached: readonly (readonly Node[])[],
  schedules: readonly (readonly Node[])[],
) {
  const saved = new Set<number>();
  const names = program.entries.map((entry) => entry.name);
  const trimmed = schedules.map((nodes, index) => {
    const after = program.entries[index].after;
    if (after === undefined) return nodes;
    const earlier = new Set(reached[names.indexOf(after)].map((node) => node.id));
    const reused = nodes.filter((node) => earlier.has(node.id));
    for (const node of reused) saved.add(node.id);
    return nodes.filter((node) => !earlier.has(node.id));
  });
  return { saved, schedules: trimmed };
}

/**
 * Elementwise tensors whose only consumer is an elementwise op of the same shape: the consumer's
 * loop computes them per element, so they need no buffer and no loop of their own.
 */
function fusedChains(
  program: Program,
  schedules: readonly (readonly Node[])[],
  dedicated: ReadonlyMap<number, View>,
): { fused: Map<number, Node>; viewed: Set<number> } {
  const roots = new Set(program.entries.flatMap(entryRoots).map((node) => node.id));
  const scheduled = new Map(schedules.flat().map((node) => [node.id, node]));
  const consumers = readersOf(scheduled.values());
  const isLoop = (node: Node) => !isScalarNode(node) && ops[node.op].emit.kind === "elementwise";
  const viewed = new Set<number>();
  for (const node of scheduled.values()) {
    const emit = ops[node.op].emit;
    if (emit.kind !== "kernel" || emit.view === undefined || isScalarNode(node)) continue;
    if (roots.has(node.id) || dedicated.has(node.id)) continue;
    const source = node.inputs[0];
    const buffered = !isScalarNode(source) && (source.op !== "const" || dedicated.has(source.id));
    const readers = [...(consumers.get(node.id)?.values() ?? [])];
    if (
      buffered &&
      readers.every((reader) => isLoop(reader) && sameShape(reader.shape, node.shape))
    )
      viewed.add(node.id);
  }
  const fused = new Map<number, Node>();
  const intoKernels: (readonly [Node, Node])[] = [];
  for (const node of scheduled.values()) {
    if (!isLoop(node) || roots.has(node.id) || dedicated.has(node.id)) continue;
    const readers = consumers.get(node.id);
    if (readers === undefined || readers.size !== 1) continue;
    const [consumer] = readers.values();
    if (isLoop(consumer) && sameShape(consumer.shape, node.shape)) fused.set(node.id, consumer);
    else if (readsFused(consumer)) intoKernels.push([node, consumer]);
  }
  // a kernel reads a fused input by flat offset: the whole chain must read its operands that way
  for (const [node, kernel] of intoKernels) {
    const flat = (operand: Node) =>
      readsFlat(operand, node.shape) &&
      !viewed.has(operand.id) &&
      !(isSplatConst(operand) && dedicated.has(operand.id));
    if (chainOperands(fused, node).every(flat)) fused.set(node.id, kernel);
  }
  return { fused, viewed };
}

/** A kernel that can compute its one input's elements itself (a reduction). */
function readsFused(node: Node): boolean {
  const emit = ops[node.op].emit;
  return emit.kind === "kernel" && emit.fusesInput === true && node.inputs.length === 1;
}

/** An operand read at the flat offset of a value of `shape`: a scalar, an inlined splat, or the same shape. */
function readsFlat(operand: Node, shape: readonly number[]): boolean {
  return isScalarNode(operand) || isSplatConst(operand) || sameShape(operand.shape, shape);
}

/** Every node the entry reaches, in id (topological) order. */
function reach(entry: EntryPoint): Node[] {
  const seen = new Map<number, Node>();
  const stack = entryRoots(entry);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    seen.set(node.id, node);
    stack.push(...node.inputs);
  }
  return [...seen.values()].sort((a, b) => a.id - b.id);
}

/** For each node, the emit kinds of the ops that read it. */
function consumerOps(nodes: readonly Node[]): Map<number, Set<string>> {
  const kinds = new Map<number, Set<string>>();
  for (const node of nodes) {
    for (const input of node.inputs) {
      const set = kinds.get(input.id) ?? new Set<string>();
      set.add(ops[node.op].emit.kind);
      kinds.set(input.id, set);
    }
  }
  return kinds;
}
