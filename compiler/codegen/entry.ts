// The code of one entry point as groups of statements: a scalar op is one const, a tensor op a loop.
import path from "node:path";
import type { Node } from "../ir/node.ts";
import { broadcastStrides, sameShape, sizeOf, stridesOf } from "../ir/shape.ts";
import { loopNest, offset } from "../ops/loops.ts";
import { literal } from "../ops/arithmetic.ts";
import { ops } from "../ops/registry.ts";
import type { Emit, FusedRead, KernelIO } from "../ops/def.ts";
import { valuesAlongside } from "../lower/alongside.ts";
import { isScalarNode, isSplatConst, type LoweredEntry, type Plan } from "../lower/plan.ts";

/** Statements that compute some values, and the scalar locals they declare and read. */
export interface CodeGroup {
  /** One statement or brace per line, unindented. */
  readonly lines: readonly string[];
  readonly defines: readonly Node[];
  readonly reads: readonly Node[];
  /** A loop or kernel: set apart from its neighbours by a blank line. */
  readonly block: boolean;
}

/** The groups of an entry: every computed value in schedule order, then outputs and updates. */
export function entryGroups(plan: Plan, lowered: LoweredEntry): CodeGroup[] {
  const refs = new References(plan);
  const groups: CodeGroup[] = [];
  const alongside = valuesAlongside(lowered.schedule, plan.fusedInto);
  const written = new Set([...alongside.values()].map((node) => node.id));
  for (const node of lowered.schedule) {
    if (plan.fusedInto.has(node.id) || plan.viewed.has(node.id) || written.has(node.id)) continue;
    groups.push(withSavedScalars(plan, nodeGroup(plan, refs, node, alongside.get(node.id))));
  }
  groups.push(resultGroup(plan, refs, lowered));
  return groups;
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
function nodeGroup(plan: Plan, refs: References, node: Node, along?: Node): CodeGroup {
  const emit = ops[node.op].emit as Emit<typeof node.op>;
  const where = provenance(plan, node);
  const defines = [node, ...(along === undefined ? [] : [along])].filter(isScalarNode);
  if (emit.kind === "elementwise" && isScalarNode(node)) {
    const args = node.inputs.map((input) => refs.scalar(input));
    const statement = `const ${refs.scalar(node)} = ${emit.expr(args, node.attrs as never)};`;
    return {
      lines: [where === "" ? statement : `${statement} // ${where}`],
      defines,
      reads: scalarReads([node]),
      block: false,
    };
  }
  if (emit.kind === "elementwise") {
    const chain = fusedChain(plan, node);
    return {
      lines: [
        ...chain.flatMap((member) => member.inputs.filter((input) => plan.viewed.has(input.id))),
        ...chain,
      ]
        .filter((member, index, all) => all.indexOf(member) === index)
        .map((member) => comment(plan, member))
        .concat(elementwiseLoop(plan, refs, chain)),
      defines,
      reads: scalarReads(chain),
      block: true,
    };
  }
  if (emit.kind === "leaf") return { lines: [], defines: [], reads: [], block: false };
  // an elementwise chain fused into the kernel computes each element where the kernel reads it
  const chain =
    node.inputs.length === 1 && plan.fusedInto.has(node.inputs[0].id)
      ? fusedChain(plan, node.inputs[0])
      : [];
  const io: KernelIO<typeof node.op> = {
    out: isScalarNode(node) ? refs.scalar(node) : refs.view(node),
    args: node.inputs.map((input) =>
      chain.length > 0 ? "" : isScalarNode(input) ? refs.scalar(input) : refs.view(input),
    ),
    inShapes: node.inputs.map((input) => input.shape),
    outShape: node.shape,
    attrs: node.attrs as never,
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
  return {
    lines: [...comments.map((member) => comment(plan, member)), ...emit.code(io)],
    defines,
    reads: scalarReads([...chain, node]),
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
    return `const ${refs.local(member)} = ${emit.expr(args, member.attrs as never)};`;
  });
  return { lines, value: refs.local(chain[chain.length - 1]) };
}

/** The nodes fused into `node`'s loop, inputs before their readers, ending with `node` itself. */
function fusedChain(plan: Plan, node: Node): Node[] {
  const chain = new Map<number, Node>();
  const visit = (member: Node) => {
    if (chain.has(member.id)) return;
    for (const input of member.inputs) if (plan.fusedInto.has(input.id)) visit(input);
    chain.set(member.id, member);
  };
  visit(node);
  return [...chain.values()];
}

/**
 * One loop for a fused chain: each fused member is a loop-local const, the last writes the output.
 * A flat loop when every operand is whole or scalar; nested loops with broadcast strides otherwise.
 */
function elementwiseLoop(plan: Plan, refs: References, chain: readonly Node[]): string[] {
  const last = chain[chain.length - 1];
  const members = new Set(chain.map((member) => member.id));
  const operands = chain.flatMap((member) => member.inputs).filter((n) => !members.has(n.id));
  const views = [...new Set(operands.filter((operand) => plan.viewed.has(operand.id)))];
  // a splat constant is inlined as a literal, so it reads like a scalar; a view needs the indices
  const whole = (input: Node) =>
    !plan.viewed.has(input.id) &&
    (isScalarNode(input) ||
      sameShape(input.shape, last.shape) ||
      (isSplatConst(input) && !refs.hasView(input)));
  const body = (element: (input: Node) => string, out: string) =>
    chain.map((member) => {
      const args = member.inputs.map((input) =>
        members.has(input.id) ? refs.local(input) : element(input),
      );
      const expr = (ops[member.op].emit as Emit<typeof member.op> & { kind: "elementwise" }).expr(
        args,
        member.attrs as never,
      );
      return member === last ? `${out} = ${expr};` : `const ${refs.local(member)} = ${expr};`;
    });
  const out = refs.view(last);
  if (operands.every(whole)) {
    const lines = body((input) => refs.element(input, "i"), `${out}[i]`);
    const loop = `for (let i = 0; i < ${sizeOf(last.shape)}; i++)`;
    return lines.length === 1 ? [`${loop} ${lines[0]}`] : [`${loop} {`, ...lines, "}"];
  }
  const outStrides = stridesOf(last.shape);
  return loopNest(last.shape, (index) => [
    ...views.map((view) => viewRead(refs, view, index)),
    ...body(
      (input) =>
        plan.viewed.has(input.id)
          ? refs.local(input)
          : refs.element(input, offset(index, broadcastStrides(input.shape, last.shape))),
      `${out}[${offset(index, outStrides)}]`,
    ),
  ]);
}

/** A loop-local for an element of a view: read from its source, or 0 outside a pad's input. */
function viewRead(refs: References, view: Node, index: readonly string[]): string {
  const emit = ops[view.op].emit as Emit<typeof view.op> & { kind: "kernel" };
  const source = view.inputs[0];
  const { offset: at, guard } = emit.view!({
    index,
    inShape: source.shape,
    outShape: view.shape,
    attrs: view.attrs as never,
  });
  const element = `${refs.view(source)}[${at}]`;
  return `const ${refs.local(view)} = ${guard === undefined ? element : `${guard} ? ${element} : 0`};`;
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

/** How generated code refers to a value: a local, a literal, or an arena view. */
class References {
  constructor(private readonly plan: Plan) {}

  scalar(node: Node): string {
    if (node.op === "const") return literal(node.attrs.values[0]);
    return this.local(node);
  }

  local(node: Node): string {
    return this.plan.names.get(node.id)!;
  }

  hasView(node: Node): boolean {
    return this.plan.views.has(node.id);
  }

  view(node: Node): string {
    const view = this.plan.views.get(node.id);
    if (view === undefined) throw new Error(`codegen: %${node.id} (${node.op}) has no arena view`);
    return view.name;
  }

  /** Element `index` of a tensor, or the scalar itself when it is broadcast. */
  element(node: Node, index: string): string {
    if (isScalarNode(node)) return this.scalar(node);
    if (isSplatConst(node) && !this.plan.views.has(node.id)) return literal(node.attrs.values[0]);
    return `${this.view(node)}[${index}]`;
  }
}

// one basename per file, not per node
const fileNames = new Map<string, string>();

function provenance(plan: Plan, node: Node): string {
  const { loc, role } = plan.program.graph.origin(node);
  let file = loc === undefined ? "" : fileNames.get(loc.file);
  if (loc !== undefined && file === undefined) {
    file = safeComment(path.basename(loc.file));
    fileNames.set(loc.file, file);
  }
  const place = loc === undefined ? "" : `${file}:${loc.line}`;
  if (role === "adjoint") return place === "" ? "adjoint" : `adjoint, ${place}`;
  if (role === "tangent") return place === "" ? "tangent" : `tangent, ${place}`;
  return place;
}

function comment(plan: Plan, node: Node): string {
  const where = provenance(plan, node);
  const args = node.inputs.map((input) =>
    isSplatConst(input) && !plan.views.has(input.id)
      ? literal(input.attrs.values[0])
      : (plan.names.get(input.id) ?? `%${input.id}`),
  );
  const name = plan.names.get(node.id) ?? `%${node.id}`;
  return `// ${name} = ${node.op}(${args.join(", ")})${where === "" ? "" : `  (${where})`}`;
}

/** Text that may sit in a line comment: no line breaks, nothing that could end it. */
export function safeComment(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]/g, " ");
}
