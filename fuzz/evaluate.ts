// The reference interpreter's evaluation with two twists the checks need: a float32 machine (every
// float value rounded to float32 where it is defined, which an f32 arena must compute), and
// stopGradient values frozen at a base point, so central differences see what a gradient sees.
import { ops } from "../compiler/ops/registry.ts";
import type { Tensor } from "../compiler/ops/def.ts";
import type { Node } from "../compiler/ir/node.ts";
import type { Values } from "./values.ts";

export interface EvaluateOptions {
  readonly f32?: boolean;
  /** Values by node id used instead of evaluating the node (stopGradient outputs at a base point). */
  readonly frozen?: ReadonlyMap<number, Float64Array>;
  /** The nodes whose comparisons count as branches (the forward program's); all by default. */
  readonly watch?: ReadonlySet<number>;
}

export interface Evaluated {
  readonly values: Float64Array[];
  /** The value of every stopGradient node reached. */
  readonly stops: Map<number, Float64Array>;
  /** Every watched boolean value (comparisons), in order: which branch each select took. */
  readonly branches: string;
  /** Every node's value by id. */
  readonly all: ReadonlyMap<number, Float64Array>;
}

type Eval = (
  inputs: readonly Tensor[],
  attrs: unknown,
  shape: readonly number[],
  env: { leaf: (name: string) => Float64Array },
) => Float64Array;

export function evaluate(
  roots: readonly Node[],
  leaves: Values,
  options: EvaluateOptions = {},
): Evaluated {
  const memo = new Map<number, Tensor>();
  const stops = new Map<number, Float64Array>();
  const branches: string[] = [];
  for (const node of collect(roots).sort((a, b) => a.id - b.id)) {
    const args = node.inputs.map((input) => memo.get(input.id)!);
    const run = ops[node.op].eval as Eval;
    const env = { leaf: (name: string) => Float64Array.from(leaves[name]) };
    let data = options.frozen?.get(node.id) ?? run(args, node.attrs, node.shape, env);
    if (options.f32 === true && (node.dtype === "f64" || node.dtype === "f32"))
      data = data.map(Math.fround);
    if (node.op === "stopGradient") stops.set(node.id, data);
    if (node.dtype === "bool" && (options.watch?.has(node.id) ?? true))
      branches.push(data.join(""));
    memo.set(node.id, { shape: node.shape, data });
  }
  const all = new Map([...memo].map(([id, tensor]) => [id, tensor.data] as const));
  const values = roots.map((root) => memo.get(root.id)!.data);
  return { values, stops, branches: branches.join(","), all };
}

export function collect(roots: readonly Node[]): Node[] {
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
