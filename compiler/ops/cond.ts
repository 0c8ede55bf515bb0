// cond: one of two branch regions, chosen by a bool scalar; only the taken branch runs. Its value
// is that branch's results, one flat vector; the DSL hands them out as slices of it.
import type { CondAttrs, Region } from "../ir/node.ts";
import { formatShape, sameShape, sizeOf, type Shape } from "../ir/shape.ts";
import { ShapeError, type OpDef } from "./def.ts";
import { denseSparsity } from "./sparsity.ts";
import { wholeZero } from "./strongzero.ts";

/** The offsets of each result in the flat value. */
export function condOffsets(region: Region): number[] {
  let offset = 0;
  return region.results.map((result) => {
    const at = offset;
    offset += sizeOf(result.shape);
    return at;
  });
}

function condShape(inputs: readonly Shape[], attrs: CondAttrs): Shape {
  const { whenTrue, whenFalse, split } = attrs;
  if (inputs[0].length !== 0)
    throw new ShapeError(`the predicate has shape ${formatShape(inputs[0])}; expected a scalar`);
  if (1 + whenTrue.args.length + whenFalse.args.length !== inputs.length) {
    throw new ShapeError(
      `the branches have ${whenTrue.args.length} and ${whenFalse.args.length} args for ${inputs.length - 1} inputs`,
    );
  }
  if (whenTrue.args.length !== split)
    throw new ShapeError(`split ${split} for ${whenTrue.args.length} args`);
  [...whenTrue.args, ...whenFalse.args].forEach((arg, k) => {
    if (!sameShape(arg.shape, inputs[k + 1])) {
      throw new ShapeError(
        `branch arg ${k + 1} is ${formatShape(arg.shape)}; its input is ${formatShape(inputs[k + 1])}`,
      );
    }
  });
  const shapes = (region: Region) =>
    region.results.map((result) => formatShape(result.shape)).join(", ");
  if (shapes(whenTrue) !== shapes(whenFalse)) {
    throw new ShapeError(`the branches return (${shapes(whenTrue)}) and (${shapes(whenFalse)})`);
  }
  return [whenTrue.results.reduce((total, result) => total + sizeOf(result.shape), 0)];
}

export const cond: OpDef<"cond"> = {
  arity: "variadic",
  dtype: ([predicate], { whenTrue, whenFalse }, float) => {
    if (predicate !== "bool")
      throw new ShapeError(`the predicate is ${predicate}; expected bool (a comparison)`);
    const wrong = [...whenTrue.results, ...whenFalse.results].find(
      (result) => result.dtype !== float,
    );
    if (wrong !== undefined)
      throw new ShapeError(`a branch returns ${wrong.dtype}; branches must return ${float}`);
    return float;
  },
  shape: condShape,
  eval: (inputs, { whenTrue, whenFalse, split }, shape, env) => {
    const taken = inputs[0].data[0] !== 0;
    const region = taken ? whenTrue : whenFalse;
    const values = taken ? inputs.slice(1, 1 + split) : inputs.slice(1 + split);
    const leaves = Object.fromEntries(
      region.args.map((arg, k) => [arg.attrs.name, values[k].data]),
    );
    const out = new Float64Array(sizeOf(shape));
    const offsets = condOffsets(region);
    env.interpret(region.results, leaves).forEach((data, k) => out.set(data, offsets[k]));
    return out;
  },
  emit: { kind: "region" },
  // strong zero for a wholly zero adjoint only: the taken branch's adjoint is not guarded inside
  zeroAdjoint: wholeZero,
  // the adjoint is a cond of the branches' vjps: only the taken branch's runs
  vjp: ({ loops, y, y_bar }) => loops.cond(y, y_bar),
  // the tangent is a cond of the branches' jvps
  jvp: ({ loops, y, dots }) => loops.cond(y, dots),
  // every output element may depend on every input element (either branch may run)
  sparsity: denseSparsity,
};
