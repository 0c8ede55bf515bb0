// Values that a kernel computes on the way to its own: prodExcept's prefix chain ends at prod, so an
// entry that needs both runs one loop where it would run two dependent multiplication chains.
import type { Node } from "../ir/node.ts";
import { ops } from "../ops/registry.ts";

/** The reduction axes of a node, or undefined for an op that has none. */
function axesOf(node: Node): readonly number[] | undefined {
  return (node.attrs as { readonly axes?: readonly number[] }).axes;
}

function sameAxes(a: Node, b: Node): boolean {
  const [left, right] = [axesOf(a), axesOf(b)];
  return (
    left !== undefined &&
    right !== undefined &&
    left.length === right.length &&
    left.every((axis, k) => axis === right[k])
  );
}

/**
 * For one entry's schedule: each kernel that also writes a value it `yieldsAlong`, with that value's
 * node. The value moves down to the kernel's place in the schedule (never up: its buffer is reserved
 * from its own place on), so every reader of it in the entry must come after the kernel; `fused`
 * are the nodes computed inside another's loop.
 */
export function valuesAlongside(
  schedule: readonly Node[],
  fused: ReadonlyMap<number, Node>,
): Map<number, Node> {
  const position = new Map(schedule.map((node, index) => [node.id, index]));
  const firstReader = new Map<number, number>();
  schedule.forEach((node, index) => {
    for (const input of node.inputs)
      if (!firstReader.has(input.id)) firstReader.set(input.id, index);
  });
  const along = new Map<number, Node>();
  const taken = new Set<number>();
  for (const kernel of schedule) {
    const emit = ops[kernel.op].emit;
    if (emit.kind !== "kernel" || emit.yieldsAlong === undefined || fused.has(kernel.id)) continue;
    const [source] = kernel.inputs;
    const here = position.get(kernel.id)!;
    const value = schedule.find(
      (node) =>
        node.op === emit.yieldsAlong &&
        node.inputs[0] === source &&
        sameAxes(node, kernel) &&
        !taken.has(node.id) &&
        !fused.has(node.id) &&
        position.get(node.id)! < here &&
        (firstReader.get(node.id) ?? Infinity) > here,
    );
    if (value === undefined || fused.has(source.id)) continue;
    along.set(kernel.id, value);
    taken.add(value.id);
  }
  return along;
}
