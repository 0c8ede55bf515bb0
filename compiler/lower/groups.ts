// Horizontal fusion: consecutive loops over the same index space become one loop computing each.
import type { Node } from "../ir/node.ts";
import type { EntryPoint } from "../ir/program.ts";
import { sameShape, type Shape } from "../ir/shape.ts";
import { ops } from "../ops/registry.ts";
import { entryRoots } from "../passes/rebuild.ts";
import { chainOperands, emitSite, fusedChain, readersOf } from "./chains.ts";

/** Sites (nodes whose code is a loop) that one loop computes, in schedule order. */
export interface LoopGroup {
  /** The index space every member visits, element by element in row-major order. */
  readonly shape: Shape;
  readonly members: readonly Node[];
  /**
   * Sums of zero-padded members (the adjoint of overlapping slices) that the loop accumulates as it
   * goes: each target is zeroed before the loop, then every member element is added where its pad
   * puts it, instead of a loop of its own reading the pads back.
   */
  readonly scatters: readonly Node[];
}

export interface Groups {
  /** Per entry, the group of each member of a group of two or more sites. */
  readonly perEntry: readonly ReadonlyMap<number, LoopGroup>[];
  /**
   * Tensor values that every reader reads inside the loop computing them, at the same element, in
   * every entry: they live in a loop-local and need no buffer.
   */
  readonly local: ReadonlySet<number>;
}

/** What lowering already decided, which grouping reads. */
export interface GroupingInput {
  readonly entries: readonly EntryPoint[];
  readonly schedules: readonly (readonly Node[])[];
  /** Vertically fused values, by id, with the node whose loop computes them. */
  readonly fusedInto: ReadonlyMap<number, Node>;
  /** Movement ops read through in place. */
  readonly viewed: ReadonlySet<number>;
  /** Values with a view of their own (leaves, fetched, saved): never loop-locals. */
  readonly dedicated: ReadonlySet<number>;
}

/** A site's loop: its index space and the values it reads from outside its own fused chain. */
interface SiteLoop {
  readonly shape: Shape;
  readonly operands: readonly Node[];
}

export function loopGroups(input: GroupingInput): Groups {
  const perEntry = input.schedules.map((schedule) => {
    const siteList = sites(input, schedule);
    // a sum that moves into another loop no longer separates its neighbours: form runs again
    let scatteredIds = new Set<number>();
    for (;;) {
      const runs = runsOf(input, siteList, scatteredIds);
      const scattered = scatterSums(input, schedule, siteList, runs);
      if (scattered.size <= scatteredIds.size) return groupsOf(runs, scattered);
      scatteredIds = new Set(scattered.keys());
    }
  });
  return { perEntry, local: loopLocals(input, perEntry) };
}

interface Run {
  readonly shape: Shape;
  readonly members: Node[];
  readonly scatters: Node[];
}

/** The group of every member of a run of two or more sites, or of a run that scatters. */
function groupsOf(
  runs: readonly Run[],
  scattered: ReadonlyMap<number, Run>,
): Map<number, LoopGroup> {
  const groupOf = new Map<number, LoopGroup>();
  for (const run of runs) {
    if (run.members.length < 2 && run.scatters.length === 0) continue;
    for (const member of run.members) groupOf.set(member.id, run);
  }
  for (const [id, run] of scattered) groupOf.set(id, run);
  return groupOf;
}

/** The nodes of a schedule that emit code of their own: neither fused into another nor a view. */
function sites(input: GroupingInput, schedule: readonly Node[]): Node[] {
  return schedule.filter((node) => !input.fusedInto.has(node.id) && !input.viewed.has(node.id));
}

/**
 * Runs of consecutive sites that may share a loop (one site alone is a run too), leaving out the
 * sums `scattered` into some loop: what reads one of those waits for the loop that completes it.
 */
function runsOf(
  input: GroupingInput,
  siteList: readonly Node[],
  scattered: ReadonlySet<number>,
): Run[] {
  const runs: Run[] = [];
  let run: Run | undefined;
  for (const site of siteList) {
    if (scattered.has(site.id)) continue;
    const loop = siteLoop(input, site);
    const readsScattered = loop?.operands.some(
      (operand) =>
        scattered.has(operand.id) ||
        (input.viewed.has(operand.id) && scattered.has(operand.inputs[0].id)),
    );
    if (readsScattered) {
      run = undefined;
      continue;
    }
    if (loop !== undefined && run !== undefined && joins(input, run, loop)) {
      run.members.push(site);
      continue;
    }
    run = loop === undefined ? undefined : { shape: loop.shape, members: [site], scatters: [] };
    if (run !== undefined) runs.push(run);
  }
  return runs;
}

/**
 * Sites that only add up zero-padded values of one run (df_dx = pad(a) + pad(b) for the adjoint of
 * two slices of x), each pad read by that sum alone: the run accumulates them. Returns the run each
 * scattered site moves into.
 */
