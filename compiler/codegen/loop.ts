// One loop over an index space computing one or more sites: elementwise chains and whole folds.
import type { Node, NodeOf } from "../ir/node.ts";
import { broadcastStrides, sameShape, sizeOf, stridesOf, type Shape } from "../ir/shape.ts";
import { chainOperands, fusedChain } from "../lower/chains.ts";
import { isScalarNode, isSplatConst, type LoopGroup, type Plan } from "../lower/plan.ts";
import type { Accumulator, Emit } from "../ops/def.ts";
import { loopNest, offset } from "../ops/loops.ts";
import { ops } from "../ops/registry.ts";
import type { References } from "./references.ts";

/** The elementwise nodes a site computes per element: its chain, or a fold's fused input chain. */
export function elementChain(plan: Plan, site: Node): Node[] {
  if (ops[site.op].emit.kind === "elementwise") return fusedChain(plan.fusedInto, site);
  const [x] = site.inputs;
  return x !== undefined && plan.fusedInto.get(x.id) === site ? fusedChain(plan.fusedInto, x) : [];
}

function accumulatorOf(site: Node): Accumulator | undefined {
  const emit = ops[site.op].emit;
  return emit.kind === "kernel" ? emit.accumulator : undefined;
}

/**
 * The loop computing `sites` over `shape`, in schedule order. Each chain member is a loop-local
 * const; a site writes its element to its view, or stays a local when nothing outside the loop
 * reads it; a fold adds each element to its accumulator, declared before the loop. A flat loop
 * when every operand is read whole; nested loops with broadcast strides otherwise.
 */
export function sharedLoop(plan: Plan, refs: References, group: LoopGroup): string[] {
  const { shape, members: sites } = group;
  const computed = new Set(sites.flatMap((site) => [...elementChain(plan, site), site]));
  const scatters = scatterTargets(plan, group);
  const computedIds = new Set([...computed].map((node) => node.id));
  const operands = [...computed]
    .flatMap((member) => member.inputs)
    .filter((input) => !computedIds.has(input.id));
  const views = [...new Set(operands.filter((operand) => plan.viewed.has(operand.id)))];
  // a splat constant is inlined as a literal, so it reads like a scalar; a view needs the indices
  const whole = (input: Node) =>
    !plan.viewed.has(input.id) &&
    (isScalarNode(input) ||
      sameShape(input.shape, shape) ||
      (isSplatConst(input) && !refs.hasView(input)));
  const accumulators = [
    ...sites.flatMap((site) => {
      const accumulator = accumulatorOf(site);
      return accumulator === undefined ? [] : [`let ${refs.scalar(site)} = ${accumulator.init};`];
    }),
    ...group.scatters.map((target) => `${refs.view(target)}.fill(0);`),
  ];
  // a fold adds up in float64; its scalar is rounded once, as a store would round it
  const rounding = sites
    .filter((site) => accumulatorOf(site) !== undefined && refs.rounds(site))
    .map((site) => `${refs.scalar(site)} = Math.fround(${refs.scalar(site)});`);
  const body = (element: (input: Node) => string, at: string, index?: readonly string[]) => {
    const locals = new Set<number>();
    const read = (input: Node) => (locals.has(input.id) ? refs.local(input) : element(input));
    const lines: string[] = [];
    for (const site of sites) {
      for (const member of elementChain(plan, site)) {
        const args = member.inputs.map(read);
        const emit = ops[member.op].emit as Emit<typeof member.op> & { kind: "elementwise" };
        const expr = emit.expr(args, member.attrs as never);
        if (member === site && !plan.loopLocal.has(site.id)) {
          lines.push(`${refs.view(site)}[${at}] = ${expr};`);
        } else {
          lines.push(`const ${refs.local(member)} = ${refs.rounded(member, expr)};`);
          locals.add(member.id);
        }
      }
      const accumulator = accumulatorOf(site);
      if (accumulator !== undefined) {
        const acc = refs.scalar(site);
        lines.push(`${acc} = ${accumulator.step(acc, read(site.inputs[0]))};`);
      }
      for (const { target, pad } of scatters.filter((scatter) => scatter.source === site)) {
        const to = stridesOf(target.shape);
        const base = pad.attrs.before.reduce((sum, count, axis) => sum + count * to[axis], 0);
        const where = offset(index!, to, base);
        lines.push(`${refs.view(target)}[${where}] += ${read(site)};`);
      }
    }
    return lines;
  };
  if (scatters.length === 0 && operands.every(whole)) {
    const lines = body((input) => refs.element(input, "i"), "i");
    const loop = `for (let i = 0; i < ${sizeOf(shape)}; i++)`;
    return [
      ...accumulators,
      ...(lines.length === 1 ? [`${loop} ${lines[0]}`] : [`${loop} {`, ...lines, "}"]),
      ...rounding,
    ];
  }
  const strides = stridesOf(shape);
  return [
    ...accumulators,
    ...loopNest(shape, (index) => [
      ...views.map((view) => viewRead(refs, view, index)),
      ...body(
        (input) =>
          plan.viewed.has(input.id)
            ? refs.local(input)
            : refs.element(input, offset(index, broadcastStrides(input.shape, shape))),
        offset(index, strides),
        index,
      ),
    ]),
    ...rounding,
  ];
}

/** Each pad a scattered sum adds up: the member it pads and the sum it adds into. */
function scatterTargets(plan: Plan, group: LoopGroup) {
  return group.scatters.flatMap((target) =>
    chainOperands(plan.fusedInto, target).map((operand) => {
      const pad = operand as NodeOf<"pad">;
      return { target, pad, source: pad.inputs[0] };
    }),
  );
}

/** The shape a site's loop visits: its own for an elementwise op, its input's for a fold. */
export function loopShape(site: Node): Shape {
  return ops[site.op].emit.kind === "elementwise" ? site.shape : site.inputs[0].shape;
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
