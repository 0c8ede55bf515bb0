// The reference interpreter: evaluates nodes through each op's `eval` in the table it is given
// (ops/interpret.ts binds the registry). The oracle for folding and tests.
import { AdjointError } from "../errors.ts";
import type { Node } from "./node.ts";
import type { EvalEnv, OpTable, Tensor } from "./optable.ts";
import { formatShape, sizeOf } from "./shape.ts";

/** Values of leaves by name: a number for a scalar, or one number per element. */
export type LeafValues = Readonly<Record<string, number | ArrayLike<number>>>;

/**
 * Evaluates `roots` (and what they depend on) by the ops of `table`: each op in float64 on its
 * inputs' values, and every f32 value (leaves and constants too) rounded to float32, as generated
 * code stores and keeps it.
 */
export function interpretWith(
  table: OpTable,
  roots: readonly Node[],
  leaves: LeafValues = {},
): Float64Array[] {
  const memo = new Map<number, Tensor>();
  const leaf = (name: string, node: Node): Float64Array => {
    const value = leaves[name];
    if (value === undefined) throw new AdjointError(`interpret: no value for ${node.op} "${name}"`);
    const data = typeof value === "number" ? Float64Array.of(value) : Float64Array.from(value);
    if (data.length !== sizeOf(node.shape)) {
      throw new AdjointError(
        `interpret: ${node.op} "${name}" has shape ${formatShape(node.shape)} (${sizeOf(node.shape)} values), got ${data.length}`,
      );
    }
    return data;
  };
  const evaluate = (node: Node): Tensor => {
    const known = memo.get(node.id);
    if (known !== undefined) return known;
    // inputs have lower ids, so evaluating them first in id order avoids deep recursion
    const args = node.inputs.map(evaluate);
    const run = table[node.op].eval as (
      inputs: readonly Tensor[],
      attrs: unknown,
      shape: readonly number[],
      env: EvalEnv,
    ) => Float64Array;
    const exact = run(args, node.attrs, node.shape, {
      leaf: (name) => leaf(name, node),
      interpret: (inner, values) => interpretWith(table, inner, values),
    });
    // a copy: an eval may hand back its input's array (a reshape, a cast)
    const data = node.dtype === "f32" ? Float64Array.from(exact, Math.fround) : exact;
    const tensor = { shape: node.shape, data };
    memo.set(node.id, tensor);
    return tensor;
  };
  const ordered = [...new Set(collect(roots))].sort((a, b) => a.id - b.id);
  for (const node of ordered) evaluate(node);
  return roots.map((root) => evaluate(root).data);
}

function collect(roots: readonly Node[]): Node[] {
  const seen = new Map<number, Node>();
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    seen.set(node.id, node);
    stack.push(...node.inputs);
  }
  return [...seen.values()];
}