function scatterSums(
  input: GroupingInput,
  schedule: readonly Node[],
  siteList: readonly Node[],
  runs: readonly Run[],
): Map<number, Run> {
  const runOf = new Map<number, Run>();
  for (const run of runs) for (const member of run.members) runOf.set(member.id, run);
  const readers = readersOf(schedule);
  const scattered = new Map<number, Run>();
  for (const site of siteList) {
    const own = runOf.get(site.id);
    if (
      site.op !== "add" ||
      site.shape.length === 0 ||
      (own !== undefined && own.members.length !== 1)
    )
      continue;
    const sum = fusedChain(input.fusedInto, site);
    const pads = chainOperands(input.fusedInto, site);
    if (!sum.every((member) => member.op === "add")) continue;
    const padsOk = pads.every(
      (pad) => pad.op === "pad" && input.viewed.has(pad.id) && readers.get(pad.id)?.size === 1,
    );
    if (!padsOk) continue;
    const host = runOf.get(pads[0].inputs[0].id);
    if (host === undefined) continue;
    const fromHost = pads.every((pad) => {
      const source = pad.inputs[0];
      return runOf.get(source.id) === host && sameShape(source.shape, host.shape);
    });
    if (!fromHost) continue;
    // the sum leaves its own (one-site) run, if it has one, for the host's loop
    if (own !== undefined) own.members.length = 0;
    host.scatters.push(site);
    scattered.set(site.id, host);
  }
  return scattered;
}

/**
 * The loop of a site that can share one: an elementwise tensor op (with its fused chain), or a
 * fold of every element into a scalar. Other kernels (matmul, partial reductions) cannot.
 */
function siteLoop(input: GroupingInput, site: Node): SiteLoop | undefined {
  const emit = ops[site.op].emit;
  if (site.shape.length > 0 && emit.kind === "elementwise")
    return { shape: site.shape, operands: chainOperands(input.fusedInto, site) };
  if (site.shape.length === 0 && emit.kind === "kernel" && emit.accumulator !== undefined) {
    const [x] = site.inputs;
    if (site.inputs.length !== 1 || x.shape.length === 0) return undefined;
    return { shape: x.shape, operands: chainOperands(input.fusedInto, site) };
  }
  return undefined;
}

/**
 * A site joins the run when it visits the same index space and reads what the run computes only
 * at the element the loop is at: a whole tensor, never a shifted view of it nor a finished fold.
 */
function joins(
  input: GroupingInput,
  run: { readonly shape: Shape; readonly members: readonly Node[] },
  loop: SiteLoop,
): boolean {
  if (!sameShape(run.shape, loop.shape)) return false;
  const computed = new Set(run.members.map((member) => member.id));
  return loop.operands.every((operand) => {
    if (input.viewed.has(operand.id)) return !computed.has(operand.inputs[0].id);
    if (!computed.has(operand.id)) return true;
    return operand.shape.length > 0 && sameShape(operand.shape, run.shape);
  });
}

/** Grouped tensor values whose every reader, in every entry, is a member of their own group. */
function loopLocals(
  input: GroupingInput,
  perEntry: readonly ReadonlyMap<number, LoopGroup>[],
): Set<number> {
  const candidates = new Map<number, boolean>();
  input.schedules.forEach((schedule, index) => {
    const groupOf = perEntry[index];
    const roots = new Set(entryRoots(input.entries[index]).map((node) => node.id));
    const scheduled = new Set(schedule.map((node) => node.id));
    // a pad that a group scatters is read where that group's loop computes its source
    const scatteredPads = new Map<number, LoopGroup>();
    for (const group of groupOf.values())
      for (const target of group.scatters)
        for (const pad of chainOperands(input.fusedInto, target)) scatteredPads.set(pad.id, group);
    // the group that reads each value, or null when a reader is outside the value's group
    const readers = new Map<number, LoopGroup | null>();
    for (const node of schedule) {
      const site = emitSite(input.fusedInto, node);
      for (const operand of node.inputs) {
        const group = input.viewed.has(node.id)
          ? (scatteredPads.get(node.id) ?? null)
          : (groupOf.get(site.id) ?? null);
        const known = readers.get(operand.id);
        readers.set(operand.id, known === undefined || known === group ? group : null);
      }
    }
    for (const [id, group] of groupOf) {
      if (!scheduled.has(id)) continue;
      const member = group.members.find((node) => node.id === id);
      // a scattered sum is written as the loop goes: it needs its buffer, whatever other entries do
      const local =
        member !== undefined &&
        member.shape.length > 0 &&
        !roots.has(id) &&
        !input.dedicated.has(id) &&
        readers.get(id) === group;
      candidates.set(id, (candidates.get(id) ?? true) && local);
    }
    // a value computed here but not grouped in this entry needs its buffer
    for (const node of schedule) if (!groupOf.has(node.id)) candidates.set(node.id, false);
  });
  return new Set([...candidates].filter(([, local]) => local).map(([id]) => id));
}
