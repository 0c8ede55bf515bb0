// The compile report: what the optimizer did to each entry point, what it costs, and what it keeps.
import type { Generated } from "../codegen/generate.ts";
import type { Node } from "../ir/node.ts";
import type { EntryPoint, Program } from "../ir/program.ts";
import { sizeOf } from "../ir/shape.ts";
import { reachable } from "../ir/text.ts";
import type { LoweredEntry, Plan, View } from "../lower/plan.ts";
import { entryRoots } from "../passes/rebuild.ts";
import { flopsOf } from "./cost.ts";
import { loopReports, type LoopReport } from "./loops.ts";

export interface PassCount {
  readonly pass: string;
  /** Nodes the entry reaches (leaves and constants included) in the program this pass produced. */
  readonly nodes: number;
}

export interface ArenaBytes {
  readonly bytes: number;
  /** What the same values would take if no two of them shared a slot. */
  readonly unsharedBytes: number;
}

export interface SavedValue {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface EntryReport {
  readonly name: string;
  readonly passes: readonly PassCount[];
  /** Computed nodes of the schedule that are not adjoints (primal and tangent values). */
  readonly forward: number;
  /** Computed nodes of the schedule built by reverse mode. */
  readonly backward: number;
  /** backward / forward, or null when the entry computes nothing forward. */
  readonly ratio: number | null;
  readonly flops: { readonly forward: number; readonly backward: number; readonly total: number };
  /** The arena ranges this entry touches: its leaves, constants, outputs and intermediates. */
  readonly arena: ArenaBytes;
  /** Forward values that some backward node reads, in schedule order. */
  readonly saved: readonly SavedValue[];
  /** Every loop the entry runs, once each (nested ones after the loop holding them). */
  readonly loops: readonly LoopReport[];
}

export interface CompileReport {
  readonly program: string;
  readonly dtype: string;
  /** Rule firings over the whole program (rewrites are not attributed to entries), most first. */
  readonly fired: readonly (readonly [string, number])[];
  /** The whole arena, shared by every entry. */
  readonly arena: ArenaBytes;
  /** The scratch part alone (neither input, param, output nor constant) against its no-reuse total. */
  readonly scratch: ArenaBytes;
  readonly entries: readonly EntryReport[];
}

export function compileReport(generated: Generated): CompileReport {
  const { plan, optimized } = generated;
  const bytes = generated.arenaType === "f32" ? 4 : 8;
  // spill slots of split entries count in both totals
  const spills = generated.arenaLength - plan.arenaLength;
  return {
    program: plan.program.name,
    dtype: plan.program.dtype,
    fired: [...optimized.fired].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0])),
    arena: {
      bytes: generated.arenaLength * bytes,
      unsharedBytes: (plan.unsharedLength + spills) * bytes,
    },
    scratch: {
      bytes: plan.scratchLength * bytes,
      unsharedBytes: plan.unsharedScratchLength * bytes,
    },
    entries: plan.entries.map((lowered, index) => ({
      name: lowered.entry.name,
      passes: optimized.stats.map((stat) => ({
        pass: stat.pass,
        nodes: reachable(entryRoots(entryNamed(stat.program, lowered.entry, index))).size,
      })),
      ...operationCounts(plan, lowered),
      arena: entryArena(plan, lowered, bytes),
      saved: savedValues(plan, lowered),
      loops: loopReports(plan.program.graph, entryRoots(lowered.entry), bytes),
    })),
  };
}

function operationCounts(plan: Plan, lowered: LoweredEntry) {
  const backwardNodes = lowered.schedule.filter((node) => isBackward(plan, node));
  const forwardNodes = lowered.schedule.filter((node) => !isBackward(plan, node));
  const flops = (nodes: readonly Node[]) => nodes.reduce((total, node) => total + flopsOf(node), 0);
  const forward = forwardNodes.length;
  const backward = backwardNodes.length;
  return {
    forward,
    backward,
    ratio: forward === 0 ? null : backward / forward,
    flops: {
      forward: flops(forwardNodes),
      backward: flops(backwardNodes),
      total: flops(lowered.schedule),
    },
  };
}

function isBackward(plan: Plan, node: Node): boolean {
  return plan.program.graph.origin(node).role === "adjoint";
}

/** Forward nodes read by a backward node: the values reverse mode keeps from the forward sweep. */
function savedValues(plan: Plan, lowered: LoweredEntry): SavedValue[] {
  const read = new Set(
    lowered.schedule
      .filter((node) => isBackward(plan, node))
      .flatMap((node) => node.inputs.map((input) => input.id)),
  );
  return lowered.schedule
    .filter((node) => !isBackward(plan, node) && read.has(node.id))
    .map((node) => ({ name: plan.names.get(node.id) ?? `%${node.id}`, shape: node.shape }));
}

/** Bytes of the union of the entry's arena ranges, against the sum of their lengths. */
function entryArena(plan: Plan, lowered: LoweredEntry, bytes: number): ArenaBytes {
  const views = new Map<string, View>();
  const add = (view: View | undefined) => {
    if (view !== undefined) views.set(`${view.name}@${view.offset}`, view);
  };
  let fused = 0;
  for (const id of reachable(entryRoots(lowered.entry))) {
    add(plan.views.get(id));
    // a fused or loop-local value has no buffer; without reuse (or fusion) it would have one
    if (plan.fusedInto.has(id) || plan.loopLocal.has(id))
      fused += sizeOf(plan.program.graph.nodes[id].shape);
  }
  for (const [, node] of lowered.entry.fetch) add(plan.outputViews.get(node.id));
  for (const [, value] of lowered.entry.update) add(plan.staged.get(value.id));
  const covered = new Set<number>();
  let unshared = fused;
  for (const view of views.values()) {
    unshared += view.length;
    for (let offset = view.offset; offset < view.offset + view.length; offset++)
      covered.add(offset);
  }
  return { bytes: covered.size * bytes, unsharedBytes: unshared * bytes };
}

/** The same entry in an earlier pass's program (passes keep entries in order and by name). */
function entryNamed(program: Program, entry: EntryPoint, index: number): EntryPoint {
  return (
    program.entries.find((candidate) => candidate.name === entry.name) ?? program.entries[index]
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
