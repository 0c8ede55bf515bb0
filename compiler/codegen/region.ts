// A scan as one `for` loop: the inputs copied into the body's args, then per step the step's
// slices copied in, the carries recorded on the tape, the body's own code (lowered like an entry
// by its own plan), and its results copied out. Nothing is allocated: every buffer is planned.
import type { Node, NodeOf, Region, ScanAttrs } from "../ir/node.ts";
import { sizeOf } from "../ir/shape.ts";
import { isScalarNode, isSplatConst, type LoweredEntry, type Plan } from "../lower/plan.ts";
import type { RegionPlan, RegionPlans } from "../lower/regions.ts";
import { literal } from "../ops/arithmetic.ts";
import { scanLayout, tapeSlots, tapeStride } from "../ops/scan.ts";
import type { References } from "./references.ts";

/** The statements of a body's entry, as entryGroups gives them (handed in: it calls back here). */
export type BodyLines = (
  plan: Plan,
  lowered: LoweredEntry,
  regions: RegionPlans,
  /** The arena offset the body's view offsets count from. */
  base: number,
) => string[];

/** Lines of one view-to-view copy of `size` elements: `to[at + i] = from[i]` and the like. */
export function copy(
  size: number,
  write: (i: string) => string,
  read: (i: string) => string,
): string[] {
  if (size === 1) return [`${write("0")} = ${read("0")};`];
  return [`for (let i = 0; i < ${size}; i++) {`, `${write("i")} = ${read("i")};`, "}"];
}

export const plus = (base: string | number, i: string) =>
  base === 0 || base === "0" ? i : i === "0" ? String(base) : `${base} + ${i}`;

/** Every line of the loop computing `node`'s flat value into its view. */
export function scanLines(
  plan: Plan,
  refs: References,
  node: NodeOf<"scan">,
  region: RegionPlan,
  bodyLines: BodyLines,
): string[] {
  const { attrs } = node;
  const body = region.plan;
  const [lowered] = body.entries;
  const layout = scanLayout(attrs);
  const out = refs.view(node);
  const argView = (k: number) => body.views.get(attrs.body.args[k].id)!.name;
  const resultView = (k: number) => lowered.outputs[k].view.name;
  const { carries, sequences, length } = attrs;
  const whole = (k: number, input: Node): string[] => {
    if (isScalarNode(input)) return [`${argView(k)}[0] = ${refs.scalar(input)};`];
    if (isSplatConst(input) && !refs.hasView(input))
      return [`${argView(k)}.fill(${literal(input.attrs.values[0])});`];
    return [`${argView(k)}.set(${refs.view(input)});`];
  };
  const step = plan.table.claim("step");
  const t = plan.table.claim("t");
  const lines: string[] = [];
  // carries and captured values enter once; sequences a slice per step
  node.inputs.forEach((input, k) => {
    if (k < carries || k >= carries + sequences) lines.push(...whole(k, input));
  });
  lines.push(`for (let ${step} = 0; ${step} < ${length}; ${step}++) {`);
  lines.push(`const ${t} = ${attrs.reverse ? `${length - 1} - ${step}` : step};`);
  for (let k = carries; k < carries + sequences; k++) {
    const input = node.inputs[k];
    const size = sizeOf(input.shape) / length;
    lines.push(
      ...copy(
        size,
        (i) => `${argView(k)}[${i}]`,
        (i) => refs.element(input, plus(`${t} * ${size}`, i)),
      ),
    );
  }
  lines.push(...tapeLines(attrs, out, argView, step, t));
  for (const leaf of lowered.scalarLeaves)
    lines.push(`const ${body.names.get(leaf.id)!} = ${body.views.get(leaf.id)!.name}[0];`);
  lines.push(...bodyLines(body, lowered, region.inner, region.base));
  layout.stacked.forEach((part, j) => {
    const size = sizeOf(part.shape) / length;
    const from = resultView(carries + j);
    lines.push(
      ...copy(
        size,
        (i) => `${out}[${plus(`${part.offset} + ${t} * ${size}`, i)}]`,
        (i) => `${from}[${i}]`,
      ),
    );
  });
  // every result is in its own view by now, so the carries may be overwritten
  for (let k = 0; k < carries; k++) {
    const size = sizeOf(attrs.body.args[k].shape);
    lines.push(
      size === 1
        ? `${argView(k)}[0] = ${resultView(k)}[0];`
        : `${argView(k)}.set(${resultView(k)});`,
    );
  }
  lines.push("}");
  layout.finals.forEach((part, k) => {
    const size = sizeOf(part.shape);
    lines.push(
      ...copy(
        size,
        (i) => `${out}[${plus(part.offset, i)}]`,
        (i) => `${argView(k)}[${i}]`,
      ),
    );
  });
  return lines;
}

