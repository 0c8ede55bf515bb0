// The code of one entry point as groups of statements: a scalar op is one const, a tensor op a loop.
import type { Node, NodeOf } from "../ir/node.ts";
import type { RegionPlans } from "../lower/regions.ts";
import { condLines, scanLines, type BodyLines } from "./region.ts";
import { whileLines } from "./while.ts";
import { ops } from "../ops/registry.ts";
import type { Emit, FusedRead, KernelIO, OpDef, WasmSite } from "../ops/def.ts";
import { valuesAlongside } from "../lower/alongside.ts";
import {
  isScalarNode,
  isSplatConst,
  type LoopGroup,
  type LoweredEntry,
  type Plan,
} from "../lower/plan.ts";
import { comment, groupComments, provenance } from "./comments.ts";
import { elementChain, sharedLoop } from "./loop.ts";
import { References } from "./references.ts";

/** Statements that compute some values, and the scalar locals they declare and read. */
export interface CodeGroup {
  /** One statement or brace per line, unindented. */
  readonly lines: readonly string[];
  readonly defines: readonly Node[];
  readonly reads: readonly Node[];
  /** A loop or kernel: set apart from its neighbours by a blank line. */
  readonly block: boolean;
  /** The scan or cond these lines compute, when they are its loop (see codegen/shared.ts). */
  readonly loop?: Node;
}

/** How an entry's code is written: names of runtime helpers, the arena, kernels and loop bodies. */
export interface EntryCodeOptions {
  /** The local name of the runtime's index check (aliased where a program name takes it). */
  readonly checkIndex: string;
  /** The local name of the runtime's error class (a while loop at its bound throws it). */
  readonly runtimeError: string;
  readonly arenaType?: "f64" | "f32";
  readonly kernels?: KernelChoice;
  /** The planned bodies of the entry's loops and conds. */
  readonly regions?: RegionPlans;
  /** The arena offset that the plan's view offsets count from (a loop body's region). */
  readonly base?: number;
}

/** The groups of an entry: every computed value in schedule order, then outputs and updates. */
export function entryGroups(
  plan: Plan,
  lowered: LoweredEntry,
  options: EntryCodeOptions,
): CodeGroup[] {
  const { checkIndex, arenaType = "f64", kernels = "js", base = 0 } = options;
  const refs = new References(plan, arenaType);
  const site: IndexSite = {
    plan,
    entry: lowered.entry.name,
    helper: checkIndex,
    kernels: kernels === "js" ? undefined : { mode: kernels, arenaType, base },
  };
  const groups: CodeGroup[] = [];
  // a value that a shared loop computes is not also written by a kernel alongside
  const alongside = new Map(
    [...valuesAlongside(lowered.schedule, plan.fusedInto)].filter(
      ([, along]) => !lowered.groups.has(along.id),
    ),
  );
  const written = new Set([...alongside.values()].map((node) => node.id));
  for (const node of lowered.schedule) {
    const elsewhere = plan.fusedInto.has(node.id) || plan.viewed.has(node.id);
    if (elsewhere || written.has(node.id) || plan.aliased.has(node.id)) continue;
    if (node.op === "scan" || node.op === "cond" || node.op === "while") {
      groups.push(loopGroup(plan, refs, node, options));
      continue;
    }
    const loop = lowered.groups.get(node.id);
    // a loop shared by several sites is written once, where its first member is scheduled
    if (loop === undefined)
      groups.push(
        withSavedScalars(plan, nodeGroup(plan, refs, site, node, alongside.get(node.id))),
      );
    else if (loop.members[0] === node)
      groups.push(withSavedScalars(plan, groupCode(plan, refs, loop)));
  }
  groups.push(resultGroup(plan, refs, lowered));
  return groups;
}

const noRegions: RegionPlans = { byNode: new Map(), length: 0 };

