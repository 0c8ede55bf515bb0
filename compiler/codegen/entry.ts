// The body of one entry point: scalar regions as const locals, tensor ops as loops over arena views.
import path from "node:path";
import type { Node } from "../ir/node.ts";
import { broadcastStrides, sameShape, sizeOf, stridesOf } from "../ir/shape.ts";
import { loopNest, offset } from "../ops/loops.ts";
import { literal } from "../ops/arithmetic.ts";
import { ops } from "../ops/registry.ts";
import type { Emit, KernelIO } from "../ops/def.ts";
import { isScalarNode, isSplatConst, type LoweredEntry, type Plan } from "../lower/plan.ts";

export function entryStatements(plan: Plan, lowered: LoweredEntry): string[] {
  const refs = new References(plan);
  const lines: string[] = [];
  for (const leaf of lowered.scalarLeaves) {
    lines.push(`const ${refs.scalar(leaf)} = ${plan.views.get(leaf.id)!.name}[0];`);
  }
  for (const node of lowered.schedule) lines.push(...nodeStatements(plan, refs, node));
  lines.push(...outputStatements(plan, refs, lowered));
  lines.push(...updateStatements(plan, refs, lowered));
  return lines;
}

function nodeStatements(plan: Plan, refs: References, node: Node): string[] {
  const emit = ops[node.op].emit as Emit<typeof node.op>;
  const where = provenance(plan, node);
  if (emit.kind === "elementwise") {
    if (isScalarNode(node)) {
      const args = node.inputs.map((input) => refs.scalar(input));
      return [
        `const ${refs.scalar(node)} = ${emit.expr(args, node.attrs as never)};${where ? ` // ${where}` : ""}`,
      ];
    }
    return [comment(plan, node, where), ...elementwiseLoop(refs, node, emit.expr)];
  }
  if (emit.kind === "kernel") {
    const io: KernelIO<typeof node.op> = {
      out: isScalarNode(node) ? refs.scalar(node) : refs.view(node),
      args: node.inputs.map((input) =>
        isScalarNode(input) ? refs.scalar(input) : refs.view(input),
      ),
      inShapes: node.inputs.map((input) => input.shape),
      outShape: node.shape,
      attrs: node.attrs as never,
    };
    return [comment(plan, node, where), ...emit.code(io)];
  }
  return [];
}

/** One flat loop when every operand is whole or scalar; nested loops with broadcast strides otherwise. */
function elementwiseLoop(
  refs: References,
  node: Node,
  expr: (args: readonly string[], attrs: never) => string,
): string[] {
  const out = refs.view(node);
  // a splat constant is inlined as a literal, so it reads like a scalar
  const whole = (input: Node) =>
    isScalarNode(input) ||
    sameShape(input.shape, node.shape) ||
    (isSplatConst(input) && !refs.hasView(input));
  if (node.inputs.every(whole)) {
    const args = node.inputs.map((input) => refs.element(input, "i"));
    return [
      `for (let i = 0; i < ${sizeOf(node.shape)}; i++) ${out}[i] = ${expr(args, node.attrs as never)};`,
    ];
  }
  const outStrides = stridesOf(node.shape);
  return loopNest(node.shape, (index) => {
    const args = node.inputs.map((input) =>
      refs.element(input, offset(index, broadcastStrides(input.shape, node.shape))),
    );
    return [`${out}[${offset(index, outStrides)}] = ${expr(args, node.attrs as never)};`];
  });
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

function provenance(plan: Plan, node: Node): string {
  const { loc, role } = plan.program.graph.origin(node);
  const place = loc === undefined ? "" : `${safeComment(path.basename(loc.file))}:${loc.line}`;
  if (role === "adjoint") return place === "" ? "adjoint" : `adjoint, ${place}`;
  if (role === "tangent") return place === "" ? "tangent" : `tangent, ${place}`;
  return place;
}

function comment(plan: Plan, node: Node, where: string): string {
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
