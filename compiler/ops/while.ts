// while: a bounded loop over a condition region and a body region. It runs the body while the
// condition holds, at most maxIterations times, and counts the steps; its tape (the carries at the
// start of every step) has maxIterations rows, so its memory is planned at compile time and the
// reverse sweep replays only the steps that ran. Its value is one flat vector (see WhileAttrs).
import { AdjointError } from "../errors.ts";
import type { Node, Region, WhileAttrs } from "../ir/node.ts";
import { formatShape, sameShape, sizeOf, type Shape } from "../ir/shape.ts";
import { ShapeError, type OpDef, type Tensor } from "./def.ts";
import type { ScanPart } from "./scan.ts";
import { denseSparsity } from "./sparsity.ts";
import { wholeZero } from "./strongzero.ts";

export interface WhileLayout {
  /** The carries when the loop stopped. */
  readonly finals: readonly ScanPart[];
  /** The number of steps that ran (a whole number, one element). */
  readonly count: ScanPart;
  /** Each carry at the start of every step, stacked: [maxIterations, ...its shape]. */
  readonly tape: readonly ScanPart[];
  readonly size: number;
}

export function whileLayout(attrs: WhileAttrs): WhileLayout {
  let offset = 0;
  const part = (shape: Shape): ScanPart => {
    const placed = { offset, shape };
    offset += sizeOf(shape);
    return placed;
  };
  const carryShapes = attrs.body.results.map((result) => result.shape);
  const finals = carryShapes.map(part);
  const count = part([]);
  const tape = attrs.tape ? carryShapes.map((shape) => part([attrs.maxIterations, ...shape])) : [];
  return { finals, count, tape, size: offset };
}

/** The run-time error of a loop whose condition still holds after maxIterations steps. */
export function boundMessage(attrs: WhileAttrs): string {
  const at = attrs.site === "" ? "" : ` (${attrs.site})`;
  return (
    `whileLoop${at}: the condition still holds after maxIterations = ${attrs.maxIterations} ` +
    `iterations (onMaxIterations: "error")`
  );
}

function checkArgs(region: Region, what: string, inputs: readonly Shape[]): void {
  if (region.args.length !== inputs.length)
    throw new ShapeError(`the ${what} has ${region.args.length} args for ${inputs.length} inputs`);
  region.args.forEach((arg, k) => {
    if (!sameShape(arg.shape, inputs[k]))
      throw new ShapeError(
        `arg ${k + 1} of the ${what} is ${formatShape(arg.shape)}; its input gives ${formatShape(inputs[k])}`,
      );
  });
}

function whileShape(inputs: readonly Shape[], attrs: WhileAttrs): Shape {
  const { condition, body, carries, split, maxIterations } = attrs;
  if (!Number.isInteger(maxIterations) || maxIterations < 1)
    throw new ShapeError(`maxIterations must be a positive integer, got ${maxIterations}`);
  const carried = inputs.slice(0, carries);
  checkArgs(condition, "condition", [...carried, ...inputs.slice(carries, carries + split)]);
  checkArgs(body, "body", [...carried, ...inputs.slice(carries + split)]);
  if (condition.results.length !== 1 || condition.results[0].shape.length !== 0)
    throw new ShapeError(`the condition must have one scalar result`);
  if (body.results.length !== carries)
    throw new ShapeError(`the body returns ${body.results.length} carries, not ${carries}`);
  body.results.forEach((result, k) => {
    if (!sameShape(result.shape, carried[k]))
      throw new ShapeError(
        `carry ${k + 1} enters the body as ${formatShape(carried[k])} and leaves as ${formatShape(result.shape)}`,
      );
  });
  return [whileLayout(attrs).size];
}

/** The reference semantics: test, step, count, until the test fails or the bound is reached. */
function whileEval(
  inputs: readonly Tensor[],
  attrs: WhileAttrs,
  interpret: (roots: readonly Node[], leaves: Record<string, ArrayLike<number>>) => Float64Array[],
): Float64Array {
  const { condition, body, carries, split, maxIterations } = attrs;
  const layout = whileLayout(attrs);
  const out = new Float64Array(layout.size);
  const leaves = (region: Region, carry: readonly Float64Array[], captured: readonly Tensor[]) =>
    Object.fromEntries(
      region.args.map((arg, k) => [
        arg.attrs.name,
        k < carries ? carry[k] : captured[k - carries].data,
      ]),
    );
  const [testCaptured, stepCaptured] = [
    inputs.slice(carries, carries + split),
    inputs.slice(carries + split),
  ];
  let carry = inputs.slice(0, carries).map((input) => input.data);
  let count = 0;
  for (;;) {
    const [holds] = interpret(condition.results, leaves(condition, carry, testCaptured));
    if (holds[0] === 0) break;
    if (count === maxIterations) {
      if (attrs.onMaxIterations === "error") throw new AdjointError(boundMessage(attrs));
      break;
    }
    layout.tape.forEach((part, k) => out.set(carry[k], part.offset + count * carry[k].length));
    carry = interpret(body.results, leaves(body, carry, stepCaptured));
    count++;
  }
  carry.forEach((value, k) => out.set(value, layout.finals[k].offset));
  out[layout.count.offset] = count;
  return out;
}

export const whileLoop: OpDef<"while"> = {
  arity: "variadic",
  dtype: (inputs, { condition, body, carries }, float) => {
    if (condition.results[0]?.dtype !== "bool")
      throw new ShapeError(`the condition is ${condition.results[0]?.dtype}; expected bool`);
    const wrong = [...inputs.slice(0, carries), ...body.results.map((r) => r.dtype)].find(
      (dtype) => dtype !== float,
    );
    if (wrong !== undefined) throw new ShapeError(`a carry is ${wrong}; carries must be ${float}`);
    return float;
  },
  shape: whileShape,
  eval: (inputs, attrs, _shape, env) => whileEval(inputs, attrs, env.interpret),
  emit: { kind: "region" },
  // strong zero for a wholly zero adjoint only: the reverse sweep's body is not guarded inside
  zeroAdjoint: wholeZero,
  // the adjoint is a while over the steps that ran, last first, whose body is the body's vjp
  vjp: ({ loops, y, y_bar }) => loops.while(y, y_bar),
  // the tangent is a while carrying tangents beside the carries
  jvp: ({ loops, y, dots }) => loops.while(y, dots),
  // every output element may depend on every input element (a loop mixes its steps)
  sparsity: denseSparsity,
};