/** A scan (one `for` loop), a cond (an `if`) or a while (a `for (;;)` with a break) around its bodies' code. */
function loopGroup(
  plan: Plan,
  refs: References,
  node: NodeOf<"scan"> | NodeOf<"cond"> | NodeOf<"while">,
  options: EntryCodeOptions,
): CodeGroup {
  const planned = (options.regions ?? noRegions).byNode.get(node.id);
  if (planned === undefined)
    throw new Error(`codegen: %${node.id} (${node.op}) has no planned body`);
  const bodyLines: BodyLines = (body, lowered, inner, base) =>
    entryGroups(body, lowered, { ...options, regions: inner, base }).flatMap(
      (group) => group.lines,
    );
  const lines =
    node.op === "scan"
      ? scanLines(plan, refs, node, planned[0], bodyLines)
      : node.op === "cond"
        ? condLines(plan, refs, node, planned, bodyLines)
        : whileLines(plan, refs, node, planned, bodyLines, options.runtimeError);
  return {
    lines: [comment(plan, node), ...lines],
    defines: [],
    reads: scalarReads([node]),
    block: true,
    loop: node,
  };
}

/** A scalar that a later entry reads is also stored in its lasting view. */
function withSavedScalars(plan: Plan, group: CodeGroup): CodeGroup {
  const stores = group.defines
    .filter((node) => plan.saved.has(node.id))
    .map((node) => `${plan.views.get(node.id)!.name}[0] = ${plan.names.get(node.id)!};`);
  return stores.length === 0 ? group : { ...group, lines: [...group.lines, ...stores] };
}

/** How a part of an entry loads a scalar leaf, or a scalar an earlier entry saved. */
export function leafLoad(plan: Plan, leaf: Node): string {
  return `const ${plan.names.get(leaf.id)!} = ${plan.views.get(leaf.id)!.name}[0];`;
}

/** Scalars read as locals: computed scalars and scalar leaves, not constants (those are literals). */
function scalarReads(nodes: readonly Node[]): Node[] {
  const reads = new Map<number, Node>();
  for (const node of nodes) {
    for (const input of node.inputs)
      if (isScalarNode(input) && input.op !== "const") reads.set(input.id, input);
  }
  return [...reads.values()];
}

/** The code of `node`, which also writes `along` when given (see lower/alongside.ts). */
function nodeGroup(
  plan: Plan,
  refs: References,
  site: IndexSite,
  node: Node,
  along?: Node,
): CodeGroup {
  const emit = ops[node.op].emit as Exclude<Emit<typeof node.op>, { kind: "region" }>;
  const where = provenance(plan, node);
  const defines = [node, ...(along === undefined ? [] : [along])].filter(isScalarNode);
  if (emit.kind === "elementwise" && isScalarNode(node)) {
    const args = node.inputs.map((input) => refs.scalar(input));
    const value = refs.rounded(node, emit.expr(args, node.attrs as never));
    const statement = `const ${refs.scalar(node)} = ${value};`;
    return {
      lines: [where === "" ? statement : `${statement} // ${where}`],
      defines,
      reads: scalarReads([node]),
      block: false,
    };
  }
  if (emit.kind === "elementwise")
    return groupCode(plan, refs, { shape: node.shape, members: [node], scatters: [] });
  if (emit.kind === "leaf") return { lines: [], defines: [], reads: [], block: false };
  // an elementwise chain fused into the kernel computes each element where the kernel reads it
  const chain = elementChain(plan, node);
  const io: KernelIO<typeof node.op> = {
    out: isScalarNode(node) ? refs.scalar(node) : refs.view(node),
    args: node.inputs.map((input) =>
      chain.length > 0 ? "" : isScalarNode(input) ? refs.scalar(input) : refs.view(input),
    ),
    inShapes: node.inputs.map((input) => input.shape),
    outShape: node.shape,
    attrs: node.attrs as never,
    checkIndex: (index) => indexCheck(site, node, index),
    ...(chain.length > 0 ? {} : wasmSite(plan, site, node)),
    ...(chain.length > 0 ? { fusedInput: (at: string) => fusedRead(refs, chain, at) } : {}),
    ...(along === undefined
      ? {}
      : {
          alongside: {
            out: isScalarNode(along) ? refs.scalar(along) : refs.view(along),
            shape: along.shape,
          },
        }),
  };
  const comments = [...chain, ...(along === undefined ? [] : [along]), node];
  // a kernel computes in float64; a scalar it leaves in a local is rounded as a store would round it
  const rounding = defines
    .filter((scalar) => refs.rounds(scalar))
    .map((scalar) => `${refs.scalar(scalar)} = Math.fround(${refs.scalar(scalar)});`);
  return {
    lines: [...groupComments(plan, comments), ...emit.code(io), ...rounding],
    defines,
    reads: scalarReads([...chain, node]),
    block: true,
  };
}