/**
 * The carries recorded on the tape: every step's at index t, or with a checkpoint stride k only
 * the first step of each segment's, at its slot (see tapeSlot).
 */
function tapeLines(
  attrs: ScanAttrs,
  out: string,
  argView: (k: number) => string,
  step: string,
  t: string,
): string[] {
  const layout = scanLayout(attrs);
  const slots = tapeSlots(attrs);
  const k = tapeStride(attrs);
  const slot = k === 1 ? t : attrs.reverse ? `${slots - 1} - ${step} / ${k}` : `${step} / ${k}`;
  const lines = layout.tape.flatMap((part, j) => {
    const size = sizeOf(part.shape) / slots;
    return copy(
      size,
      (i) => `${out}[${plus(`${part.offset} + ${k === 1 ? slot : `(${slot})`} * ${size}`, i)}]`,
      (i) => `${argView(j)}[${i}]`,
    );
  });
  if (k === 1 || lines.length === 0) return lines;
  // a checkpoint: the carry entering a segment's first step
  return [`if (${step} % ${k} === 0) {`, ...lines, "}"];
}

/** Module-level declarations of every body's views (offsets from its base) and its constants. */
export function regionDeclarations(regions: readonly RegionPlan[]): string[] {
  return regions.flatMap(({ plan, base }) => {
    const views = [...plan.views.values(), ...plan.outputViews.values()].sort(
      (a, b) => a.offset - b.offset,
    );
    const declared = [...new Set(views)].map(
      (view) =>
        `const ${view.name} = arena.subarray(${base + view.offset}, ${base + view.offset + view.length});`,
    );
    const fills = plan.program.graph.nodes.flatMap((node) => {
      const view = plan.views.get(node.id);
      if (node.op !== "const" || view === undefined) return [];
      const values = node.attrs.values.map((value) =>
        Object.is(value, -0) ? "-0" : String(value),
      );
      return [
        values.length === 1
          ? `${view.name}.fill(${values[0]});`
          : `${view.name}.set([${values.join(", ")}]);`,
      ];
    });
    return [...declared, ...fills];
  });
}

/** A cond as `if (predicate) { ... } else { ... }`: each branch copies its captured values in, runs
 * its body's code and writes its results into the cond's view. */
export function condLines(
  plan: Plan,
  refs: References,
  node: NodeOf<"cond">,
  [yes, no]: readonly RegionPlan[],
  bodyLines: BodyLines,
): string[] {
  const { whenTrue, whenFalse, split } = node.attrs;
  const out = refs.view(node);
  const branch = (region: RegionPlan, body: Region, inputs: readonly Node[]): string[] => {
    const [lowered] = region.plan.entries;
    const lines = inputs.flatMap((input, k) =>
      copyWhole(refs, region.plan.views.get(body.args[k].id)!.name, input),
    );
    for (const leaf of lowered.scalarLeaves)
      lines.push(
        `const ${region.plan.names.get(leaf.id)!} = ${region.plan.views.get(leaf.id)!.name}[0];`,
      );
    lines.push(...bodyLines(region.plan, lowered, region.inner, region.base));
    let offset = 0;
    lowered.outputs.forEach((output) => {
      const size = sizeOf(output.node.shape);
      const at = offset;
      lines.push(
        ...copy(
          size,
          (i) => `${out}[${plus(at, i)}]`,
          (i) => `${output.view.name}[${i}]`,
        ),
      );
      offset += size;
    });
    return lines;
  };
  return [
    `if (${refs.scalar(node.inputs[0])}) {`,
    ...branch(yes, whenTrue, node.inputs.slice(1, 1 + split)),
    "} else {",
    ...branch(no, whenFalse, node.inputs.slice(1 + split)),
    "}",
  ];
}

/** An arg's view filled with an outer value: a local, a literal, or another view. */
export function copyWhole(refs: References, view: string, input: Node): string[] {
  if (isScalarNode(input)) return [`${view}[0] = ${refs.scalar(input)};`];
  if (isSplatConst(input) && !refs.hasView(input))
    return [`${view}.fill(${literal(input.attrs.values[0])});`];
  return [`${view}.set(${refs.view(input)});`];
}
