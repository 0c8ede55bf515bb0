// Leaves: fed inputs, persistent params, and constants. They have no inputs, hence no adjoints to pass on.
import { sizeOf } from "../ir/shape.ts";
import type { OpDef } from "./def.ts";
import { noSparsity } from "./sparsity.ts";

export const input: OpDef<"input"> = {
  arity: "leaf",
  dtype: (_, { dtype }) => dtype,
  shape: (_, { shape }) => shape,
  eval: (_, { name }, _shape, env) => env.leaf(name),
  emit: { kind: "leaf" },
  // strong zero as it stands: no inputs
  zeroAdjoint: "bounded",
  vjp: () => [],
  // tangents of leaves are seeded by the jvp transform itself
  jvp: () => null,
  // a differentiated leaf is seeded by the sparsity analysis itself
  sparsity: noSparsity,
};

export const param: OpDef<"param"> = {
  arity: "leaf",
  shape: (_, { shape }) => shape,
  eval: (_, { name }, _shape, env) => env.leaf(name),
  emit: { kind: "leaf" },
  // strong zero as it stands: no inputs
  zeroAdjoint: "bounded",
  vjp: () => [],
  jvp: () => null,
  // a differentiated leaf is seeded by the sparsity analysis itself
  sparsity: noSparsity,
};

export const constant: OpDef<"const"> = {
  arity: "leaf",
  dtype: (_, { dtype }) => dtype,
  shape: (_, { shape }) => shape,
  eval: (_, { values }, shape) => {
    const out = new Float64Array(sizeOf(shape));
    return values.length === 1 ? out.fill(values[0]) : (out.set(values), out);
  },
  emit: { kind: "leaf" },
  // strong zero as it stands: no inputs
  zeroAdjoint: "bounded",
  vjp: () => [],
  // the derivative of a constant is 0
  jvp: () => null,
  // a differentiated leaf is seeded by the sparsity analysis itself
  sparsity: noSparsity,
};