/** A loop computing one or more sites, under a comment line for every value it computes. */
function groupCode(plan: Plan, refs: References, group: LoopGroup): CodeGroup {
  const computed = [...group.members, ...group.scatters].flatMap((site) => [
    ...elementChain(plan, site),
    site,
  ]);
  const described = [
    ...computed.flatMap((member) => member.inputs.filter((input) => plan.viewed.has(input.id))),
    ...computed,
  ].filter((member, index, all) => all.indexOf(member) === index);
  return {
    lines: [...groupComments(plan, described), ...sharedLoop(plan, refs, group)],
    defines: group.members.filter(isScalarNode),
    reads: scalarReads(computed),
    block: true,
  };
}

/** A fused chain's element at flat offset `at`: every member a local, the last one the value. */
function fusedRead(refs: References, chain: readonly Node[], at: string): FusedRead {
  const members = new Set(chain.map((member) => member.id));
  const lines = chain.map((member) => {
    const args = member.inputs.map((input) =>
      members.has(input.id) ? refs.local(input) : refs.element(input, at),
    );
    const emit = ops[member.op].emit as Emit<typeof member.op> & { kind: "elementwise" };
    return `const ${refs.local(member)} = ${refs.rounded(member, emit.expr(args, member.attrs as never))};`;
  });
  return { lines, value: refs.local(chain[chain.length - 1]) };
}

/** Fetched values into their output views, then parameter updates (all read before any write). */
function resultGroup(plan: Plan, refs: References, lowered: LoweredEntry): CodeGroup {
  const lines = [
    ...outputStatements(plan, refs, lowered),
    ...updateStatements(plan, refs, lowered),
  ];
  const results = [
    ...lowered.outputs.map((output) => output.node),
    ...lowered.entry.update.map(([, value]) => value),
  ];
  const reads = results.filter((node) => isScalarNode(node) && node.op !== "const");
  return {
    lines,
    defines: [],
    reads: [...new Map(reads.map((n) => [n.id, n])).values()],
    block: false,
  };
}

function outputStatements(plan: Plan, refs: References, lowered: LoweredEntry): string[] {
  const lines: string[] = [];
  for (const { node, view } of lowered.outputs) {
    if (plan.outputViews.get(node.id) !== view) continue;
    if (isScalarNode(node)) lines.push(`${view.name}[0] = ${refs.scalar(node)};`);
    else if (isSplatConst(node) && !plan.views.has(node.id))
      lines.push(`${view.name}.fill(${refs.element(node, "0")});`);
    else lines.push(`${view.name}.set(${refs.view(node)});`);
  }
  return lines;
}

function updateStatements(plan: Plan, refs: References, lowered: LoweredEntry): string[] {
  const lines: string[] = [];
  // every new value is read before any param is written: params that others read are copied first
  const staged = new Set(
    lowered.entry.update.map(([, value]) => value).filter((value) => plan.staged.has(value.id)),
  );
  for (const value of staged)
    lines.push(`${plan.staged.get(value.id)!.name}.set(${refs.view(value)});`);
  for (const [param, value] of lowered.entry.update) {
    if (value === param) continue;
    const target = plan.views.get(param.id)!.name;
    if (isScalarNode(param)) lines.push(`${target}[0] = ${refs.scalar(value)};`);
    else if (isSplatConst(value) && !plan.views.has(value.id))
      lines.push(`${target}.fill(${refs.element(value, "0")});`);
    else lines.push(`${target}.set(${plan.staged.get(value.id)?.name ?? refs.view(value)});`);
  }
  return lines;
}

/** Which matmul generated code runs: the runtime's kernel library, the JS loops, or either. */
export type KernelChoice = "wasm" | "js" | "auto";

/** The factory's local holding the kernel library's entries (null where the JS loops run). */
export const kernelsLocal = "kernels";

/**
 * What an index check needs beyond the node: the plan, the entry and the runtime helper's name;
 * and whether kernels may call the library.
 */
interface IndexSite {
  readonly plan: Plan;
  readonly entry: string;
  readonly helper: string;
  readonly kernels?: {
    readonly mode: "wasm" | "auto";
    readonly arenaType: "f64" | "f32";
    /** Added to view offsets: the library addresses the whole arena. */
    readonly base: number;
  };
}

/** A library call site for a node whose output and operands all live in the arena. */
function wasmSite(plan: Plan, { kernels }: IndexSite, node: Node): { wasm?: WasmSite } {
  const out = plan.views.get(node.id);
  const args = node.inputs.map((input) => plan.views.get(input.id));
  if (kernels === undefined || out === undefined || args.some((view) => view === undefined))
    return {};
  return {
    wasm: {
      entry: `${kernelsLocal}.${node.op}${kernels.arenaType === "f32" ? "F32" : "F64"}`,
      out: kernels.base + out.offset,
      args: args.map((view) => kernels.base + view!.offset),
      ...(kernels.mode === "auto" ? { when: `${kernelsLocal} !== null` } : {}),
    },
  };
}

/**
 * The call checking one index of `node`: its error names the entry, the op and the user's line,
 * and the input (or param) the indices come from. Constant indices are read as they are: the
 * graph checked every one of them when the node was made (ir/graph.ts).
 */
function indexCheck({ plan, entry, helper }: IndexSite, node: Node, index: string): string {
  const rule = (ops[node.op] as OpDef<typeof node.op>).indices;
  if (rule === undefined) throw new Error(`codegen: ${node.op} reads no indices`);
  const { operand, size, what } = rule(
    node.inputs.map((input) => input.shape),
    node.attrs as never,
    node.shape,
  );
  if (node.inputs[operand].op === "const") return index;
  const where = provenance(plan, node);
  const text = [
    `${plan.program.name}.${entry}: ${what}`,
    where === "" ? "" : ` (${where})`,
    indexSource(node.inputs[operand]),
  ].join("");
  return `${helper}(${index}, ${size}, ${JSON.stringify(text)})`;
}

/** " reading input \"labels\"", or the leaves a computed index comes from; "" for constants. */
function indexSource(indices: Node): string {
  if (indices.op === "input" || indices.op === "param")
    return ` reading ${indices.op} "${indices.attrs.name}"`;
  const leaves = new Map<number, Node>();
  const seen = new Set<number>();
  const stack: Node[] = [indices];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    if (node.op === "input" || node.op === "param") leaves.set(node.id, node);
    stack.push(...node.inputs);
  }
  const named = [...leaves.values()]
    .sort((a, b) => a.id - b.id)
    .map((leaf) => `${leaf.op} "${leafName(leaf)}"`);
  return named.length === 0 ? "" : ` reading indices computed from ${named.join(", ")}`;
}

function leafName(leaf: Node): string {
  return leaf.op === "input" || leaf.op === "param" ? leaf.attrs.name : `%${leaf.id}`;
}
